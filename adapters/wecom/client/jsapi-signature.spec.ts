import { expect } from 'chai';
import { jsapiTicketsOf } from '../simulator/jsapi.route.ts';
import { FakeClock } from '../simulator/fake-clock.ts';
import { rawSimClient } from '../simulator/raw-sim-client.ts';
import { startWecomSimulator } from '../simulator/wecom-simulator.ts';
import type { WecomSimulator } from '../simulator/wecom-simulator.ts';
import { WecomAdapter } from '../wecom.adapter.ts';
import { jsapiSignature } from './jsapi-signature.ts';

describe('JS-SDK signatures (config / agentConfig)', () => {
  it('matches the vector of the WeCom docs (JS-SDK 签名算法, path/90506)', () => {
    const signature = jsapiSignature({
      ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
      url: 'http://mp.weixin.qq.com?params=value',
    });
    expect(signature).to.equal('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('signs the URL without its fragment and never URL-encodes', () => {
    const base = { ticket: 't', nonceStr: 'n', timestamp: 1 };
    expect(jsapiSignature({ ...base, url: 'https://a.example/sidebar?x=1#token=abc' })).to.equal(jsapiSignature({ ...base, url: 'https://a.example/sidebar?x=1' }));
    expect(jsapiSignature({ ...base, url: 'https://a.example/?q=a b' })).to.not.equal(jsapiSignature({ ...base, url: 'https://a.example/?q=a%20b' }));
  });

  describe('against the simulator', () => {
    const clock = new FakeClock();
    let sim: WecomSimulator;
    let adapter: WecomAdapter;
    const app = () => `${sim.corpId}/${sim.secret}`;

    before(async () => {
      sim = await startWecomSimulator({ clock });
      adapter = new WecomAdapter(
        { corpId: sim.corpId, secret: sim.secret, token: 'tok', encodingAESKey: 'a'.repeat(43), agentId: '1000002', apiBase: sim.baseUrl },
        { clientOptions: { clock, sleep: clock.sleep } },
      );
    });
    after(() => sim.stop());

    it('signs config with the corp ticket and agentConfig with the app ticket, fetching each once per 7200 s', async () => {
      const url = 'https://siyu.example/sidebar?from=toolbar';
      const first = await adapter.signJsSdk(url);
      expect(first).to.include({ corpId: sim.corpId, agentId: '1000002' });
      const corp = jsapiTicketsOf(sim.state).current('corp', app())!;
      const agent = jsapiTicketsOf(sim.state).current('agent', app())!;
      expect(corp).to.not.equal(agent);
      expect(first.config.signature).to.equal(jsapiSignature({ ticket: corp, nonceStr: first.config.nonceStr, timestamp: first.config.timestamp, url }));
      expect(first.agentConfig.signature).to.equal(jsapiSignature({ ticket: agent, nonceStr: first.agentConfig.nonceStr, timestamp: first.agentConfig.timestamp, url }));
      expect(first.config.timestamp).to.equal(Math.floor(clock.now().getTime() / 1000));

      await adapter.signJsSdk(url);
      clock.advance(3600_000);
      await adapter.signJsSdk(url);
      expect(sim.control.requests('get_jsapi_ticket')).to.have.length(1);
      expect(sim.control.requests('ticket/get')).to.have.length(1);
      expect(sim.control.requests('ticket/get')[0]!.query.type).to.equal('agent_config');

      clock.advance(3600_000);
      await adapter.signJsSdk(url);
      expect(sim.control.requests('get_jsapi_ticket'), 'refreshed before the 7200 s are over').to.have.length(2);
    });

    it('answers 45009 past 100 ticket fetches an hour for one app', async () => {
      const raw = rawSimClient(sim);
      clock.advance(2 * 3600_000);
      await raw.token();
      const codes: number[] = [];
      for (let i = 0; i < 101; i++) codes.push((await raw.get('ticket/get', { type: 'agent_config' })).errcode);
      expect(codes.slice(0, 100).every((c) => c === 0)).to.equal(true);
      expect(codes[100]).to.equal(45009);
      expect((await raw.get('ticket/get', { type: 'jsapi' })).errcode).to.equal(40058);
    });
  });
});
