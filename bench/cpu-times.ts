/**
 * CPU accounting for the benchmarks, from Linux's `/proc` (proc(5)): the CPU time of this process
 * (all its threads) and of the children it has waited for, and the time the hypervisor stole.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** CPU seconds so far: this process (all threads) and its reaped children. */
export interface CpuTimes {
  readonly selfS: number;
  readonly childrenS: number;
}

/**
 * CPU time of this process and of the children it has waited for, seconds. Linux: fields 14–17 of
 * `/proc/self/stat` (utime, stime, cutime, cstime, in clock ticks of 1/100 s, `getconf CLK_TCK`);
 * elsewhere `process.cpuUsage()` with children unknown (0).
 */
export function cpuTimes(): CpuTimes {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = (i: number) => Number(fields[i - 3]) / 100;
    return { selfS: tick(14) + tick(15), childrenS: tick(16) + tick(17) };
  } catch {
    const { user, system } = process.cpuUsage();
    return { selfS: (user + system) / 1e6, childrenS: 0 };
  }
}

/**
 * CPU time the hypervisor took from this (virtual) machine so far, all cores, seconds: the `steal`
 * field (8th value) of the `cpu` line of `/proc/stat`, in clock ticks of 1/100 s (proc(5)); null
 * where there is no `/proc/stat`. On a shared VM, stolen time stretches wall clock but not the CPU
 * time of {@link cpuTimes}.
 */
export function stolenS(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/);
    const steal = Number(fields[8]);
    return fields[0] === 'cpu' && Number.isFinite(steal) ? steal / 100 : null;
  } catch {
    return null;
  }
}
