/**
 * PATCH changes only the fields sent. Every PATCH route's body schema is walked for defaults at any depth (a
 * default fills a field the caller did not send), and `{}` is parsed through every object in it; then the two
 * reported cases are replayed over HTTP.
 */
import { expect } from 'chai';
import type { z } from 'zod';
import { allRoutes } from '../../server/app.ts';
import type { Modules } from '../../server/modules.ts';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** Paths inside `schema` where zod would fill a value that was not sent. */
function defaultsIn(schema: z.ZodType, path: string, seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = defOf(schema);
  const walk = (s: unknown, p: string) => defaultsIn(s as z.ZodType, p, seen);
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'catch':
      return [`${path} (${def.type})`];
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'nonoptional':
    case 'success':
      return walk(def.innerType, path);
    case 'object':
      return [
        ...Object.entries(def.shape as Record<string, unknown>).flatMap(([k, v]) => walk(v, `${path}.${k}`)),
        ...(def.catchall ? walk(def.catchall, `${path}.*`) : []),
      ];
    case 'array':
      return walk(def.element, `${path}[]`);
    case 'union':
      return (def.options as unknown[]).flatMap((o, i) => walk(o, `${path}|${i}`));
    case 'intersection':
      return [...walk(def.left, path), ...walk(def.right, path)];
    case 'pipe':
      return [...walk(def.in, path), ...walk(def.out, path)];
    case 'record':
      return walk(def.valueType, `${path}.*`);
    case 'tuple':
      return (def.items as unknown[]).flatMap((o, i) => walk(o, `${path}[${i}]`));
    case 'lazy':
      return walk((def.getter as () => unknown)(), path);
    default:
      return [];
  }
}

/** Parses `{}` through every object schema reachable from `schema` (their refinements aside); paths whose result gained keys. */
function keysFromNothing(schema: z.ZodType, path: string): string[] {
  const def = defOf(schema);
  if (['optional', 'nullable', 'readonly', 'nonoptional'].includes(def.type)) return keysFromNothing(def.innerType as z.ZodType, path);
  if (def.type === 'pipe') return keysFromNothing(def.in as z.ZodType, path);
  if (def.type !== 'object') return [];
  const bare = (schema as unknown as { clone(def: Def): z.ZodType }).clone({ ...def, checks: [] });
  const parsed = bare.safeParse({});
  const here = parsed.success && Object.keys(parsed.data as object).length ? [`${path} → ${JSON.stringify(parsed.data)}`] : [];
  return [...here, ...Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([k, v]) => keysFromNothing(v, `${path}.${k}`))];
}

/** Stands in for every module while the routes are only declared: any member read answers another stand-in. */
const standIn: Modules = new Proxy(function standIn() {}, { get: (_t, key) => (key === 'then' ? undefined : standIn) }) as unknown as Modules;

describe('PATCH routes change only the fields sent', () => {
  const patches = allRoutes(standIn).filter((r) => r.method === 'patch');

  it('finds the PATCH routes to check', () => {
    expect(patches.map((r) => r.path)).to.include.members(['/api/staff/:id', '/api/stores/:id', '/api/campaigns/:id', '/api/live-codes/:id', '/api/content/templates/:templateId']);
    for (const r of patches) expect(r.body, `${r.path} declares its body schema`).not.to.equal(undefined);
  });

  it('has no default anywhere in a PATCH body schema', () => {
    const found = patches.flatMap((r) => defaultsIn(r.body as z.ZodType, `PATCH ${r.path} body`));
    expect(found).to.deep.equal([]);
  });

  it('parses {} to {} through every object of a PATCH body', () => {
    const found = patches.flatMap((r) => keysFromNothing(r.body as z.ZodType, `PATCH ${r.path} body`));
    expect(found).to.deep.equal([]);
  });

  it('refuses an empty PATCH with a message in zh-CN first', () => {
    const staff = patches.find((r) => r.path === '/api/staff/:id')!;
    const res = (staff.body as z.ZodType).safeParse({});
    expect(res.success).to.equal(false);
    expect(res.error!.issues[0]!.message).to.match(/^没有要修改的字段/);
  });

  describe('over HTTP', () => {
    const t = useTestDatabase('patch_fields');
    let s: ReturnType<typeof testServices>;
    let org: TestOrg;
    let api: ReturnType<typeof http>;

    before(async () => {
      s = testServices(t.db);
      org = await seedTestOrg(s);
      api = http(s);
    });

    it('keeps a store manager a store manager when only their quotas change', async () => {
      const res = await api.patch(`/api/staff/${org.staff.a1}`, { quotas: { addFriendsPerDay: 25 } }, org.tokens.hq).expect(200);
      expect(res.body).to.include({ role: 'store_manager', storeId: org.stores.a, status: 'active' });
      expect(res.body.quotas).to.deep.equal({ addFriendsPerDay: 25, massSendsPerDay: 1 });
      const stored = await s.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a1);
      expect(stored.role).to.equal('store_manager');
    });

    it("keeps a store's time zone when only its address changes", async () => {
      const created = await api.post('/api/stores', { code: 'NY01', name: '纽约店', city: 'New York', region: '海外', timezone: 'America/New_York' }, org.tokens.hq).expect(201);
      const res = await api.patch(`/api/stores/${created.body.id}`, { address: '5th Ave 1' }, org.tokens.hq).expect(200);
      expect(res.body).to.include({ timezone: 'America/New_York', address: '5th Ave 1', name: '纽约店' });
      expect((await api.get(`/api/stores/${created.body.id}`, org.tokens.hq).expect(200)).body.timezone).to.equal('America/New_York');
    });

    it("keeps a campaign's other costs when one cost changes", async () => {
      const created = await api.post('/api/campaigns', { name: '成本', costs: { fixed: 100, perLead: 0.5, perRequest: 1 } }, org.tokens.hq).expect(201);
      const res = await api.patch(`/api/campaigns/${created.body.id}`, { costs: { perLead: 2 } }, org.tokens.marketer).expect(200);
      expect(res.body.costs).to.deep.equal({ fixed: 100, perLead: 2, perRequest: 1 });
      expect(res.body).to.include({ dailyQuota: 20, strategy: 'affinity_round_robin' });
    });
  });
});
