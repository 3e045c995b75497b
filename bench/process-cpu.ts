// CPU time of a server from /proc: the process, the children it has reaped and its live
// descendants, so that a cluster primary's workers count towards what it costs per request.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's clock ticks per second for /proc times (USER_HZ), 100 on every common build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** What /proc/<pid>/stat says about one process. */
interface ProcessTicks {
  parentPid: number;
  /** utime + stime + cutime + cstime: its own CPU and that of the children it reaped. */
  ticks: number;
}

function readTicks(pid: number): ProcessTicks | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // It exited between the listing of /proc and this read.
    return undefined;
  }
  // Fields after the parenthesised command name, which may itself hold spaces: state, ppid,
  // ... utime (index 11), stime, cutime, cstime (index 14).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  return { parentPid: Number(fields[1]), ticks };
}

/**
 * CPU seconds (user + system) that `pid` and its descendants have used so far. Unlike
 * requests/s, this barely moves when other work on the machine competes for the cores.
 */
export function processTreeCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const root = readTicks(pid);
  if (root === undefined) return NaN;
  const byPid = new Map<number, ProcessTicks>();
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const entryPid = Number(entry);
    const entryTicks = readTicks(entryPid);
    if (entryTicks === undefined) continue;
    byPid.set(entryPid, entryTicks);
    const siblings = childrenOf.get(entryTicks.parentPid) ?? [];
    childrenOf.set(entryTicks.parentPid, [...siblings, entryPid]);
  }
  let ticks = root.ticks;
  const pending = [...(childrenOf.get(pid) ?? [])];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    ticks += byPid.get(next)?.ticks ?? 0;
    pending.push(...(childrenOf.get(next) ?? []));
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}
