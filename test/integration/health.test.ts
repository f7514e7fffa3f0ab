import { harness } from '../harness/env';

describe('GET /health', () => {
  it('answers 200 JSON once the database and schema are ready', async () => {
    const res = await fetch(`${harness().baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok', schema: 'ok' });
  });
});
