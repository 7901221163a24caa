import { expect } from 'chai';
import { openDatabase } from '../../server/db/database.ts';
import { testMongoUri, useTestDatabase } from '../support/database.ts';
import { http, testServices } from '../support/test-app.ts';
import { registerModels } from '../../server/modules.ts';

describe('GET /healthz, /metrics, /openapi.json', () => {
  const t = useTestDatabase('system');

  it('reports ok while the database answers', async () => {
    const res = await http(testServices(t.db)).get('/healthz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok', db: 'up' });
  });

  it('answers 503 when the database is down', async () => {
    const own = await openDatabase(testMongoUri(), `${t.name}_down`, registerModels);
    const api = http(testServices(own));
    await own.close();
    const res = await api.get('/healthz').expect(503);
    expect(res.body).to.deep.equal({ status: 'degraded', db: 'down' });
  });

  it('exposes Prometheus text with the request latency histogram', async () => {
    const api = http(testServices(t.db));
    await api.get('/healthz').expect(200);
    const res = await api.get('/metrics').expect(200);
    expect(res.headers['content-type']).to.match(/^text\/plain/);
    expect(res.text).to.match(/siyu_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz",status="200"\}/);
    expect(res.text).to.include('# TYPE siyu_job_outcomes_total counter');
  });

  it('documents every route in OpenAPI 3.1 from the validation schemas', async () => {
    const res = await http(testServices(t.db)).get('/openapi.json').expect(200);
    expect(res.body.openapi).to.equal('3.1.0');
    const list = res.body.paths['/api/contacts'].get;
    const names = list.parameters.map((p: { name: string }) => p.name);
    expect(names).to.include.members(['tagsAll', 'tagsAny', 'tagsNone', 'storeId', 'identity', 'cursor', 'limit']);
    const create = res.body.paths['/api/stores'].post.requestBody.content['application/json'].schema;
    expect(create.required).to.include.members(['code', 'name', 'city', 'region']);
    expect(create.additionalProperties).to.equal(false);
    expect(res.body.paths['/api/contacts/{id}/timeline'].get.parameters[0]).to.include({ name: 'id', in: 'path', required: true });
  });
});
