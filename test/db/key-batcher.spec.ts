import { expect } from 'chai';
import { KeyBatcher } from '../../server/db/key-batcher.ts';

/** A batcher whose work records each batch and waits until the test releases it. */
function recording(opts: { maxBatch?: number; maxInFlight?: number; fail?: (items: string[]) => boolean } = {}) {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  const batcher = new KeyBatcher<string, string>({
    key: (s) => s.split('#')[0]!,
    merge: (a, b) => `${a}+${b}`,
    work: async (items) => {
      batches.push(items);
      await new Promise<void>((resolve) => releases.push(resolve));
      if (opts.fail?.(items)) throw new Error(`batch ${items.join()} failed`);
      return items.map((i) => `done:${i}`);
    },
    ...opts,
  });
  const releaseAll = async () => {
    while (releases.length) releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batcher, batches, releaseAll };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyBatcher', () => {
  it('works on what is asked in one turn as one batch, an equal key once for all its callers', async () => {
    const r = recording();
    const answers = Promise.all([r.batcher.run('a'), r.batcher.run('b'), r.batcher.run('a#2')]);
    await tick();
    expect(r.batches).to.deep.equal([['a+a#2', 'b']]);
    await r.releaseAll();
    expect(await answers).to.deep.equal(['done:a+a#2', 'done:b', 'done:a+a#2']);
  });

  it('puts what is asked while a batch is in flight into the next batch, the same key included', async () => {
    const r = recording({ maxInFlight: 1 });
    const first = r.batcher.run('a');
    await tick();
    const again = r.batcher.run('a#again');
    const other = r.batcher.run('c');
    await tick();
    expect(r.batches, 'one in flight at a time').to.deep.equal([['a']]);
    await r.releaseAll();
    await r.releaseAll();
    expect(r.batches).to.deep.equal([['a'], ['a#again', 'c']]);
    expect(await Promise.all([first, again, other])).to.deep.equal(['done:a', 'done:a#again', 'done:c']);
  });

  it('splits at maxBatch and rejects only the callers of a failing batch', async () => {
    const r = recording({ maxBatch: 2, fail: (items) => items.includes('x') });
    const asks = ['w', 'x', 'y', 'z'].map((k) => r.batcher.run(k).then((v) => v, (err: Error) => err.message));
    await tick();
    expect(r.batches).to.deep.equal([['w', 'x'], ['y', 'z']]);
    await r.releaseAll();
    expect(await Promise.all(asks)).to.deep.equal(['batch w,x failed', 'batch w,x failed', 'done:y', 'done:z']);
  });
});
