/**
 * `cleanupExpiredData` through the route an operator (or Back4App's scheduler) uses: POST
 * /parse/jobs/cleanupExpiredData with the master key, then poll _JobStatus. One run must remove
 * every expired row - far past Parse's default limit of 100, where the seed's job stopped - and
 * no live row, including an expired token whose user still has a live session.
 */
import { randomBytes } from 'node:crypto';
import { encrypt } from '../../cloud/crypto/fernet';
import { CLEANUP_ORDER } from '../../cloud/jobs/cleanup';
import { CLASS_DEFINITIONS } from '../../cloud/schema/definitions';
import {
  CLASSES,
  parseDate,
  rest,
  runJob,
  sampleRow,
  seedRows,
  type RestTarget,
} from '../../scripts/bench/bench-cleanup';
import { harness } from '../harness/env';

jest.setTimeout(300_000);

const h = harness();
const t: RestTarget = { url: h.baseUrl, appId: h.appId, masterKey: h.masterKey };
const N = 2500;

/** How many of `ids` still exist (500 per query keeps the URL short). */
async function existing(className: string, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const where = encodeURIComponent(JSON.stringify({ objectId: { $in: ids.slice(i, i + 500) } }));
    const { json } = await rest(t, 'GET', `classes/${className}?where=${where}&count=1&limit=0`);
    n += (json as { count: number }).count;
  }
  return n;
}

type JobCounts = { classes: Record<string, Record<string, number>> };

