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

describe('locateStore spreads ties and reads the district', () => {
  const shanghai: LocatableStore[] = [
    { id: 's-a', name: '陆家嘴店', city: '上海', address: '上海市浦东新区陆家嘴环路 1 号', location: null },
    { id: 's-b', name: '徐家汇店', city: '上海', address: '上海市徐汇区漕溪北路 2 号', location: null },
    { id: 's-c', name: '静安店', city: '上海', address: '上海市静安区南京西路 3 号', location: null },
  ];

  it('spreads a city over its stores when the seed is a clock in whole seconds', () => {
    const start = Date.UTC(2026, 11, 7, 2, 0, 0);
    for (const city of [shanghai.slice(0, 2), shanghai]) {
      const picks = new Set(Array.from({ length: 30 }, (_, i) => locateStore(city, { city: '上海', seed: start + i * 1000 })!.store.id));
      expect([...picks].sort()).to.deep.equal(city.map((s) => s.id));
    }
  });

  it('prefers the stores of the visitor’s district, with or without its 区', () => {
    for (const district of ['浦东新区', '浦东新', '徐汇']) {
      const ids = new Set(Array.from({ length: 10 }, (_, i) => locateStore(shanghai, { city: '上海', district, seed: i * 1000 })!.store.id));
      expect([...ids], district).to.have.length(1);
    }
    expect(locateStore(shanghai, { city: '上海', district: '浦东新区', seed: 7000 })!.store.id).to.equal('s-a');
    expect(locateStore(shanghai, { city: '上海', district: '徐汇区', seed: 7000 })!.store.id).to.equal('s-b');
    expect(locateStore(shanghai, { city: '上海', district: '崇明区', seed: 0 }), 'no store there: the whole city').to.not.equal(null);
  });

  it('spreads stores equally near the visitor', () => {
    const twins: LocatableStore[] = [
      { id: 't-1', name: '一号店', city: '上海', address: null, location: { lat: 31.23, lng: 121.47 } },
      { id: 't-2', name: '二号店', city: '上海', address: null, location: { lat: 31.23, lng: 121.47 } },
    ];
    const picks = new Set(Array.from({ length: 20 }, (_, i) => locateStore(twins, { lat: 31.2, lng: 121.44, seed: i * 1000 })!.store.id));
    expect([...picks].sort()).to.deep.equal(['t-1', 't-2']);
  });
});
