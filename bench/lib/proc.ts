// Readings of the machine and of the bench's processes, from /proc (Linux) and the file system:
// CPU time, disk busy time, open files (local workerd's limit bounds how many Durable Objects
// stay live) and the size of a state directory. Each is null or NaN where it cannot be read.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** A process's soft "Max open files" from /proc/<pid>/limits; null if unknown. */
export function openFilesLimit(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    return soft === undefined || soft === "unlimited" ? null : Number(soft);
  } catch {
    return null;
  }
}

/** How many files a process has open now (entries of /proc/<pid>/fd); null if unknown. */
export function openFilesOf(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** Files each live Durable Object keeps open in local workerd: its SQLite db, -wal and -shm. */
export const FILES_PER_OBJECT = 3;
/**
 * Files kept free for sockets (load connections, the stand-in, the bench's reads) and the rest
 * of workerd: at 6 318 reconcile users the peak was 19 011 files, ~60 beside the objects' own.
 */
const FILES_RESERVE = 1000;

/** Durable Objects a workerd holds live now, by the files they keep open beside `baseFiles`; null if unknown. */
export function liveObjects(pid: number | null, baseFiles: number | null): number | null {
  if (pid === null || baseFiles === null) return null;
  const open = openFilesOf(pid);
  return open === null ? null : Math.max(0, Math.floor((open - baseFiles) / FILES_PER_OBJECT));
}

/** How many more live objects a workerd's open-files limit holds beside what is open now; null if unknown. */
export function objectsThatFit(pid: number | null): number | null {
  const limit = openFilesLimit(pid);
  if (limit === null) return null;
  return Math.max(0, Math.floor((limit - (openFilesOf(pid) ?? 0) - FILES_RESERVE) / FILES_PER_OBJECT));
}

/** The direct children of this process that are workerd binaries (one per Miniflare). */
export function workerdChildren(): Set<number> {
  const pids = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      if (ppid === process.pid && comm.startsWith("workerd")) pids.add(Number(entry));
    } catch {
      // process went away
    }
  }
  return pids;
}

/**
 * Machine-wide CPU time (ms) spent busy so far, and stolen by the hypervisor, from /proc/stat:
 * with the workerd and bench process figures it tells how much else ran during a phase.
 */
export function machineCpuMs(): { busy: number; steal: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const busy = user! + nice! + system! + irq! + softirq!;
    return { busy: (busy * 1000) / 100, steal: (steal! * 1000) / 100 };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

/** Milliseconds each block device (whole disks, no partitions) has spent doing I/O so far. */
export function diskBusyMs(): Map<string, number> {
  const busy = new Map<string, number>();
  try {
    for (const line of readFileSync("/proc/diskstats", "utf8").split("\n")) {
      const f = line.trim().split(/\s+/);
      const name = f[2];
      if (!name || /^(loop|ram|zram)/.test(name) || /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+)\d+$|^nvme\d+n\d+p\d+$/.test(name))
        continue;
      busy.set(name, Number(f[12])); // field 13: time spent doing I/Os (ms)
    }
  } catch {
    // not Linux
  }
  return busy;
}

/** CPU time (user + system, ms) consumed so far by a process, from /proc; null if unknown. */
export function cpuMsOf(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Size of a directory tree in bytes (DO SQLite files), for the report. */
export function dirBytes(dir: string | null): number | null {
  if (!dir) return null;
  let total = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += statSync(p).size;
    }
  };
  try {
    walk(dir);
  } catch {
    return null;
  }
  return total;
}
