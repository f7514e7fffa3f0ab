/** back4app.config.json: the repository's file is valid, and bad files fail with clear messages. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  assertDeployable,
  Back4AppConfigError,
  DEFAULT_CONFIG_FILE,
  describeSchedule,
  isPlaceholder,
  loadBack4AppConfig,
  parseBack4AppConfig,
  ROOT,
  scheduleToCron,
  secretEnvNames,
  webHostingUrl,
} from '../../scripts/deploy/back4app-config';

const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as Record<string, unknown>;
const withChange = (change: Record<string, unknown>) => ({ ...raw, ...change });

describe('the repository back4app.config.json', () => {
  const cfg = loadBack4AppConfig();

  it('lists the variables the app needs, by name', () => {
    const names = cfg.environment.map((v) => v.name);
    for (const n of [
      'SECRET_KEY',
      'ENCRYPTION_KEY',
      'AIRTABLE_CLIENT_ID',
      'AIRTABLE_CLIENT_SECRET',
      'AIRTABLE_REDIRECT_URI',
      'PUBLIC_URL',
      'AIRTABLE_SCOPES',
    ])
      expect(names).toContain(n);
    expect(secretEnvNames(cfg)).toEqual(
      expect.arrayContaining(['SECRET_KEY', 'ENCRYPTION_KEY', 'AIRTABLE_CLIENT_SECRET']),
    );
  });

  it('names only variables that the Cloud Code sources read', () => {
    const source = readdirSync(path.join(ROOT, 'cloud'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(path.join(ROOT, 'cloud', f), 'utf8'))
      .join('\n');
    for (const v of cfg.environment)
      expect([v.name, source.includes(v.name)]).toEqual([v.name, true]);
  });

  it('schedules cleanupExpiredData daily at 03:00, the local scheduler default', () => {
    const job = cfg.jobs.find((j) => j.name === 'cleanupExpiredData');
    expect(job && describeSchedule(job.schedule)).toBe('daily at 03:00');
    expect(job && scheduleToCron(job.schedule)).toBe('0 3 * * *');
  });

  it('targets the confirmed Parse Server line and parseapi.back4app.com', () => {
    expect(cfg.parseServerVersion).toBe('7.x');
    expect(cfg.parseServerUrl).toBe('https://parseapi.back4app.com');
  });

  it('ships placeholders that deploy refuses', () => {
    expect(isPlaceholder(cfg.applicationId)).toBe(true);
    expect(() => assertDeployable(cfg)).toThrow(/applicationId is still a placeholder/);
    expect(webHostingUrl(cfg)).toBeUndefined();
    const real = parseBack4AppConfig(
      withChange({ applicationId: 'AbC123xyz', webHostingSubdomain: 'my-mcp' }),
    );
    expect(() => assertDeployable(real)).not.toThrow();
    expect(webHostingUrl(real)).toBe('https://my-mcp.b4a.app');
  });
});

describe('invalid configurations', () => {
  const env = raw.environment as Record<string, unknown>[];
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'a value in the environment list',
      { environment: [{ ...env[0], value: 'oops' }] },
      /environment\.0: Unrecognized key: "value"/,
    ],
    [
      'a secret-looking name not marked secret',
      { environment: [{ name: 'MY_API_KEY', secret: false, required: true, description: 'x' }] },
      /environment\.0: has a secret-looking name/,
    ],
    ['a duplicate name', { environment: [env[0], env[0]] }, /is listed twice/],
    [
      'a bad job time',
      { jobs: [{ name: 'cleanupExpiredData', schedule: { kind: 'daily', at: '3am' } }] },
      /jobs\.0\.schedule\.at: must be HH:MM/,
    ],
    ['an http server URL', { parseServerUrl: 'http://parseapi.back4app.com' }, /https:\/\//],
    ['a full URL as subdomain', { webHostingSubdomain: 'x.b4a.app' }, /subdomain only/],
    ['a missing field', { maxBundleBytes: undefined }, /maxBundleBytes/],
  ];
  it.each(cases)('rejects %s', (_label, change, message) => {
    expect(() => parseBack4AppConfig(withChange(change))).toThrow(Back4AppConfigError);
    expect(() => parseBack4AppConfig(withChange(change))).toThrow(message);
  });

  it('reports a missing or malformed file with its name', () => {
    expect(() => loadBack4AppConfig('/nonexistent/back4app.config.json')).toThrow(/is missing/);
    expect(() => loadBack4AppConfig(path.join(ROOT, 'package.json'))).toThrow(
      /package\.json is invalid/,
    );
  });
});
