/**
 * Builders for HTTP tests: services over a test database with fixed keys and a pinned clock, an org with two
 * stores in two cities, staff in each, and tokens for every role.
 */
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';
import { buildModules, type ModuleDeps, type Modules, type Models } from '../../server/modules.ts';
import { fixedClock } from '../../server/shared/clock.ts';
import { createMetrics } from '../../server/system/metrics.ts';

export const ADMIN_TOKEN = 'test-bootstrap-admin-token-0001';
export const TEST_KEYS = { phoneKeyHex: '11'.repeat(32), hashKeyHex: '22'.repeat(32) };

export function testServices(
  db: Database<Models>,
  opts: { bodyLimitBytes?: number; callbackBodyLimitBytes?: number; now?: string; realClock?: boolean; adapterFactory?: ModuleDeps['adapterFactory'] } = {},
): Modules & { clock: ReturnType<typeof fixedClock>; db: Database<Models> } {
  const config = loadConfig({
    SIYU_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    BODY_LIMIT_BYTES: String(opts.bodyLimitBytes ?? 65_536),
    CALLBACK_BODY_LIMIT_BYTES: String(opts.callbackBodyLimitBytes ?? 65_536),
  });
  // Tests that talk to the simulators (which keep real time) use a clock that follows real time but can be moved.
  const clock = fixedClock(opts.now ?? (opts.realClock ? new Date().toISOString() : '2026-11-22T02:00:00Z'), opts.realClock);
  const services = buildModules({ config, db, clock, logger: pino({ level: 'silent' }), metrics: createMetrics(), keys: TEST_KEYS, ...(opts.adapterFactory ? { adapterFactory: opts.adapterFactory } : {}) });
  // Specs read and seed collections directly through the test database; the modules never hand it out.
  return { ...services, db } as Modules & { clock: typeof clock; db: Database<Models> };
}

export type TestOrg = {
  corpId: string;
  stores: { a: string; b: string };
  staff: { a1: string; a2: string; b1: string };
  tokens: { admin: string; hq: string; marketer: string; managerA: string; staffA: string; staffB: string; otherCorp: string };
};

export async function seedTestOrg(services: Modules, corpId = 'wwtestcorp'): Promise<TestOrg> {
  await services.org.upsertCorp({ corpId, name: '测试企业' });
  await services.org.upsertCorp({ corpId: 'wwothercorp', name: '另一家企业' });
  const scope = { corpId, storeIds: null };
  const a = await services.org.createStore(scope, { code: 'SH01', name: '上海一店', city: '上海', region: '华东', timezone: 'Asia/Shanghai' });
  const b = await services.org.createStore(scope, { code: 'BJ01', name: '北京一店', city: '北京', region: '华北', timezone: 'Asia/Shanghai' });
  const a1 = await services.org.createStaff(scope, { userId: 'a1', name: '店长甲', storeId: a.id, role: 'store_manager' });
  const a2 = await services.org.createStaff(scope, { userId: 'a2', name: '导购乙', storeId: a.id, role: 'staff' });
  const b1 = await services.org.createStaff(scope, { userId: 'b1', name: '导购丙', storeId: b.id, role: 'staff' });
  const issue = async (role: 'hq_admin' | 'marketer' | 'store_manager' | 'staff', staffId?: string, corp = corpId) =>
    (await services.tokens.issue({ corpId: corp, role, name: role, staffId })).token;
  return {
    corpId,
    stores: { a: a.id, b: b.id },
    staff: { a1: a1.id, a2: a2.id, b1: b1.id },
    tokens: {
      admin: ADMIN_TOKEN,
      hq: await issue('hq_admin'),
      marketer: await issue('marketer'),
      managerA: await issue('store_manager', a1.id),
      staffA: await issue('staff', a2.id),
      staffB: await issue('staff', b1.id),
      otherCorp: await issue('hq_admin', undefined, 'wwothercorp'),
    },
  };
}

export function http(services: Modules) {
  const server = createApp(services).callback();
  return {
    get: (path: string, token?: string) => withAuth(request(server).get(path), token),
    post: (path: string, body: unknown, token?: string) => withAuth(request(server).post(path), token).send(body as object),
    patch: (path: string, body: unknown, token?: string) => withAuth(request(server).patch(path), token).send(body as object),
    delete: (path: string, token?: string) => withAuth(request(server).delete(path), token),
    raw: () => request(server),
  };
}

function withAuth(req: request.Test, token?: string): request.Test {
  return token ? req.set('Authorization', `Bearer ${token}`) : req;
}
