import { expect } from 'chai';
import { defaultHeapMb, jvmOf } from '../../server/db/dev-database.ts';

describe('development database heap cap', () => {
  const GB = 1024 ** 3;
  it('takes a quarter of the machine, at most 6 GB and at least 512 MB', () => {
    expect(defaultHeapMb(24 * GB)).to.equal(6144);
    expect(defaultHeapMb(64 * GB)).to.equal(6144);
    expect(defaultHeapMb(8 * GB)).to.equal(2048);
    expect(defaultHeapMb(1 * GB)).to.equal(512);
  });

  it('a quick JIT (the test suite) stops at C1; the default keeps the full JIT', () => {
    const base = { cacheDir: '/nowhere', store: 'memory' as const, jvm: { kind: 'g1-17' as const, heapMb: 1024 } };
    expect(jvmOf({ ...base, jit: 'quick' }).flags).to.include('-XX:TieredStopAtLevel=1').and.include('-Xmx1024m');
    expect(jvmOf(base).flags).to.not.include('-XX:TieredStopAtLevel=1');
  });
});
