import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time used by processes, from /proc (Linux): every thread's time on a CPU, in nanoseconds
 * (schedstat). CPU time per call is far less disturbed by a busy machine than latency is: other
 * people's work makes a call wait, but does not make it use more CPU.
 */
export interface ProcessCpu {
  pid: number;
  /** What the process is, for the report: `wrangler (node)`, `workerd (proxy)`, `workerd (worker)`. */
  role: string;
  ns: number;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Time on CPU of every thread of a process, in ns; 0 if it is gone. */
export function processCpuNs(pid: number | 'self'): number {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let total = 0;
  for (const task of tasks) {
    const schedstat = readText(`/proc/${pid}/task/${task}/schedstat`);
    if (schedstat) total += Number(schedstat.split(' ')[0]);
  }
  return total;
}

/** The processes of a process group (`wrangler dev` and the workerd processes it started). */
export function processGroup(pgid: number): { pid: number; role: string }[] {
  const members: { pid: number; role: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    if (!stat) continue;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    const cmdline = (readText(`/proc/${entry}/cmdline`) ?? '').split('\0').join(' ');
    members.push({ pid: Number(entry), role: roleOf(cmdline) });
  }
  return members;
}

function roleOf(cmdline: string): string {
  if (cmdline.includes('workerd')) {
    // wrangler dev runs two: a proxy on the public port, and the Worker itself on an internal port 0.
    return /--socket-addr=entry=[^ ]*:0\b/.test(cmdline) ? 'workerd (worker)' : 'workerd (proxy)';
  }
  if (cmdline.includes('esbuild')) return 'esbuild';
  if (cmdline.includes('wrangler')) return 'wrangler (node)';
  return cmdline.split(' ')[0]?.replace(/^.*\//, '') || 'other';
}

/** A snapshot of the CPU time of a set of processes, to subtract from a later one. */
export function snapshot(groups: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = { 'bench process (MCP client, simulator)': processCpuNs('self') };
  for (const [label, pgid] of Object.entries(groups)) {
    for (const member of processGroup(pgid)) {
      const key = `${label}: ${member.role}`;
      result[key] = (result[key] ?? 0) + processCpuNs(member.pid);
    }
  }
  return result;
}

/** CPU ms used per call between two snapshots, by process. */
export function perCall(before: Record<string, number>, after: Record<string, number>, calls: number): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, ns] of Object.entries(after)) {
    const used = ns - (before[key] ?? 0);
    result[key] = Math.round((used / 1e6 / calls) * 100) / 100;
  }
  return result;
}
