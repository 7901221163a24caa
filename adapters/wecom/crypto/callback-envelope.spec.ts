import { expect } from 'chai';
import { parseXml } from '../../shared/xml.ts';
import { M1, M2, W1, W2 } from '../fixtures/crypto-vectors.ts';
import type { CryptoVector } from '../fixtures/crypto-vectors.ts';
import { sealEvent, sealReply, verifyAndOpen, verifyPlainSignature, verifyUrl } from './callback-envelope.ts';
import { CallbackCryptoError, encrypt, signature } from './wx-biz-msg-crypt.ts';
import type { CallbackCryptoCode } from './wx-biz-msg-crypt.ts';

function auth(v: CryptoVector) {
  const { token, encodingAESKey, receiveId, msgSignature, timestamp, nonce } = v;
  return { token, encodingAESKey, receiveId, msgSignature, timestamp, nonce };
}

/** The POST body as WeCom sends it (official sample layout). */
const W2_BODY = `<xml><ToUserName><![CDATA[${W2.receiveId}]]></ToUserName><Encrypt><![CDATA[${W2.encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;
const M2_BODY = `<xml>\n<ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<Encrypt><![CDATA[${M2.encrypt}]]></Encrypt>\n</xml>`;

function expectCode(fn: () => unknown, code: CallbackCryptoCode): CallbackCryptoError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(CallbackCryptoError);
    expect((err as CallbackCryptoError).code).to.equal(code);
    return err as CallbackCryptoError;
  }
  expect.fail(`expected CallbackCryptoError ${code}`);
}

describe('verifyAndOpen', () => {
  it('returns the inner XML of the WeCom vector W2 exactly, newlines included', () => {
    expect(verifyAndOpen({ ...auth(W2), body: W2_BODY })).to.equal(W2.plaintext);
  });

  it('opens the official-account vector M2, whose envelope has no AgentID', () => {
    expect(verifyAndOpen({ ...auth(M2), body: M2_BODY })).to.equal(M2.plaintext);
  });

  it('accepts the raw body as a Buffer', () => {
    expect(verifyAndOpen({ ...auth(W2), body: Buffer.from(W2_BODY) })).to.equal(W2.plaintext);
  });

  it('yields inner XML whose MsgId above 2^53 survives parsing as the exact string', () => {
    const inner = parseXml(verifyAndOpen({ ...auth(W2), body: W2_BODY }));
    expect(inner.MsgId).to.equal('4561255354251345929');
    expect(inner.AgentID).to.equal('218');
  });

  it('rejects a wrong msg_signature as kind signature (-40001)', () => {
    const err = expectCode(() => verifyAndOpen({ ...auth(W2), msgSignature: M2.msgSignature, body: W2_BODY }), -40001);
    expect(err.kind).to.equal('signature');
  });

  it('rejects an Encrypt swapped for another validly encrypted payload with -40001', () => {
    const other = encrypt(W2.encodingAESKey, '<xml><Content>forged</Content></xml>', W2.receiveId);
    expectCode(() => verifyAndOpen({ ...auth(W2), body: W2_BODY.replace(W2.encrypt, other) }), -40001);
  });

  it('rejects a correctly signed payload for another receive id with -40005', () => {
    expectCode(() => verifyAndOpen({ ...auth(W2), receiveId: 'ww0000000000000000', body: W2_BODY }), -40005);
  });

  it('rejects an envelope without Encrypt, malformed or with a DOCTYPE as -40002', () => {
    const err = expectCode(() => verifyAndOpen({ ...auth(W2), body: '<xml><ToUserName>x</ToUserName></xml>' }), -40002);
    expect(err.kind).to.equal('decrypt');
    expectCode(() => verifyAndOpen({ ...auth(W2), body: '<xml><Encrypt><![CDATA[abc</Encrypt></xml>' }), -40002);
    expectCode(() => verifyAndOpen({ ...auth(W2), body: `<!DOCTYPE x [<!ENTITY a "b">]>${W2_BODY}` }), -40002);
    expectCode(() => verifyAndOpen({ ...auth(W2), body: 'not xml' }), -40002);
  });

  it('rejects a body over maxBytes as -40002', () => {
    expectCode(() => verifyAndOpen({ ...auth(W2), body: W2_BODY, maxBytes: 100 }), -40002);
    // Just over the limit, where the documented shape alone would have been read without measuring.
    expectCode(() => verifyAndOpen({ ...auth(W2), body: W2_BODY, maxBytes: W2_BODY.length - 1 }), -40002);
  });

  it('opens every spelling of the envelope alike, whether it is the documented shape or goes through the parser', () => {
    const encrypt = `<Encrypt><![CDATA[${W2.encrypt}]]></Encrypt>`;
    const bodies = [
      `<xml><AgentID>218</AgentID>${encrypt}<ToUserName>${W2.receiveId}</ToUserName></xml>`,
      `\n<xml>\n  <ToUserName><![CDATA[${W2.receiveId}]]></ToUserName>\n  ${encrypt}\n</xml>\n`,
      `<xml>${encrypt}</xml>`,
      // Not the documented shape: an element Tencent does not send, a declaration, attributes, a comment.
      `<xml><ToUserName>${W2.receiveId}</ToUserName><Extra>1</Extra>${encrypt}</xml>`,
      `<?xml version="1.0" encoding="UTF-8"?><xml>${encrypt}</xml>`,
      `<xml a="1">${encrypt}<!-- c --></xml>`,
    ];
    for (const body of bodies) expect(verifyAndOpen({ ...auth(W2), body }), body).to.equal(W2.plaintext);
  });

  it('refuses two Encrypt elements, and markup inside the ciphertext, as -40002 or -40010', () => {
    const encrypt = `<Encrypt><![CDATA[${W2.encrypt}]]></Encrypt>`;
    expectCode(() => verifyAndOpen({ ...auth(W2), body: `<xml>${encrypt}${encrypt}</xml>` }), -40002);
    const inside = `<xml><Encrypt><![CDATA[${W2.encrypt.slice(0, 20)}<b>${W2.encrypt.slice(20)}]]></Encrypt></xml>`;
    expect(() => verifyAndOpen({ ...auth(W2), body: inside })).to.throw(CallbackCryptoError);
  });
});

describe('verifyUrl', () => {
  it('returns the bare plaintext of the W1 echostr', () => {
    expect(verifyUrl({ ...auth(W1), echostr: W1.encrypt })).to.equal('1616140317555161061');
  });

  it('rejects the echostr under another request signature with -40001', () => {
    expectCode(() => verifyUrl({ ...auth(W1), msgSignature: W2.msgSignature, echostr: W1.encrypt }), -40001);
  });

  it('rejects an echostr whose "+" was decoded to a space by the query parser', () => {
    expectCode(() => verifyUrl({ ...auth(W1), echostr: W1.encrypt.replaceAll('+', ' ') }), -40001);
  });

  it('rejects a signed echostr that is not base64 with -40010', () => {
    const echostr = 'not base64!';
    const msgSignature = signature(W1.token, W1.timestamp, W1.nonce, echostr);
    expectCode(() => verifyUrl({ ...auth(W1), msgSignature, echostr }), -40010);
  });
});

describe('verifyPlainSignature', () => {
  // sha1("1409304348pamtestxxxxxx"), computed independently with Python's hashlib.
  const SIG = '76480565cbe296026c53aaacd1ad523a1ddba24f';

  it('accepts sha1 of the sorted token, timestamp and nonce', () => {
    expect(verifyPlainSignature('pamtest', '1409304348', 'xxxxxx', SIG)).to.equal(true);
  });

  it('rejects another token, a changed digit, upper case or a truncated signature', () => {
    expect(verifyPlainSignature('spamtest', '1409304348', 'xxxxxx', SIG)).to.equal(false);
    expect(verifyPlainSignature('pamtest', '1409304348', 'xxxxxx', `${SIG.slice(0, -1)}e`)).to.equal(false);
    expect(verifyPlainSignature('pamtest', '1409304348', 'xxxxxx', SIG.toUpperCase())).to.equal(false);
    expect(verifyPlainSignature('pamtest', '1409304348', 'xxxxxx', SIG.slice(0, 20))).to.equal(false);
  });
});

describe('sealReply', () => {
  it('builds the passive-reply envelope of vector M1 byte for byte', () => {
    const xml = sealReply({ ...auth(M1), message: M1.plaintext, random: Buffer.from(M1.random) });
    expect(xml).to.equal(
      `<xml><Encrypt><![CDATA[${M1.encrypt}]]></Encrypt><MsgSignature><![CDATA[${M1.msgSignature}]]></MsgSignature>` +
        `<TimeStamp>${M1.timestamp}</TimeStamp><Nonce><![CDATA[${M1.nonce}]]></Nonce></xml>`,
    );
  });

  it('stamps the reply with the current time in seconds and a numeric nonce by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const { token, encodingAESKey, receiveId } = W2;
    const reply = parseXml(sealReply({ token, encodingAESKey, receiveId, message: 'hi' }));
    expect(Number(reply.TimeStamp)).to.be.within(before, before + 1);
    expect(reply.Nonce).to.match(/^\d{10}$/);
    expect(reply.MsgSignature).to.equal(
      signature(W2.token, reply.TimeStamp as string, reply.Nonce as string, reply.Encrypt as string),
    );
  });
});

describe('sealEvent', () => {
  it('signs and encrypts the W2 push exactly as WeCom did', () => {
    const sealed = sealEvent({ ...auth(W2), message: W2.plaintext, random: Buffer.from(W2.random), toUserName: W2.receiveId, agentId: 218 });
    expect(sealed.msgSignature).to.equal(W2.msgSignature);
    expect(sealed.body).to.equal(
      `<xml><ToUserName><![CDATA[${W2.receiveId}]]></ToUserName><Encrypt><![CDATA[${W2.encrypt}]]></Encrypt><AgentID>218</AgentID></xml>`,
    );
  });

  it('produces a push that verifyAndOpen accepts', () => {
    const sealed = sealEvent({ ...auth(M2), message: M2.plaintext, toUserName: 'gh_10f6c3c3ac5a' });
    expect(sealed.body).to.not.include('AgentID');
    expect(verifyAndOpen({ ...auth(M2), ...sealed })).to.equal(M2.plaintext);
  });
});
