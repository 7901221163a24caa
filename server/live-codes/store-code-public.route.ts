/**
 * The public side of store codes (no token: customers open it from a poster or a link): the cities served, and
 * the code of the nearest store by coordinates or city. Only active store codes are ever shown.
 */
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../errors.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { corpScope } from '../shared/scope.ts';
import type { LiveCodesModule } from './live-code-wiring.ts';
import { qrSvgDataUrl } from './live-code-qr.ts';
import { locateStore, type LocatableStore } from './store-locator.ts';

const corp = z.string().min(1).max(64).optional();

/** A link without corpId still works where there is exactly one corp (a single-brand install, the demo). */
async function corpOf(deps: StoreCodePublicDeps, corpId: string | undefined): Promise<string> {
  if (corpId) return corpId;
  const corps = await deps.org.listCorps();
  if (corps.length === 1) return corps[0]!.corpId;
  throw new BadRequestError('链接缺少企业参数 corpId，请使用门店海报或二维码上的完整链接 The link is missing corpId: use the full link from the store poster');
}

export type StoreCodePublicDeps = { liveCodes: Pick<LiveCodesModule, 'codes'>; org: Pick<OrgModule, 'listStores' | 'listCorps'>; clock: Clock };

async function storesWithCodes(deps: StoreCodePublicDeps, corpId: string) {
  const [codes, stores] = await Promise.all([deps.liveCodes.codes.listActiveStoreCodes(corpId), deps.org.listStores(corpScope(corpId))]);
  const byStore = new Map(codes.map((c) => [c.storeId, c]));
  const locatable: LocatableStore[] = stores.filter((s) => byStore.has(s.id)).map((s) => ({ id: s.id, name: s.name, city: s.city, address: s.address, location: s.location }));
  return { byStore, locatable };
}

export function storeCodePublicRoutes(deps: StoreCodePublicDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/public/store-codes/cities',
      tag: 'live-codes',
      summary: '门店城市 Cities that have a store with an active store code (public)',
      roles: 'public',
      query: z.strictObject({ corpId: corp }),
      async handler({ query }) {
        const { locatable } = await storesWithCodes(deps, await corpOf(deps, query.corpId));
        return { items: [...new Set(locatable.map((s) => s.city))].sort((a, b) => a.localeCompare(b, 'zh-CN')) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/public/store-codes/nearest',
      tag: 'live-codes',
      summary: '最近门店码 The store code of the nearest store, by coordinates or by city (public)',
      roles: 'public',
      query: z
        .strictObject({ corpId: corp, city: z.string().trim().min(1).max(50).optional(), district: z.string().trim().min(1).max(50).optional(), lat: z.coerce.number().min(-90).max(90).optional(), lng: z.coerce.number().min(-180).max(180).optional() })
        .refine((q) => q.city !== undefined || (q.lat !== undefined && q.lng !== undefined), 'city, or lat and lng'),
      async handler({ query }) {
        const { byStore, locatable } = await storesWithCodes(deps, await corpOf(deps, query.corpId));
        const found = locateStore(locatable, { ...query, seed: deps.clock.now().getTime() });
        const code = found && byStore.get(found.store.id);
        if (!found || !code) throw new NotFoundError('store code near you');
        return {
          store: { id: found.store.id, name: found.store.name, city: found.store.city, address: found.store.address },
          by: found.by,
          distanceKm: found.distanceKm,
          liveCodeId: code.id,
          qrCode: code.qrCode,
          qrSvg: await qrSvgDataUrl(code.qrCode),
        };
      },
    }),
  ];
}
