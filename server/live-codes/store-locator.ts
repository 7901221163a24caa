/**
 * The location router: which store's code a customer should scan. Pure. With coordinates, the nearest store that
 * has both a location and an active store code (great-circle distance); otherwise, or when none has a location,
 * the stores of the customer's city (exact name, ignoring a trailing 市), rotating by `seed` among several so
 * one city's traffic spreads over its stores. A district (浦东新区) narrows the city's stores to those whose address
 * names it. Ties (stores equally near, or the stores of one city) are spread by a hash of `seed`: a raw clock
 * value in whole seconds is a multiple of 1000, so `seed % 2` always picked the same 上海 store.
 */
export type LocatableStore = { id: string; name: string; city: string; address: string | null; location: { lat: number; lng: number } | null };
export type Located = { store: LocatableStore; by: 'distance' | 'city'; distanceKm: number | null };

const EARTH_KM = 6371.0088;
const rad = (d: number) => (d * Math.PI) / 180;

export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const cityKey = (c: string) => c.trim().replace(/市$/, '').toLowerCase();

/** Stores closer than this to each other's distance from the visitor count as equally near. */
const TIE_KM = 0.05;

/** One of `n` by `seed`, mixing all its bits (Knuth's multiplicative hash, high bits), so round seeds spread too. */
export function spreadIndex(seed: number, n: number): number {
  const s = Math.floor(Math.abs(seed));
  const folded = (s ^ Math.floor(s / 4294967296)) >>> 0;
  return (Math.imul(folded, 2654435761) >>> 16) % n;
}

const districtKey = (d: string) => d.trim().replace(/[区县市]$/, '');

export function locateStore(stores: LocatableStore[], q: { lat?: number; lng?: number; city?: string; district?: string; seed?: number }): Located | null {
  const pick = <T>(tied: T[]): T => tied[spreadIndex(q.seed ?? 0, tied.length)]!;
  if (q.lat !== undefined && q.lng !== undefined) {
    const here = { lat: q.lat, lng: q.lng };
    const measured = stores.filter((s) => s.location).map((store) => ({ store, d: distanceKm(here, store.location!) }));
    if (measured.length) {
      const nearest = Math.min(...measured.map((m) => m.d));
      const tied = measured.filter((m) => m.d - nearest <= TIE_KM).sort((a, b) => a.store.id.localeCompare(b.store.id));
      const { store, d } = pick(tied);
      return { store, by: 'distance', distanceKm: Math.round(d * 100) / 100 };
    }
  }
  if (q.city) {
    const inCity = stores.filter((s) => cityKey(s.city) === cityKey(q.city!)).sort((a, b) => a.id.localeCompare(b.id));
    const district = q.district ? districtKey(q.district) : '';
    const inDistrict = district ? inCity.filter((s) => s.address?.includes(district)) : [];
    const candidates = inDistrict.length ? inDistrict : inCity;
    if (candidates.length) return { store: pick(candidates), by: 'city', distanceKm: null };
  }
  return null;
}
