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
