import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateDevSecrets } from '../../server/dev-secrets.ts';

describe('loadOrCreateDevSecrets', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'siyu-secrets-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('gives every racing first run the same keys (the first writer wins, the others read its file)', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateDevSecrets(dir)));
    expect(new Set(all.map((s) => s.phoneKeyHex)).size).to.equal(1);
    expect(new Set(all.map((s) => s.hashKeyHex)).size).to.equal(1);
    expect(await loadOrCreateDevSecrets(dir)).to.deep.equal(all[0]);
  });
});
