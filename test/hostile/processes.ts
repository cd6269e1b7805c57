/** What the hostile-input tests look for in /proc (Linux): leftover processes and zombies. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One process as /proc shows it. */
export interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  /** Single-letter state: R, S, D, Z (zombie), … */
  readonly state: string;
  readonly comm: string;
  /** Command line, arguments joined by spaces. */
  readonly cmdline: string;
}

/** Every process visible in /proc right now. */
export function listProcesses(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(path.join('/proc', entry, 'stat'), 'utf8');
      const match = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
      if (!match) continue;
      const cmdline = readFileSync(path.join('/proc', entry, 'cmdline'), 'utf8')
        .split('\0')
        .join(' ')
        .trim();
      out.push({
        pid: Number(entry),
        ppid: Number(match[3]),
        state: match[2] ?? '?',
        comm: match[1] ?? '',
        cmdline,
      });
    } catch {
      // it ended while we looked
    }
  }
  return out;
}

/** Zombie children of this process (exited, never reaped). */
export function zombieChildren(): ProcEntry[] {
  return listProcesses().filter((p) => p.ppid === process.pid && p.state === 'Z');
}

/** Live processes whose command line contains `tag` (a unique marker a test put there). */
export function processesTagged(tag: string): ProcEntry[] {
  return listProcesses().filter((p) => p.cmdline.includes(tag) && p.pid !== process.pid);
}

/** Resident set size of a process in bytes (VmRSS), or undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
