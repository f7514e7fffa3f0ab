/** What the global setup exported, for tests (they run in Jest workers). */
export function harness() {
  const need = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set: run the tests through jest (global-setup)`);
    return v;
  };
  return {
    baseUrl: need('TEST_BASE_URL'),
    fakeAirtableUrl: need('TEST_FAKE_AIRTABLE_URL'),
    appId: need('PARSE_APP_ID'),
    masterKey: need('PARSE_MASTER_KEY'),
    restApiKey: need('PARSE_REST_API_KEY'),
    javascriptKey: need('PARSE_JAVASCRIPT_KEY'),
    secretKey: need('SECRET_KEY'),
    encryptionKey: need('ENCRYPTION_KEY'),
    databaseUri: need('TEST_DATABASE_URI'),
    distDir: need('TEST_DIST_DIR'),
    dataDir: need('TEST_DATA_DIR'),
    /** This run's folder under .data/tmp (test/harness/run-dir.ts): put test folders here. */
    runDir: need('TEST_RUN_DIR'),
  };
}

/** Calls the Parse REST API of the test stack with the given key headers. */
export async function parseRest(
  method: string,
  path: string,
  keys: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const h = harness();
  const res = await fetch(`${h.baseUrl}/parse/${path}`, {
    method,
    headers: { 'X-Parse-Application-Id': h.appId, 'Content-Type': 'application/json', ...keys },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
