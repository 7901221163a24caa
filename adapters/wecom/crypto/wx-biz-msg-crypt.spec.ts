import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { M1, M2, W1, W2 } from '../fixtures/crypto-vectors.ts';
import {
  aesCbcDecrypt,
  aesKey,
  CallbackCryptoError,
  decrypt,
  encrypt,
  signature,
  verifySignature,
} from './wx-biz-msg-crypt.ts';
import type { CallbackCryptoCode } from './wx-biz-msg-crypt.ts';

const VECTORS = { W1, W2, M1, M2 };
const { encodingAESKey: KEY, receiveId: ID } = W2;

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

/** Encrypts a hand-built plaintext with no padding of our own, to forge buffers `encrypt` would never make. */
function forge(plain: Buffer): string {
  const key = aesKey(KEY);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function layout(message: Buffer, receiveId: string, declaredLength = message.length): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(declaredLength);
  return Buffer.concat([Buffer.alloc(16, 0x61), length, message, Buffer.from(receiveId)]);
}

describe('signature', () => {
  for (const [name, v] of Object.entries(VECTORS)) {
    it(`reproduces the msg_signature of vector ${name}`, () => {
      expect(signature(v.token, v.timestamp, v.nonce, v.encrypt)).to.equal(v.msgSignature);
    });
  }

  it('does not depend on the order of its arguments', () => {
    expect(signature('d', 'c', 'b', 'a')).to.equal(signature('a', 'b', 'c', 'd'));
  });
});

describe('verifySignature', () => {
  it('accepts the official signature', () => {
    expect(verifySignature(W2.token, W2.timestamp, W2.nonce, W2.encrypt, W2.msgSignature)).to.equal(true);
  });

  it('rejects a signature differing in one character', () => {
    const forged = `${W2.msgSignature.slice(0, -1)}0`;
    expect(verifySignature(W2.token, W2.timestamp, W2.nonce, W2.encrypt, forged)).to.equal(false);
  });

  it('rejects a signature of another length without throwing', () => {
    expect(verifySignature(W2.token, W2.timestamp, W2.nonce, W2.encrypt, '')).to.equal(false);
    expect(verifySignature(W2.token, W2.timestamp, W2.nonce, W2.encrypt, `${W2.msgSignature}00`)).to.equal(false);
  });

  it('rejects the right signature for another timestamp', () => {
    expect(verifySignature(W2.token, '1409659814', W2.nonce, W2.encrypt, W2.msgSignature)).to.equal(false);
  });
});

