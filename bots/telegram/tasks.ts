/**
 * Work detached from grammY's middleware: simple long polling handles updates one after the
 * other, and a webhook request must be answered within seconds, so a clip's analysis runs as a
 * tracked background task instead of blocking the next update. `settled()` lets shutdown wait
 * for replies still being sent.
 */

/** A set of running background tasks. */
export interface TaskSet {
  /**
   * Starts `work` now (synchronously up to its first await) and tracks it; a rejection goes to
   * `onError`, whose own rejection is swallowed.
   */
  run(work: () => Promise<void>, onError: (error: unknown) => Promise<void> | void): void;
  /** How many are running. */
  readonly size: number;
  /** Resolves when every task started so far has finished (never rejects). */
  settled(): Promise<void>;
}

/** Creates an empty {@link TaskSet}. */
export function createTaskSet(): TaskSet {
  const running = new Set<Promise<void>>();
  return {
    run(work, onError) {
      const task = (async () => {
        try {
          await work();
        } catch (error) {
          try {
            await onError(error);
          } catch {
            // The error handler reports failures itself; nothing is left to do.
          }
        }
      })();
      running.add(task);
      void task.finally(() => running.delete(task));
    },
    get size() {
      return running.size;
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
