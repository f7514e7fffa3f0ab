/**
 * The smoke test (scripts/deploy/smoke.ts) run against the local test stack over real HTTP, with the fake
 * Airtable as the OAuth origin. It must always produce a complete report without crashing; the
 * checks asserted PASS are those whose routes exist on every build.
 */
import { harness } from '../harness/env';
import { formatSmokeReport, runSmoke, smokeExitCode } from '../../scripts/deploy/smoke';

const h = harness();

describe('npm run smoke against the local stack', () => {
  it('reports every check, and /health passes', async () => {
    const results = await runSmoke({
      baseUrl: h.baseUrl,
      airtableOrigin: h.fakeAirtableUrl,
      timeoutMs: 10_000,
    });
    const report = formatSmokeReport(h.baseUrl, results);
    expect(results).toHaveLength(11);
    expect(results[0]).toMatchObject({ name: 'health', status: 'PASS' });
    for (const r of results) expect(['PASS', 'FAIL', 'WARN', 'SKIP']).toContain(r.status);
    expect(report).toContain(`Smoke test of ${h.baseUrl}`);
    expect(smokeExitCode(results)).toBe(results.some((r) => r.status === 'FAIL') ? 1 : 0);
  });
});