describe('decrypt', () => {
  for (const [name, v] of Object.entries(VECTORS)) {
    it(`recovers the message, receive id and random of vector ${name}`, () => {
      const out = decrypt(v.encodingAESKey, v.encrypt, v.receiveId);
      expect(out.message).to.equal(v.plaintext);
      expect(out.receiveId).to.equal(v.receiveId);
      expect(out.random.toString('latin1')).to.equal(v.random);
    });
  }

  it('rejects a ciphertext meant for another receive id with -40005', () => {
    const err = expectCode(() => decrypt(KEY, W2.encrypt, 'ww0000000000000000'), -40005);
    expect(err.kind).to.equal('decrypt');
  });

  it('rejects non-base64 characters with -40010', () => {
    expectCode(() => decrypt(KEY, `*${W2.encrypt.slice(1)}`, ID), -40010);
    expectCode(() => decrypt(KEY, `${W2.encrypt.slice(0, 8)}\n${W2.encrypt.slice(8)}`, ID), -40010);
  });

  it('rejects URL-safe and unpadded base64 with -40010', () => {
    expectCode(() => decrypt(KEY, W2.encrypt.replaceAll('+', '-').replaceAll('/', '_'), ID), -40010);
    expectCode(() => decrypt(KEY, W2.encrypt.replace(/=+$/, ''), ID), -40010);
  });

  it('rejects an empty ciphertext or one that is not whole AES blocks with -40010', () => {
    expectCode(() => decrypt(KEY, '', ID), -40010);
    expectCode(() => decrypt(KEY, W2.encrypt.slice(0, 40), ID), -40010);
  });

  it('rejects a ciphertext truncated on a block boundary', () => {
    const bytes = Buffer.from(W2.encrypt, 'base64');
    const truncated = bytes.subarray(0, bytes.length - 32).toString('base64');
    expectCode(() => decrypt(KEY, truncated, ID), -40007);
  });

  it('rejects a pad value outside 1..32 with -40007', () => {
    const body = layout(Buffer.from('hi'), ID);
    const fill = 64 - body.length;
    expectCode(() => decrypt(KEY, forge(Buffer.concat([body, Buffer.alloc(fill, 0)])), ID), -40007);
    expectCode(() => decrypt(KEY, forge(Buffer.concat([body, Buffer.alloc(fill, 33)])), ID), -40007);
  });

  it('rejects padding whose bytes are not all equal to the pad value with -40007', () => {
    const body = layout(Buffer.from('hi'), ID);
    const pad = Buffer.alloc(64 - body.length, 64 - body.length);
    pad[0] = 1;
    expectCode(() => decrypt(KEY, forge(Buffer.concat([body, pad])), ID), -40007);
  });

  it('rejects a length field larger than the plaintext with -40008', () => {
    const body = layout(Buffer.from('hi'), ID, 1000);
    expectCode(() => decrypt(KEY, forge(Buffer.concat([body, Buffer.alloc(64 - body.length, 64 - body.length)])), ID), -40008);
  });

  it('rejects a plaintext shorter than its 20-byte header with -40008', () => {
    expectCode(() => decrypt(KEY, forge(Buffer.concat([Buffer.alloc(16, 0x61), Buffer.alloc(16, 16)])), ID), -40008);
  });

  it('rejects a message that is not valid UTF-8 with -40008', () => {
    const body = layout(Buffer.from([0xc3, 0x28]), ID);
    expectCode(() => decrypt(KEY, forge(Buffer.concat([body, Buffer.alloc(64 - body.length, 64 - body.length)])), ID), -40008);
  });
});

describe('aesCbcDecrypt (one block decipher per key, reused)', () => {
  function reference(encodingAESKey: string, ciphertext: Buffer): Buffer {
    const key = aesKey(encodingAESKey);
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  }

  it('equals a fresh CBC decipher call after call, keys interleaved, on aligned and unaligned buffers', () => {
    for (let i = 0; i < 200; i++) {
      const encodingAESKey = i % 2 ? KEY : M1.encodingAESKey;
      const blocks = randomBytes(16 * (1 + (i % 9)));
      // A buffer at an odd offset takes the byte-wise XOR; an own one the four-byte path.
      const ciphertext = i % 3 ? Buffer.from(blocks) : Buffer.concat([Buffer.alloc(1), blocks]).subarray(1);
      expect(ciphertext.equals(blocks)).to.equal(true);
      expect(aesCbcDecrypt(encodingAESKey, ciphertext).toString('hex')).to.equal(reference(encodingAESKey, blocks).toString('hex'));
      expect(ciphertext.equals(blocks), 'the ciphertext is left as it was').to.equal(true);
    }
  });

  it('refuses a partial block without leaving bytes behind for the next call', () => {
    expect(() => aesCbcDecrypt(KEY, randomBytes(17))).to.throw(RangeError);
    const blocks = randomBytes(64);
    expect(aesCbcDecrypt(KEY, blocks).equals(reference(KEY, blocks))).to.equal(true);
  });

  it('lets decrypt open the same sealed message many times over', () => {
    const sealed = encrypt(KEY, '<xml>同一条</xml>', ID);
    for (let i = 0; i < 50; i++) expect(decrypt(KEY, sealed, ID).message).to.equal('<xml>同一条</xml>');
  });
});

