import { expect } from 'chai';
import type { TouchAddress } from '../channel-adapter.ts';
import { wecomTouchSend } from './wecom-touches.ts';

const nobody: TouchAddress = { staffUserId: null, externalUserId: null, kfId: null, openKfId: null, openid: null, chatId: null };
const at = (a: Partial<TouchAddress>): TouchAddress => ({ ...nobody, ...a });

describe('wecomTouchSend', () => {
  it("sends 1:1 touches as one mass send from the head's staff member, recipients in touch order", () => {
    const built = wecomTouchSend({ channel: 'wecom_1to1', clientId: 'k1', text: 'hi', subjects: [at({ staffUserId: 'a2', externalUserId: 'wm1' }), at({ staffUserId: 'a2' }), at({ staffUserId: 'a2', externalUserId: 'wm3' })] });
    expect(built?.msg).to.deep.equal({ clientId: 'k1', route: 'mass_send', sender: 'a2', to: [{ type: 'contact', id: 'wm1' }, { type: 'contact', id: 'wm3' }], text: 'hi' });
    expect(built?.recipientIds).to.deep.equal(['wm1', null, 'wm3']);
  });

  it('replies on 微信客服 from the open_kfid the customer last wrote to, and sends nothing without one', () => {
    expect(wecomTouchSend({ channel: 'kf', clientId: 'k', text: 't', subjects: [at({ kfId: 'wmkf', openKfId: 'wk1' })] })?.msg).to.deep.equal({ clientId: 'k', route: 'kf', sender: 'wk1', to: [{ type: 'contact', id: 'wmkf' }], text: 't' });
    expect(wecomTouchSend({ channel: 'kf', clientId: 'k', text: 't', subjects: [at({ kfId: 'wmkf' })] })).to.equal(null);
  });

  it("sends group touches to the groups from the owner, and moments from the staff member", () => {
    expect(wecomTouchSend({ channel: 'wecom_group', clientId: 'g', text: 't', subjects: [at({ staffUserId: 'own', chatId: 'wr1' })] })?.msg).to.deep.include({ route: 'mass_send', sender: 'own', to: [{ type: 'group', id: 'wr1' }] });
    expect(wecomTouchSend({ channel: 'wecom_moments', clientId: 'm', text: 't', subjects: [at({ staffUserId: 's1' })] })?.msg).to.deep.include({ route: 'moments', sender: 's1', to: [] });
  });

  it('builds nothing for a subject without an id on the channel, or for a channel the kind does not carry', () => {
    expect(wecomTouchSend({ channel: 'wecom_1to1', clientId: 'k', text: 't', subjects: [at({ staffUserId: 'a2' })] })).to.equal(null);
    expect(wecomTouchSend({ channel: 'official_account', clientId: 'k', text: 't', subjects: [at({ openid: { appId: 'wx', openid: 'o1' } })] })).to.equal(null);
  });
});
