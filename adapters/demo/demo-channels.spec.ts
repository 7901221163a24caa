import { expect } from 'chai';
import { WecomAdapter } from '../wecom/wecom.adapter.ts';
import { startDemoChannels, type DemoChannels } from './demo-channels.ts';

describe('Demo channels: the WeCom account they configure', () => {
  let demo: DemoChannels;

  before(async () => {
    demo = await startDemoChannels({ corpId: 'wwdemo0000000001', staff: [{ userId: 'a1', name: '导购甲' }] });
  });
  after(() => demo.stop());

  it('names the simulator’s app as agentId, so the 09:00 task cards go out in demo mode', async () => {
    const adapter = new WecomAdapter(demo.wecomConfig);
    const res = await adapter.notifyStaff({ userIds: ['a1'], title: '今日任务 1 项', description: '电话回访 1 项', url: 'http://127.0.0.1/m' });
    expect(res).to.include({ ok: true });
    expect(await new WecomAdapter({ ...demo.wecomConfig, agentId: '1' }).notifyStaff({ userIds: ['a1'], title: 't', description: 'd', url: 'http://127.0.0.1/m' })).to.include({ ok: false });
  });
});

describe('Demo channels: simulated activity', () => {
  it('plays nothing after stopActivity, while the simulator still answers the workers finishing their work', async () => {
    const received: number[] = [];
    const { createServer } = await import('node:http');
    const sink = createServer((req, res) => {
      received.push(Date.now());
      req.resume();
      res.end('success');
    }).listen(0, '127.0.0.1');
    await new Promise((r) => sink.once('listening', r));
    const url = `http://127.0.0.1:${(sink.address() as { port: number }).port}/callbacks/wecom`;
    const demo = await startDemoChannels({ corpId: 'wwdemo0000000002', staff: [{ userId: 'a1', name: '导购甲' }] });
    try {
      demo.startActivity(url, 50);
      await new Promise((r) => setTimeout(r, 400));
      expect(received.length).to.be.greaterThan(0);
      demo.stopActivity();
      await new Promise((r) => setTimeout(r, 100)); // a step in flight may still land
      const settled = received.length;
      await new Promise((r) => setTimeout(r, 400));
      expect(received.length).to.equal(settled);
      expect(await new WecomAdapter(demo.wecomConfig).checkCredentials()).to.include({ ok: true });
    } finally {
      await demo.stop();
      sink.close();
    }
  });
});
