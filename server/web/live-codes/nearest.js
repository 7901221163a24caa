/* The public nearest-store page (/stores/nearest?corpId=…): by city (and district, when given), or by the browser's
 * location when the customer allows it, it shows the store code of the nearest store. No token: it reads the
 * public store-code API only. Without corpId the server uses the only corp when there is one; otherwise the page
 * says what to do instead of a dead end. */
/* global document, location, navigator, URLSearchParams */

import { createApi } from '/web/shared/api.js';
import { $, showError as fail } from '/web/shared/dom.js';

const corpId = new URLSearchParams(location.search).get('corpId') ?? '';
const get = createApi({
  query: () => ({ corpId }),
  errors: {
    400: '这个链接缺少企业信息，无法查找门店。请扫描门店海报上的二维码，或向门店导购索取完整链接。This link is missing the company: scan the QR on the store poster, or ask the store for the full link.',
    404: '附近没有可添加的门店，请换一个城市或区试试。No store near you: try another city or district.',
  },
  message: (status, _error, errors) => errors[status] ?? '暂时无法查询，请稍后再试。Please try again later.',
});

async function show(params) {
  fail('');
  const r = await get('/api/public/store-codes/nearest', { params });
  $('store-name').textContent = r.distanceKm === null ? r.store.name : `${r.store.name}（约 ${r.distanceKm} 公里 ${r.distanceKm} km）`;
  $('store-address').textContent = r.store.address ?? r.store.city;
  $('qr').src = r.qrSvg;
  $('result').hidden = false;
}

async function start() {
  const cities = await get('/api/public/store-codes/cities');
  $('city').replaceChildren(...cities.items.map((c) => Object.assign(document.createElement('option'), { value: c, textContent: c })));
  $('city-form').addEventListener('submit', (event) => {
    event.preventDefault();
    show({ city: $('city').value, district: $('district').value.trim() }).catch((e) => fail(e.message));
  });
  $('locate').addEventListener('click', () => {
    if (!navigator.geolocation) return fail('此浏览器无法定位，请选择城市。Pick your city.');
    navigator.geolocation.getCurrentPosition(
      (pos) => show({ lat: pos.coords.latitude.toFixed(5), lng: pos.coords.longitude.toFixed(5) }).catch((e) => fail(e.message)),
      () => fail('无法获取位置，请选择城市。Could not locate you: pick your city.'),
      { timeout: 10_000, maximumAge: 600_000 },
    );
  });
}

start().catch((e) => {
  // No cities to offer (a link without corpId among several corps, or the server is down): only the message stays.
  $('city-form').hidden = true;
  $('locate').hidden = true;
  fail(e.message);
});
