import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { expect } from 'chai';
import { leaseOwnerGone, processLeaseOwner } from './process-lease.ts';

describe('process lease owners', () => {
  it('names this process by host and pid, and never calls itself gone', () => {
    expect(processLeaseOwner()).to.equal(`${os.hostname()}:${process.pid}`);
    expect(leaseOwnerGone(processLeaseOwner())).to.equal(false);
  });

  it('recognises a killed process of this host as gone, and a live one as not', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const owner = `${os.hostname()}:${child.pid}`;
    expect(leaseOwnerGone(owner), 'alive').to.equal(false);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(leaseOwnerGone(owner), 'killed').to.equal(true);
  });

  it('cannot tell for owners of other hosts or of another shape: they wait out their lease', () => {
    expect(leaseOwnerGone(`another-host-${os.hostname()}:999999`)).to.equal(false);
    expect(leaseOwnerGone('worker-1')).to.equal(false);
    expect(leaseOwnerGone(`${os.hostname()}:abc`)).to.equal(false);
  });
});
