/*
 * A stand-in for @wecom/jssdk in browser tests only: browser specs serve it in place of /vendor/wecom-jssdk.js
 * (playwright `page.route`), so production pages never see it. It defines the `ww` global the sidebar uses,
 * calls the page's signature factories like the real SDK does before an agent API, answers getContext and
 * getCurExternalContact from `window.__wwStub` (set with `page.addInitScript`), and records sendChatMessage.
 */
/* global window, location */
(() => {
  const stub = (window.__wwStub = window.__wwStub || {});
  stub.sent = [];
  stub.signatures = null;
  let options = null;

  async function agentConfig() {
    if (!options) throw { errMsg: 'ww.register has not been called' };
    if (!stub.signatures) {
      const url = location.href.split('#')[0];
      stub.signatures = { url, config: await options.getConfigSignature(url), agentConfig: await options.getAgentConfigSignature(url) };
    }
  }

  window.ww = {
    register(o) {
      options = o;
      stub.registered = { corpId: o.corpId, agentId: o.agentId ?? null, jsApiList: o.jsApiList };
    },
    async getContext() {
      await agentConfig();
      return { errMsg: 'getContext:ok', entry: stub.entry || 'single_chat_tools' };
    },
    async getCurExternalContact() {
      await agentConfig();
      return { errMsg: 'getCurExternalContact:ok', userId: stub.externalUserId };
    },
    async sendChatMessage(params) {
      await agentConfig();
      stub.sent.push(params);
      return { errMsg: 'sendChatMessage:ok' };
    },
  };
})();
