import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../bots/shared/work-queue.js';

/** A job that resolves when told to. */
function gate<T>(value: T) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let started = false;
  return {
    job: async () => {
      started = true;
      await opened;
      return value;
    },
    open,
    get started() {
      return started;
    },
  };
}

describe('WorkQueue', () => {
  it('runs at most `concurrency` jobs at once, in order', async () => {
    const queue = new WorkQueue({ concurrency: 2, maxPending: 5 });
    const gates = [1, 2, 3, 4].map(gate);
    const results = gates.map((g) => queue.tryRun(g.job));
    expect(results.every((r) => r !== undefined)).toBe(true);
    await Promise.resolve();
    expect(gates.map((g) => g.started)).toEqual([true, true, false, false]);
    expect(queue.running).toBe(2);
    expect(queue.pending).toBe(2);
    gates[1]?.open();
    await results[1];
    await Promise.resolve();
    expect(gates.map((g) => g.started)).toEqual([true, true, true, false]);
    for (const g of gates) g.open();
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4]);
    expect(queue.running).toBe(0);
  });

  it('refuses a job when running and pending are full, and accepts again once there is room', async () => {
    const queue = new WorkQueue({ concurrency: 1, maxPending: 1 });
    const a = gate('a');
    const b = gate('b');
    const pa = queue.tryRun(a.job);
    const pb = queue.tryRun(b.job);
    let ran = false;
    expect(
      queue.tryRun(async () => {
        ran = true;
      }),
    ).toBeUndefined();
    expect(ran).toBe(false);
    a.open();
    await pa;
    const pc = queue.tryRun(async () => 'c');
    expect(pc).toBeDefined();
    b.open();
    expect(await Promise.all([pb, pc])).toEqual(['b', 'c']);
  });

  it('passes a failing job through and keeps going', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const failing = queue.tryRun(async () => {
      throw new Error('boom');
    });
    const throwing = queue.tryRun(() => {
      throw new Error('sync boom');
    });
    await expect(failing).rejects.toThrow('boom');
    await expect(throwing).rejects.toThrow('sync boom');
    await expect(queue.tryRun(async () => 7)).resolves.toBe(7);
  });

  it('drain() waits for running and pending jobs', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    await queue.drain();
    const a = gate(1);
    const b = gate(2);
    void queue.tryRun(a.job);
    void queue.tryRun(b.job);
    let drained = false;
    const d = queue.drain().then(() => {
      drained = true;
    });
    a.open();
    await new Promise((r) => setTimeout(r, 5));
    expect(drained).toBe(false);
    b.open();
    await d;
    expect(drained).toBe(true);
  });

  it('rejects nonsense options', () => {
    expect(() => new WorkQueue({ concurrency: 0 })).toThrow(RangeError);
    expect(() => new WorkQueue({ maxPending: -1 })).toThrow(RangeError);
  });
});
