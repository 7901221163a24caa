import { z } from 'zod';
import { requireRole } from '../auth/principal.ts';
import { ROLES } from '../auth/token.schema.ts';
import { ForbiddenError } from '../errors.ts';
import { corpIdQuery, resolveScope } from '../http/corp-scope.ts';
import { patchBody } from '../http/patch-body.ts';
import { defineRoute } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { DEFAULT_TIMEZONE, timezoneSchema } from './timezone.ts';

const corpOnly = z.strictObject({ ...corpIdQuery });
const idParams = z.strictObject({ id: objectIdString });

const storeBody = z.strictObject({
  code: z.string().min(1).max(32).regex(/^[\w-]+$/, 'letters, digits, _ and - only'),
  name: z.string().min(1).max(100),
  city: z.string().min(1).max(50),
  region: z.string().min(1).max(50),
  timezone: timezoneSchema.default(DEFAULT_TIMEZONE),
  address: z.string().max(200).optional(),
  location: z.strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).optional(),
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

export const orgRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/corps',
    tag: 'org',
    summary: '企业列表 Corps this token can read',
    roles: ['hq_admin'],
    async handler(_input, { principal, services }) {
      const corps = await services.org.listCorps();
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
    async handler({ query }, { principal, services }) {
      return { items: await services.org.listStores(await resolveScope(principal, query.corpId, services)) };
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
    async handler({ params, query }, { principal, services }) {
      return services.org.getStore(await resolveScope(principal, query.corpId, services), params.id);
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
    async handler({ query, body }, { principal, services }) {
      return services.org.createStore(await resolveScope(principal, query.corpId, services), body);
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
    async handler({ params, query, body }, { principal, services }) {
      return services.org.updateStore(await resolveScope(principal, query.corpId, services), params.id, body);
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
    async handler({ params, query }, { principal, services }) {
      await services.org.deleteStore(await resolveScope(principal, query.corpId, services), params.id, services.clock.now());
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/staff',
    tag: 'org',
    summary: '员工列表 List staff',
    roles: ROLES,
    query: z.strictObject({ ...corpIdQuery, storeId: objectIdString.optional(), status: z.enum(['active', 'resigned']).optional() }),
    async handler({ query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      return { items: await services.org.listStaff(scope, { storeId: query.storeId, status: query.status }) };
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
    async handler({ params, query }, { principal, services }) {
      return services.org.getStaff(await resolveScope(principal, query.corpId, services), params.id);
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
    async handler({ query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      if (body.role === 'store_manager') requireRole(principal!, ['hq_admin']);
      return services.org.createStaff(scope, body);
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
    async handler({ params, query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      if (body.role === 'store_manager' && principal?.role !== 'hq_admin') throw new ForbiddenError('only HQ appoints store managers');
      const staff = await services.org.updateStaff(scope, params.id, body);
      if (staff.status === 'resigned') await services.auth.revokeStaffAccess(scope.corpId, staff.id);
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
    async handler({ params, query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      const staff = await services.org.updateStaff(scope, params.id, { status: 'resigned' });
      await services.auth.revokeStaffAccess(scope.corpId, staff.id);
    },
  }),
];
