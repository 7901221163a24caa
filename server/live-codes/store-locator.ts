/**
 * The location router: which store's code a customer should scan. Pure. With coordinates, the nearest store that
 * has both a location and an active store code (great-circle distance); otherwise, or when none has a location,
 * the stores of the customer's city (exact name, ignoring a trailing 市), rotating by `seed` among several so
 * one city's traffic spreads over its stores.
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

export function locateStore(stores: LocatableStore[], q: { lat?: number; lng?: number; city?: string; seed?: number }): Located | null {
  if (q.lat !== undefined && q.lng !== undefined) {
    const here = { lat: q.lat, lng: q.lng };
    let best: Located | null = null;
    for (const store of stores) {
      if (!store.location) continue;
      const d = distanceKm(here, store.location);
      if (!best || d < best.distanceKm!) best = { store, by: 'distance', distanceKm: Math.round(d * 100) / 100 };
    }
    if (best) return best;
  }
  if (q.city) {
    const inCity = stores.filter((s) => cityKey(s.city) === cityKey(q.city!)).sort((a, b) => a.id.localeCompare(b.id));
    if (inCity.length) return { store: inCity[Math.abs(q.seed ?? 0) % inCity.length]!, by: 'city', distanceKm: null };
  }
  return null;
}
