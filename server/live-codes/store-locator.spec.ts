import { expect } from 'chai';
import { distanceKm, locateStore, type LocatableStore } from './store-locator.ts';

const stores: LocatableStore[] = [
  { id: 's-bund', name: '外滩店', city: '上海', address: null, location: { lat: 31.2400, lng: 121.4900 } },
  { id: 's-xujiahui', name: '徐家汇店', city: '上海', address: null, location: { lat: 31.1950, lng: 121.4370 } },
  { id: 's-wangfujing', name: '王府井店', city: '北京', address: null, location: { lat: 39.9140, lng: 116.4100 } },
  { id: 's-hz', name: '杭州店', city: '杭州市', address: null, location: null },
];

describe('locateStore', () => {
  it('measures great-circle distance (Shanghai–Beijing ≈ 1,070 km)', () => {
    expect(distanceKm(stores[0]!.location!, stores[2]!.location!)).to.be.within(1050, 1090);
  });

  it('picks the nearest store with a location', () => {
    const near = locateStore(stores, { lat: 31.2, lng: 121.44 });
    expect(near).to.deep.include({ by: 'distance' });
    expect(near!.store.id).to.equal('s-xujiahui');
    expect(near!.distanceKm).to.be.below(1);
    expect(locateStore(stores, { lat: 39.9, lng: 116.4 })!.store.id).to.equal('s-wangfujing');
  });

  it('falls back to the city (a trailing 市 ignored), spreading over the city’s stores', () => {
    expect(locateStore(stores, { city: '杭州' })).to.deep.include({ by: 'city', distanceKm: null });
    const picks = new Set([0, 1, 2, 3].map((seed) => locateStore(stores, { city: '上海市', seed })!.store.id));
    expect([...picks].sort()).to.deep.equal(['s-bund', 's-xujiahui']);
    expect(locateStore(stores, { city: '广州' })).to.equal(null);
    expect(locateStore(stores.slice(3), { lat: 30, lng: 120, city: '杭州' })!.by, 'no store has a location').to.equal('city');
  });
});
