/**
 * A bounded work queue: at most `concurrency` jobs run at once, at most `maxPending` wait; a job
 * offered to a full queue is refused at once (the chat answers "busy") rather than queued without
 * bound. Analysing a clip takes a CPU core for a second or two, so the queue is what keeps a burst
 * of clips from slowing every answer down.
 */

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Jobs running at once (integer ≥ 1, default 2). */
  readonly concurrency?: number | undefined;
  /** Jobs waiting for a slot (integer ≥ 0, default 16); one more is refused. */
  readonly maxPending?: number | undefined;
}

interface Waiting {
  start(): void;
}

/** The bounded queue. */
export class WorkQueue {
  /** Jobs running at once. */
  readonly concurrency: number;
  /** Jobs that may wait. */
  readonly maxPending: number;
  #running = 0;
  readonly #waiting: Waiting[] = [];
  #idle: Array<() => void> = [];

  /**
   * @param options - concurrency and queue length
   * @throws RangeError when `concurrency` < 1 or `maxPending` < 0 or either is not an integer
   */
  constructor(options: WorkQueueOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    this.maxPending = options.maxPending ?? 16;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency must be an integer ≥ 1, got ${this.concurrency}`);
    }
    if (!Number.isInteger(this.maxPending) || this.maxPending < 0) {
      throw new RangeError(`maxPending must be an integer ≥ 0, got ${this.maxPending}`);
    }
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting for a slot now. */
  get pending(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `job` when a slot is free.
   *
   * @param job - the work; its rejection is passed through to the caller
   * @returns the job's promise, or undefined (and the job is not run) when the queue is full
   */
  tryRun<T>(job: () => Promise<T>): Promise<T> | undefined {
    if (this.#running >= this.concurrency && this.#waiting.length >= this.maxPending) {
      return undefined;
    }
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#running++;
        let result: Promise<T>;
        try {
          result = job();
        } catch (error) {
          result = Promise.reject(error);
        }
        // The slot is freed before the caller sees the outcome, so it can offer the next job at once.
        result.then(
          (value) => {
            this.#finish();
            resolve(value);
          },
          (error: unknown) => {
            this.#finish();
            reject(error);
          },
        );
      };
      if (this.#running < this.concurrency) start();
      else this.#waiting.push({ start });
    });
  }

  /**
   * Resolves once no job is running or waiting (at once when idle). Jobs offered meanwhile are
   * waited for too.
   */
  drain(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #finish(): void {
    this.#running--;
    const next = this.#waiting.shift();
    if (next) {
      next.start();
      return;
    }
    if (this.#running === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }
}
