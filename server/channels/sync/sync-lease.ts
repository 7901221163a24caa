/**
 * Who works on a sync run: `host:pid`. A claim lasts a few minutes without progress; a process that was killed
 * on this host is recognised at once (its pid is gone), so a restart right after a crash resumes immediately.
 */
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
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