describe('cleanupExpiredData', () => {
  it(`one run deletes all ${N} expired rows per class and keeps all ${N} live ones`, async () => {
    const now = new Date();
    const prefix = `bulk${randomBytes(4).toString('hex')}`;
    const ids: Record<string, { live: string[]; expired: string[] }> = {};
    for (const className of CLASSES) {
      const row = (expired: boolean) => (i: number) =>
        sampleRow(className, i, { expired, key: h.encryptionKey, prefix, now });
      ids[className] = {
        live: await seedRows(t, className, N, row(false)),
        expired: await seedRows(t, className, N, row(true)),
      };
    }
    const run = await runJob(t, 'cleanupExpiredData');
    expect(run.status).toBe('succeeded');
    const counts = JSON.parse(run.message) as JobCounts;
    for (const className of CLASSES) {
      expect(counts.classes[className]?.deleted).toBeGreaterThanOrEqual(N);
      expect(counts.classes[className]?.failed).toBe(0);
      expect(await existing(className, ids[className]!.expired)).toBe(0);
      expect(await existing(className, ids[className]!.live)).toBe(N);
    }
  });

  it("also empties the OAuth server's classes, past the default limit of 100", async () => {
    const others = CLASS_DEFINITIONS.filter(
      (d) => d.fields.expires_at && !(CLASSES as readonly string[]).includes(d.className),
    );
    expect(others.length).toBeGreaterThan(0);
    expect([...CLEANUP_ORDER].sort()).toEqual(
      CLASS_DEFINITIONS.filter((d) => d.fields.expires_at)
        .map((d) => d.className)
        .sort(),
    );
    // A generic valid row: hashes and ids are 64 hex digits, which every save rule accepts.
    const row = (fields: Record<string, { type: string }>, expiresAt: Date) => () =>
      Object.fromEntries(
        Object.entries(fields).map(([name, { type }]) => [
          name,
          name === 'expires_at'
            ? parseDate(expiresAt)
            : ({ String: randomBytes(32).toString('hex'), Number: 0, Boolean: false }[type] ??
              parseDate(new Date())),
        ]),
      );
    const seeded: Record<string, { live: string[]; expired: string[] }> = {};
    for (const def of others)
      seeded[def.className] = {
        live: await seedRows(
          t,
          def.className,
          150,
          row(def.fields, new Date(Date.now() + 3600_000)),
        ),
        expired: await seedRows(
          t,
          def.className,
          150,
          row(def.fields, new Date(Date.now() - 1000)),
        ),
      };
    const run = await runJob(t, 'cleanupExpiredData');
    expect(run.status).toBe('succeeded');
    for (const def of others) {
      expect(await existing(def.className, seeded[def.className]!.expired)).toBe(0);
      expect(await existing(def.className, seeded[def.className]!.live)).toBe(150);
    }
  });

  it('keeps an expired token while its user has a live session', async () => {
    const tag = randomBytes(4).toString('hex');
    const past = parseDate(new Date(Date.now() - 3600_000));
    const ahead = parseDate(new Date(Date.now() + 3600_000));
    const token = (user: string) => ({
      user_id: user,
      tokens: encrypt(
        JSON.stringify({ kind: 'pat', accessToken: 'patA.b', scope: '' }),
        h.encryptionKey,
      ),
      kind: 'pat',
      scope: '',
      status: 'active',
      expires_at: past,
    });
    const session = (user: string, expiresAt: unknown) => ({
      session_id: randomBytes(32).toString('hex'),
      user_id: user,
      data: JSON.stringify({ platform: 'claude', kind: 'session' }),
      expires_at: expiresAt,
    });
    const [needed, orphan] = [`usrNeeded${tag}`, `usrOrphan${tag}`];
    const tokenIds = await seedRows(t, 'UserToken', 2, (i) => token(i === 0 ? needed : orphan));
    await seedRows(t, 'UserSession', 2, (i) =>
      i === 0 ? session(needed, ahead) : session(orphan, past),
    );

    const run = await runJob(t, 'cleanupExpiredData');
    expect(run.status).toBe('succeeded');
    expect((JSON.parse(run.message) as JobCounts).classes.UserToken?.kept).toBeGreaterThanOrEqual(
      1,
    );
    expect(await existing('UserToken', [tokenIds[0]!])).toBe(1);
    expect(await existing('UserToken', [tokenIds[1]!])).toBe(0);
  });

  it('keeps an expired per-connection credential only while a live session or grant uses it', async () => {
    const tag = randomBytes(4).toString('hex');
    const past = parseDate(new Date(Date.now() - 3600_000));
    const ahead = parseDate(new Date(Date.now() + 3600_000));
    const user = `usrConn${tag}`;
    const token = () => ({
      user_id: user,
      per_connection: true,
      tokens: encrypt(
        JSON.stringify({ kind: 'pat', accessToken: 'patA.b', scope: '' }),
        h.encryptionKey,
      ),
      kind: 'pat',
      scope: '',
      status: 'active',
      expires_at: past,
    });
    // [0] used by a live session, [1] by a live grant, [2] by nothing alive (only by an expired
    // session) - although its user has live connections on the other two.
    const ids = await seedRows(t, 'UserToken', 3, token);
    await seedRows(t, 'UserSession', 2, (i) => ({
      session_id: randomBytes(32).toString('hex'),
      user_id: user,
      credential_id: i === 0 ? ids[0] : ids[2],
      data: JSON.stringify({ platform: 'claude', kind: 'session', credentialId: ids[i * 2] }),
      expires_at: i === 0 ? ahead : past,
    }));
    await seedRows(t, 'OAuthGrant', 1, () => ({
      grant_id: `grant${tag}`,
      user_id: user,
      credential_id: ids[1],
      client_id: 'client',
      data: JSON.stringify({ scopes: ['airtable:read'], resource: 'http://x/mcp' }),
      revoked: false,
      expires_at: ahead,
    }));

    const run = await runJob(t, 'cleanupExpiredData');
    expect(run.status).toBe('succeeded');
    expect(await existing('UserToken', [ids[0]!])).toBe(1);
    expect(await existing('UserToken', [ids[1]!])).toBe(1);
    expect(await existing('UserToken', [ids[2]!])).toBe(0);
  });

  it('two overlapping runs both succeed and leave nothing expired', async () => {
    const now = new Date();
    const prefix = `overlap${randomBytes(4).toString('hex')}`;
    const expired = await seedRows(t, 'UserSession', 1500, (i) =>
      sampleRow('UserSession', i, { expired: true, key: h.encryptionKey, prefix, now }),
    );
    const [a, b] = await Promise.all([
      runJob(t, 'cleanupExpiredData'),
      runJob(t, 'cleanupExpiredData'),
    ]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    const sessions = (r: { message: string }) =>
      (JSON.parse(r.message) as JobCounts).classes.UserSession ?? {};
    const [ca, cb] = [sessions(a), sessions(b)];
    expect((ca.failed ?? 0) + (cb.failed ?? 0)).toBe(0);
    // Whatever one run deleted, the other found gone (or never saw): together, every row.
    expect((ca.deleted ?? 0) + (cb.deleted ?? 0)).toBeGreaterThanOrEqual(1500);
    expect(await existing('UserSession', expired)).toBe(0);
  });
});