describe('aesKey', () => {
  it('decodes the non-canonical 43-character key the way Tencent does', () => {
    expect(aesKey(M1.encodingAESKey).toString('hex')).to.equal(
      '69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051',
    );
  });

  it('rejects keys of the wrong length or alphabet with -40004', () => {
    for (const bad of [KEY.slice(0, 42), `${KEY}A`, `${KEY.slice(0, 42)}=`, `${KEY.slice(0, 42)}!`, '']) {
      expectCode(() => aesKey(bad), -40004);
    }
  });

  it('makes decrypt and encrypt refuse an illegal key with -40004', () => {
    expectCode(() => decrypt(KEY.slice(0, 42), W2.encrypt, ID), -40004);
    expectCode(() => encrypt(`${KEY}A`, 'x', ID), -40004);
  });
});

describe('encrypt', () => {
  for (const [name, v] of Object.entries(VECTORS)) {
    it(`reproduces the ciphertext of vector ${name} byte for byte given its random`, () => {
      expect(encrypt(v.encodingAESKey, v.plaintext, v.receiveId, Buffer.from(v.random, 'latin1'))).to.equal(v.encrypt);
    });
  }

  it('uses fresh random bytes by default, and decrypt reverses it', () => {
    const a = encrypt(KEY, '你好 <xml/>', ID);
    expect(a).to.not.equal(encrypt(KEY, '你好 <xml/>', ID));
    expect(decrypt(KEY, a, ID).message).to.equal('你好 <xml/>');
  });

  it('adds a full 32-byte pad block when the plaintext is already block-aligned', () => {
    const message = 'x'.repeat(64 - 20 - ID.length);
    const bytes = Buffer.from(encrypt(KEY, message, ID), 'base64');
    expect(bytes.length).to.equal(96);
    expect(decrypt(KEY, bytes.toString('base64'), ID).message).to.equal(message);
  });

  it('refuses a random that is not 16 bytes', () => {
    expect(() => encrypt(KEY, 'x', ID, Buffer.alloc(15))).to.throw(RangeError);
  });
});

describe('CallbackCryptoError', () => {
  it('classifies a signature mismatch as kind signature and every other code as decrypt', () => {
    expect(new CallbackCryptoError(-40001, 'x').kind).to.equal('signature');
    expect(new CallbackCryptoError(-40010, 'x').kind).to.equal('decrypt');
  });
});

describe('decrypt: only canonical base64', () => {
  // Ciphertexts of 64, 96 and 128 bytes (WeCom pads to 32-byte blocks): base64 with 2, 0 and 1 padding characters.
  const samples = [1, 30, 60].map((n) => encrypt(KEY, 'x'.repeat(n), ID, Buffer.alloc(16, 7)));
  const withPad = (p: number) => samples.find((s) => (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0) === p);
  const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  it('opens each canonical form', () => {
    for (const s of samples) expect(decrypt(KEY, s, ID).receiveId).to.equal(ID);
    expect([withPad(0), withPad(1), withPad(2)].every(Boolean), 'the samples cover every padding').to.equal(true);
  });

  it('refuses URL-safe digits, dropped padding, stray characters, a mid "=" and non-zero trailing bits with -40010', () => {
    for (const s of samples) {
      expectCode(() => decrypt(KEY, s.replaceAll('+', '-').replaceAll('/', '_').replace(/^./, '-'), ID), -40010);
      expectCode(() => decrypt(KEY, `${s.slice(0, 8)}\n${s.slice(8)}`, ID), -40010);
      expectCode(() => decrypt(KEY, `${s.slice(0, 8)} ${s.slice(9)}`, ID), -40010);
      expectCode(() => decrypt(KEY, `${s.slice(0, 8)}=${s.slice(9)}`, ID), -40010);
      if (s.endsWith('=')) expectCode(() => decrypt(KEY, s.replace(/=+$/, ''), ID), -40010);
    }
    for (const pad of [1, 2]) {
      const s = withPad(pad)!;
      // The last digit before the padding carries unused low bits: set one, and Node would decode the same bytes.
      const at = s.length - pad - 1;
      const digit = DIGITS.indexOf(s[at]!);
      const noisy = `${s.slice(0, at)}${DIGITS[digit | 1]}${s.slice(at + 1)}`;
      expect(Buffer.from(noisy, 'base64').equals(Buffer.from(s, 'base64')), 'Node decodes both alike').to.equal(true);
      expectCode(() => decrypt(KEY, noisy, ID), -40010);
    }
  });
});
