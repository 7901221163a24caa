import { z } from 'zod';
import { ForbiddenError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { patchBody } from '../http/patch-body.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { requireRole, ROLES } from '../shared/principal.ts';
import type { OrgModule } from './org.module.ts';
import { MAX_DAILY_CAP } from './store.schema.ts';
import { DEFAULT_TIMEZONE, timezoneSchema } from './timezone.ts';

const corpOnly = z.strictObject({ ...corpIdQuery });
const idParams = z.strictObject({ id: objectIdString });

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '须为本地时间 HH:MM（00:00–23:59） Must be a local time HH:MM');
/** `[start, end)` in the store's zone; start after end crosses midnight (22:00–08:00). */
const quietHours = z
  .strictObject({ start: clockTime, end: clockTime })
  .refine((q) => q.start !== q.end, { message: '免打扰开始与结束不能相同 Quiet hours must start and end at different times', path: ['end'] });

const storeBody = z.strictObject({
  code: z.string().min(1).max(32).regex(/^[\w-]+$/, 'letters, digits, _ and - only'),
  name: z.string().min(1).max(100),
  city: z.string().min(1).max(50),
  region: z.string().min(1).max(50),
  timezone: timezoneSchema.default(DEFAULT_TIMEZONE),
  address: z.string().max(200).optional(),
  location: z.strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).optional(),
  quietHours: quietHours.optional(),
  dailyCap: z
    .number()
    .int('每日上限须为整数 The daily cap must be a whole number')
    .min(1, '每日上限至少为 1 The daily cap must be at least 1')
    .max(MAX_DAILY_CAP, `每日上限最多 ${MAX_DAILY_CAP} The daily cap is at most ${MAX_DAILY_CAP}`)
    .optional(),
});

const quotas = z.strictObject({ addFriendsPerDay: z.number().int().min(0).max(500).optional(), massSendsPerDay: z.number().int().min(0).max(100).optional() });
const staffBody = z.strictObject({
  userId: z.string().min(1).max(64).regex(/^[\w.@-]+$/, 'a WeCom userid'),
  name: z.string().min(1).max(64),
  storeId: objectIdString,
  role: z.enum(['store_manager', 'staff']).default('staff'),
  mobile: z.string().max(32).optional(),
  quotas: quotas.optional(),
});
const { userId: _userId, ...staffFields } = staffBody.shape;
const staffPatch = patchBody({ ...staffFields, status: z.enum(['active', 'resigned']) });

/** What ends when a member resigns (the auth module has it; declared here so org does not import auth). */
export type StaffAccess = { revokeStaffAccess(corpId: string, staffId: string): Promise<unknown> };

export function orgRoutes(deps: { org: OrgModule; staffAccess: StaffAccess }): RouteDef[] {
  const { org, staffAccess } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/corps',
      tag: 'org',
      summary: '企业列表 Corps this token can read',
      roles: ['hq_admin'],
      async handler(_input, { principal }) {
        const corps = await org.listCorps();
        return { items: principal?.corpId ? corps.filter((c) => c.corpId === principal.corpId) : corps };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/stores',
      tag: 'org',
      summary: '门店列表 List stores',
      roles: ROLES,
      query: corpOnly,
      scoped: true,
      async handler(_input, { scope }) {
        return { items: await org.listStores(scope) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/stores/:id',
      tag: 'org',
      summary: '门店详情 One store',
      roles: ROLES,
      params: idParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { scope }) {
        return org.getStore(scope, params.id);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/stores',
      tag: 'org',
      summary: '新建门店 Create a store',
      roles: ['hq_admin'],
      query: corpOnly,
      body: storeBody,
      status: 201,
      scoped: true,
      async handler({ body }, { scope }) {
        return org.createStore(scope, body);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/stores/:id',
      tag: 'org',
      summary: '修改门店 Update a store',
      roles: ['hq_admin'],
      params: idParams,
      query: corpOnly,
      body: patchBody(storeBody.shape),
      scoped: true,
      async handler({ params, body }, { scope }) {
        return org.updateStore(scope, params.id, body);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/stores/:id',
      tag: 'org',
      summary: '关闭门店 Close a store (refused while it has active staff)',
      roles: ['hq_admin'],
      params: idParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { scope }) {
        await org.deleteStore(scope, params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/staff',
      tag: 'org',
      summary: '员工列表 List staff',
      roles: ROLES,
      query: z.strictObject({ ...corpIdQuery, storeId: objectIdString.optional(), status: z.enum(['active', 'resigned']).optional() }),
      scoped: true,
      async handler({ query }, { scope }) {
        return { items: await org.listStaff(scope, { storeId: query.storeId, status: query.status }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/staff/:id',
      tag: 'org',
      summary: '员工详情 One staff member',
      roles: ROLES,
      params: idParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { scope }) {
        return org.getStaff(scope, params.id);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/staff',
      tag: 'org',
      summary: '新增员工 Add a staff member (store managers: in their own store)',
      roles: ['hq_admin', 'store_manager'],
      query: corpOnly,
      body: staffBody,
      status: 201,
      scoped: true,
      async handler({ body }, { principal, scope }) {
        if (body.role === 'store_manager') requireRole(principal, ['hq_admin']);
        return org.createStaff(scope, body);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/staff/:id',
      tag: 'org',
      summary: '修改员工 Update a staff member (move store, quotas, resign)',
      roles: ['hq_admin', 'store_manager'],
      params: idParams,
      query: corpOnly,
      body: staffPatch,
      scoped: true,
      async handler({ params, body }, { principal, scope }) {
        if (body.role === 'store_manager' && principal.role !== 'hq_admin') throw new ForbiddenError('只有总部可以任命店长 Only HQ appoints store managers');
        const staff = await org.updateStaff(scope, params.id, body);
        if (staff.status === 'resigned') await staffAccess.revokeStaffAccess(scope.corpId, staff.id);
        return staff;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/staff/:id',
      tag: 'org',
      summary: '员工离职 Mark a staff member resigned (their customers stay until handed over)',
      roles: ['hq_admin', 'store_manager'],
      params: idParams,
      query: corpOnly,
      scoped: true,
      async handler({ params }, { scope }) {
        const staff = await org.updateStaff(scope, params.id, { status: 'resigned' });
        await staffAccess.revokeStaffAccess(scope.corpId, staff.id);
      },
    }),
  ];
}
