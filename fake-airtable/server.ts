/** Placeholder: the Airtable fake (OAuth + Web API) is being written; see fake-airtable/README. */
import http from 'node:http';

export interface FakeAirtable {
  url: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

export async function startFakeAirtable(opts: { port: number }): Promise<FakeAirtable> {
  const server = http.createServer((_req, res) => {
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(opts.port, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${opts.port}`,
    clientId: 'fake-client-id',
    clientSecret: 'fake-client-secret',
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
