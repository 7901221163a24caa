/**
 * Who holds a lease (a sync run, a claim of touches): `host:pid`. A lease lapses after a while without renewal,
 * but a process that was killed on this host is recognised at once (its pid is gone), so its work is taken
 * over right after the crash instead of when the lease lapses.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function processLeaseOwner(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** True when `owner` ran on this host and its process no longer exists. */
export function leaseOwnerGone(owner: string): boolean {
  const at = owner.lastIndexOf(':');
  const pid = Number(owner.slice(at + 1));
  if (at < 0 || owner.slice(0, at) !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // A killed process whose parent died too stays a zombie until something reaps it (containers often run
  // without an init that does): it still answers signal 0, but it will never work on the run again.
  return zombie(pid);
}

function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false; // no /proc (not Linux): only signal 0 can tell
  }
}
