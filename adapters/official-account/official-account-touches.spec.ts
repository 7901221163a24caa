import { expect } from 'chai';
import type { TouchAddress } from '../channel-adapter.ts';
import { officialAccountTouchSend } from './official-account-touches.ts';

const nobody: TouchAddress = { staffUserId: null, externalUserId: null, kfId: null, openKfId: null, openid: null, chatId: null };
const at = (a: Partial<TouchAddress>): TouchAddress => ({ ...nobody, ...a });

describe('officialAccountTouchSend', () => {
  it("sends an official-account touch as a customer-service message to the follower's openid", () => {
    const built = officialAccountTouchSend({ channel: 'official_account', clientId: 'k', text: 't', subjects: [at({ openid: { appId: 'wx', openid: 'o1' } })] });
    expect(built).to.deep.equal({ msg: { clientId: 'k', route: 'custom', to: [{ type: 'contact', id: 'o1' }], text: 't' }, recipientIds: ['o1'] });
  });

  it('builds nothing without an openid, or for a channel the kind does not carry', () => {
    expect(officialAccountTouchSend({ channel: 'official_account', clientId: 'k', text: 't', subjects: [at({ externalUserId: 'wm1' })] })).to.equal(null);
    expect(officialAccountTouchSend({ channel: 'wecom_1to1', clientId: 'k', text: 't', subjects: [at({ openid: { appId: 'wx', openid: 'o1' } })] })).to.equal(null);
  });
});
