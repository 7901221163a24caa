import { expect } from 'chai';
import { FakeClock } from '../simulator/fake-clock.ts';
import { AccessTokenCache } from './access-token-cache.ts';
import type { TokenGrant } from './access-token-cache.ts';
import { WecomApiError } from './wecom-api-error.ts';

const APP = { id: 'wwcorp', secret: 's3cret' };

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('AccessTokenCache', () => {
  let clock: FakeClock;
  let cache: AccessTokenCache;
  let fetches: number;
  const grant = (accessToken: string, expiresInSeconds = 7200) => async (): Promise<TokenGrant> => {
    fetches++;
    return { accessToken, expiresInSeconds };
  };

  beforeEach(() => {
    clock = new FakeClock();
    cache = new AccessTokenCache({ clock, marginSeconds: 300, failureHoldSeconds: 60 });
    fetches = 0;
  });

  it('shares one fetch among concurrent callers (single flight)', async () => {
    const gate = deferred<TokenGrant>();
    const fetch = () => {
      fetches++;
      return gate.promise;
    };
    const pending = Array.from({ length: 10 }, () => cache.get(APP, fetch));
    gate.resolve({ accessToken: 'T1', expiresInSeconds: 7200 });
    expect(await Promise.all(pending)).to.deep.equal(Array(10).fill('T1'));
    expect(fetches).to.equal(1);
  });

  it('serves the cached token until the expiry margin, then refreshes', async () => {
    expect(await cache.get(APP, grant('T1'))).to.equal('T1');
    clock.advance((7200 - 300 - 1) * 1000);
    expect(await cache.get(APP, grant('T2'))).to.equal('T1');
    clock.advance(2000);
    expect(await cache.get(APP, grant('T2'))).to.equal('T2');
    expect(fetches).to.equal(2);
  });

  it('keeps tokens apart per (id, secret)', async () => {
    await cache.get(APP, grant('T1'));
    expect(await cache.get({ ...APP, secret: 'other' }, grant('T2'))).to.equal('T2');
    expect(await cache.get({ ...APP, id: 'other' }, grant('T3'))).to.equal('T3');
    expect(fetches).to.equal(3);
  });

  it('drops a token only while it is still the cached one', async () => {
    await cache.get(APP, grant('T1'));
    cache.invalidate(APP, 'T1');
    expect(await cache.get(APP, grant('T2'))).to.equal('T2');
    cache.invalidate(APP, 'T1');
    expect(await cache.get(APP, grant('T3'))).to.equal('T2');
    expect(fetches).to.equal(2);
  });

  it('holds a configuration failure instead of calling again, then retries after the hold', async () => {
    const configError = new WecomApiError({ errcode: 40001, errmsg: 'x', api: 'gettoken', kind: 'config' });
    const failing = async (): Promise<TokenGrant> => {
      fetches++;
      throw configError;
    };
    for (let i = 0; i < 3; i++) {
      const err = await cache.get(APP, failing).catch((e: unknown) => e);
      expect(err).to.equal(configError);
    }
    expect(fetches).to.equal(1);
    clock.advance(61_000);
    expect(await cache.get(APP, grant('T1'))).to.equal('T1');
  });

  it('does not hold transient failures', async () => {
    const busy = new WecomApiError({ errcode: -1, errmsg: 'x', api: 'gettoken', kind: 'rate_limit' });
    await cache.get(APP, () => Promise.reject(busy)).catch(() => undefined);
    expect(await cache.get(APP, grant('T1'))).to.equal('T1');
  });

  it('refreshes short-lived tokens at half their lifetime at the latest', async () => {
    await cache.get(APP, grant('T1', 200));
    clock.advance(101_000);
    expect(await cache.get(APP, grant('T2'))).to.equal('T2');
  });
});
