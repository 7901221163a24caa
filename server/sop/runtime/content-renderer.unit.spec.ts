import { expect } from 'chai';
import { contentRenderer, type RendererDeps } from './content-renderer.ts';
import { fixedClock } from '../../shared/clock.ts';

describe('contentRenderer', () => {
  const touch = (i: number) => ({ corpId: 'ww1', templateId: 'tpl', templateVersion: 2, staffId: 'staff-1', storeId: 'store-1', contactId: `c${i}` }) as never;
  const routing = (i: number) => ({ name: `客户${i}`, tz: 'Asia/Shanghai' }) as never;

  it('reads a mass send’s template version, staff member and store once, and fills each contact', async () => {
    const calls = { version: 0, staff: 0, store: 0 };
    const deps = {
      content: { pinnedVersions: async () => ({}), getVersion: async () => (calls.version++, { text: '{{contact.name}}您好，我是{{store.name}}的{{staff.name}}' }) },
      org: { findStaff: async () => (calls.staff++, { name: '小王' }), findStore: async () => (calls.store++, { name: '上海一店', city: '上海' }) },
      clock: fixedClock(new Date('2026-12-07T02:00:00Z')),
    } as unknown as RendererDeps;
    const render = contentRenderer(deps);
    const texts = await Promise.all(Array.from({ length: 100 }, (_, i) => render(touch(i), routing(i))));
    expect(texts[7]!.text).to.equal('客户7您好，我是上海一店的小王');
    expect(calls).to.deep.equal({ version: 1, staff: 1, store: 1 });
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const deps = {
      content: { pinnedVersions: async () => ({}), getVersion: async () => ({ text: '你好' }) },
      org: {
        findStaff: async () => {
          if (fail) throw new Error('database down');
          return { name: '小王' };
        },
        findStore: async () => null,
      },
      clock: fixedClock(new Date('2026-12-07T02:00:00Z')),
    } as unknown as RendererDeps;
    const render = contentRenderer(deps);
    let err: unknown;
    await render(touch(1), routing(1)).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(Error);
    fail = false;
    expect((await render(touch(2), routing(2))).text).to.equal('你好');
  });
});
