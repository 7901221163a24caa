import { expect } from 'chai';
import { defaultHeapMb } from '../../server/db/dev-database.ts';

describe('development database heap cap', () => {
  const GB = 1024 ** 3;
  it('takes a quarter of the machine, at most 6 GB and at least 512 MB', () => {
    expect(defaultHeapMb(24 * GB)).to.equal(6144);
    expect(defaultHeapMb(64 * GB)).to.equal(6144);
    expect(defaultHeapMb(8 * GB)).to.equal(2048);
    expect(defaultHeapMb(1 * GB)).to.equal(512);
  });
});
