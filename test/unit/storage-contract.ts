/**
 * The storage contract (cloud/storage/base.ts), run against every backend: MemoryStorage in
 * test/unit/storage-memory.test.ts, ParseStorage on the real test parse-server in
 * test/integration/storage-parse.test.ts. A backend passes only if it holds under concurrency,
 * applies lazy expiry, and never keeps a secret in clear (checked on the raw rows).
 */
import { generateKey } from '../../cloud/crypto/fernet';
import { keyedHash, randomSecret } from '../../cloud/crypto/keyed-hash';
import {
  CredentialUnreadableError,
  type AirtableCredential,
  type OAuthStateData,
  type Storage,
} from '../../cloud/storage/base';
import { MemoryStorage, type MemoryData } from '../../cloud/storage/memory-store';

export interface ContractBackend {
  /** A store sharing this backend's data; `keys` defaults to the backend's own key. */
  store(opts?: { keys?: readonly string[]; now?: () => Date }): Storage;
  secretKey: string;
  /** The backend's encryption key (the stack's ENCRYPTION_KEY for Parse). */
  key: string;
  /** Raw at-rest rows, as the database holds them. */
  rawTokenRows(userId: string): Promise<Record<string, unknown>[]>;
  /** Writes a row as the earlier one-row-per-user layout did (no per-connection marker). */
  insertLegacyToken(userId: string, credential: AirtableCredential, expiresAt: Date): Promise<void>;
  rawSessionRow(id: string): Promise<Record<string, unknown> | undefined>;
  rawStateRows(stateHash: string): Promise<Record<string, unknown>[]>;
}

/** The raw-row accessors of a backend whose rows live in a MemoryData (memory, cached stores). */
export function memoryRows(
  data: MemoryData,
  secretKey: string,
  key: string,
): Pick<ContractBackend, 'rawTokenRows' | 'insertLegacyToken' | 'rawSessionRow' | 'rawStateRows'> {
  return {
    rawTokenRows: async (userId) =>
      [...data.tokens.values()].filter((r) => r.userId === userId).map((r) => ({ ...r })),
    insertLegacyToken: async (userId, credential, expiresAt) => {
      new MemoryStorage({ secretKey, encryptionKeys: [key], data }).insertLegacyUserToken(
        userId,
        credential,
        expiresAt,
      );
    },
    rawSessionRow: async (id) => {
      const row = data.sessions.get(id);
      return row ? { ...row, session_id: row.sessionId } : undefined;
    },
    rawStateRows: async (hash) => {
      const row = data.states.get(hash);
      return row ? [{ ...row }] : [];
    },
  };
}

const uid = () =>
  `usr${randomSecret(16)
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 14)}`;

const oauthCredential = (n = 1): AirtableCredential => ({
  kind: 'oauth',
  accessToken: `access-${n}-${randomSecret(16)}`,
  refreshToken: `refresh-${n}-${randomSecret(16)}`,
  accessExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
  refreshExpiresAt: new Date(Date.now() + 60 * 86400_000).toISOString(),
  scope: 'data.records:read schema.bases:read',
});

const stateData = (): OAuthStateData => ({
  codeVerifier: randomSecret(48),
  platform: 'claude',
  pendingAuthorization: {
    clientId: 'client-1',
    redirectUri: 'https://claude.ai/api/mcp/auth_callback',
    codeChallenge: 'x'.repeat(43),
    state: 'client-state',
    resource: 'http://localhost/mcp',
    scopes: ['airtable'],
  },
});

const HOUR = 3600_000;

/** A clock tests move by hand. */
function clock(start = Date.now()) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

export function storageContract(
  name: string,
  setup: () => ContractBackend | Promise<ContractBackend>,
) {
  describe(`Storage contract: ${name}`, () => {
    let b: ContractBackend;
    let s: Storage;
    beforeAll(async () => {
      b = await setup();
      s = b.store();
    });

    describe('OAuthState', () => {
      it('gives the data back once, verifier decrypted', async () => {
        const state = randomSecret(32);
        const data = stateData();
        await s.createState(state, data, 15 * 60_000);
        expect(await s.consumeState(state)).toEqual(data);
        expect(await s.consumeState(state)).toBeNull();
        expect(await s.consumeState(randomSecret(32))).toBeNull();
      });

      it('20 concurrent consumes: exactly one wins', async () => {
        const state = randomSecret(32);
        await s.createState(state, stateData(), 15 * 60_000);
        const results = await Promise.all(Array.from({ length: 20 }, () => s.consumeState(state)));
        expect(results.filter((r) => r !== null)).toHaveLength(1);
      });

      it('stores only the keyed hash of the state and the verifier encrypted', async () => {
        const state = randomSecret(32);
        const data = stateData();
        await s.createState(state, data, 15 * 60_000);
        const hash = keyedHash(b.secretKey, 'oauth-state', state);
        const rows = await b.rawStateRows(hash);
        expect(rows).toHaveLength(1);
        const raw = JSON.stringify(rows[0]);
        expect(raw).not.toContain(state);
        expect(raw).not.toContain(data.codeVerifier);
      });

      it('treats an expired state as absent (lazy expiry) and still consumes it', async () => {
        const c = clock();
        const st = b.store({ now: c.now });
        const state = randomSecret(32);
        await st.createState(state, stateData(), 1000);
        c.advance(1001);
        expect(await st.consumeState(state)).toBeNull();
        c.advance(-1001);
        expect(await st.consumeState(state)).toBeNull();
      });
    });

    describe('UserToken', () => {
      it('stores one credential per sign-in; each reference reads its own', async () => {
        const userId = uid();
        const exp = new Date(Date.now() + HOUR);
        const first = oauthCredential(1);
        const pat: AirtableCredential = { kind: 'pat', accessToken: 'patA.b', scope: '' };
        const a = await s.createUserToken(userId, first, exp);
        const p = await s.createUserToken(userId, pat, exp);
        expect(a).not.toBe(p);
        const recA = await s.getUserToken({ userId, credentialId: a });
        expect(recA?.credential).toEqual(first);
        expect(recA?.credentialId).toBe(a);
        expect(recA?.status).toBe('active');
        expect(recA?.expiresAt.getTime()).toBe(exp.getTime());
        expect((await s.getUserToken({ userId, credentialId: p }))?.credential).toEqual(pat);
        expect(await b.rawTokenRows(userId)).toHaveLength(2);
        // Another user's id, or an unknown id, names nothing.
        expect(await s.getUserToken({ userId: uid(), credentialId: a })).toBeNull();
        expect(await s.getUserToken({ userId, credentialId: 'nosuchid' })).toBeNull();
        expect(await s.getUserToken({ userId, credentialId: '../classes/x' })).toBeNull();
        // No credential id: the earlier layout's row, and there is none.
        expect(await s.getUserToken({ userId })).toBeNull();
      });

      it('updates replace one credential only', async () => {
        const userId = uid();
        const exp = new Date(Date.now() + HOUR);
        const a = await s.createUserToken(userId, oauthCredential(1), exp);
        const other = oauthCredential(9);
        const c = await s.createUserToken(userId, other, exp);
        const next = oauthCredential(2);
        const later = new Date(exp.getTime() + HOUR);
        await s.updateUserToken({ userId, credentialId: a }, next, later);
        const rec = await s.getUserToken({ userId, credentialId: a });
        expect(rec?.credential).toEqual(next);
        expect(rec?.expiresAt.getTime()).toBe(later.getTime());
        expect((await s.getUserToken({ userId, credentialId: c }))?.credential).toEqual(other);
        // An update of a deleted credential does not bring it back.
        await s.deleteUserToken({ userId, credentialId: a });
        await s.updateUserToken({ userId, credentialId: a }, next, later);
        expect(await s.getUserToken({ userId, credentialId: a })).toBeNull();
      });

      it('reads the earlier one-row-per-user layout for references without an id', async () => {
        const userId = uid();
        const exp = new Date(Date.now() + HOUR);
        const legacy = oauthCredential(7);
        await b.insertLegacyToken(userId, legacy, exp);
        const fresh = await s.createUserToken(userId, oauthCredential(8), exp);
        const rec = await s.getUserToken({ userId });
        expect(rec?.credential).toEqual(legacy);
        expect(rec?.credentialId).not.toBe(fresh);
        const next = oauthCredential(9);
        await s.updateUserToken({ userId }, next, exp);
        expect((await s.getUserToken({ userId }))?.credential).toEqual(next);
        expect((await s.getUserToken({ userId, credentialId: fresh }))?.credential).not.toEqual(
          next,
        );
        await s.deleteUserToken({ userId });
        expect(await s.getUserToken({ userId })).toBeNull();
        expect(await s.getUserToken({ userId, credentialId: fresh })).not.toBeNull();
      });

      it('never stores the credential in clear', async () => {
        const userId = uid();
        const cred = { ...oauthCredential(), email: 'person@example.com' };
        await s.createUserToken(userId, cred, new Date(Date.now() + HOUR));
        const raw = JSON.stringify(await b.rawTokenRows(userId));
        expect(raw).not.toContain(cred.accessToken);
        expect(raw).not.toContain(cred.refreshToken);
        expect(raw).not.toContain('person@example.com');
        expect(raw).toContain('data.records:read'); // scope is stored in clear
      });

      it('treats an expired token as absent', async () => {
        const userId = uid();
        const id = await s.createUserToken(userId, oauthCredential(), new Date(Date.now() - 1000));
        expect(await s.getUserToken({ userId, credentialId: id })).toBeNull();
        expect(await s.getUserToken({ userId: uid() })).toBeNull();
      });

      it('extends expiry forward only', async () => {
        const userId = uid();
        const exp = new Date(Date.now() + HOUR);
        const ref = {
          userId,
          credentialId: await s.createUserToken(
            userId,
            { kind: 'pat', accessToken: 'patX.y', scope: '' },
            exp,
          ),
        };
        await s.extendUserTokenExpiry(ref, new Date(exp.getTime() - 1000));
        expect((await s.getUserToken(ref))?.expiresAt.getTime()).toBe(exp.getTime());
        const later = new Date(exp.getTime() + 5 * HOUR);
        await s.extendUserTokenExpiry(ref, later);
        expect((await s.getUserToken(ref))?.expiresAt.getTime()).toBe(later.getTime());
      });

      it('marks dead, deletes one, deletes every credential of a user', async () => {
        const userId = uid();
        const exp = new Date(Date.now() + HOUR);
        const ref = {
          userId,
          credentialId: await s.createUserToken(userId, oauthCredential(), exp),
        };
        await s.markUserTokenDead(ref);
        expect((await s.getUserToken(ref))?.status).toBe('dead');
        await s.updateUserToken(ref, oauthCredential(2), exp);
        expect((await s.getUserToken(ref))?.status).toBe('active');
        await s.deleteUserToken(ref);
        expect(await s.getUserToken(ref)).toBeNull();
        expect(await b.rawTokenRows(userId)).toHaveLength(0);
        await expect(s.deleteUserToken(ref)).resolves.toBeUndefined();
        const other = uid();
        const kept = await s.createUserToken(other, oauthCredential(), exp);
        await s.createUserToken(userId, oauthCredential(3), exp);
        await s.createUserToken(userId, oauthCredential(4), exp);
        expect(await s.deleteUserTokens(userId)).toBe(2);
        expect(await b.rawTokenRows(userId)).toHaveLength(0);
        expect(await s.getUserToken({ userId: other, credentialId: kept })).not.toBeNull();
      });

      it('tells whether live sessions use a credential', async () => {
        const c = clock();
        const st = b.store({ now: c.now });
        const userId = uid();
        const exp = new Date(Date.now() + 10 * HOUR);
        const ref = {
          userId,
          credentialId: await st.createUserToken(userId, oauthCredential(), exp),
        };
        const other = {
          userId,
          credentialId: await st.createUserToken(userId, oauthCredential(), exp),
        };
        expect(await st.credentialHasLiveSessions(ref)).toBe(false);
        const one = await st.createSession(
          userId,
          { platform: 'x', kind: 'session', credentialId: ref.credentialId },
          HOUR,
        );
        expect(await st.credentialHasLiveSessions(ref)).toBe(true);
        expect(await st.credentialHasLiveSessions(other)).toBe(false);
        expect(await st.credentialHasLiveSessions(ref, one.record.id)).toBe(false);
        expect(await st.credentialHasLiveSessions({ userId })).toBe(false);
        await st.createSession(userId, { platform: 'x', kind: 'session' }, HOUR);
        expect(await st.credentialHasLiveSessions({ userId })).toBe(true); // a legacy session
        c.advance(HOUR + 1);
        expect(await st.credentialHasLiveSessions(ref)).toBe(false);
      });

      it('unreadable credential -> CredentialUnreadableError; any configured key reads', async () => {
        const userId = uid();
        const ref = {
          userId,
          credentialId: await s.createUserToken(
            userId,
            oauthCredential(),
            new Date(Date.now() + HOUR),
          ),
        };
        const other = generateKey();
        await expect(b.store({ keys: [other] }).getUserToken(ref)).rejects.toBeInstanceOf(
          CredentialUnreadableError,
        );
        await expect(b.store({ keys: [other] }).getUserToken(ref)).rejects.toThrow(/reconnect/);
        const rotated = b.store({ keys: [other, b.key] });
        expect((await rotated.getUserToken(ref))?.credential.kind).toBe('oauth');
      });
    });

    describe('claimRefresh', () => {
      const LEASE = 30_000;
      const newRef = async (st: Storage) => {
        const userId = uid();
        const credentialId = await st.createUserToken(
          userId,
          oauthCredential(),
          new Date(Date.now() + HOUR),
        );
        return { userId, credentialId };
      };

      it('exactly one winner among 20 concurrent claimers', async () => {
        const ref = await newRef(s);
        const seen = (await s.getUserToken(ref))!.refreshClaim;
        const wins = await Promise.all(
          Array.from({ length: 20 }, () => s.claimRefresh(ref, seen, LEASE)),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
        const after = (await s.getUserToken(ref))!;
        expect(after.refreshClaim).toBeGreaterThan(seen);
        expect(after.refreshClaimAt).toBeInstanceOf(Date);
      });

      it('claims are per credential: two credentials of one user refresh independently', async () => {
        const ref = await newRef(s);
        const second = {
          userId: ref.userId,
          credentialId: await s.createUserToken(
            ref.userId,
            oauthCredential(2),
            new Date(Date.now() + HOUR),
          ),
        };
        expect(await s.claimRefresh(ref, 0, LEASE)).toBe(true);
        expect(await s.claimRefresh(second, 0, LEASE)).toBe(true);
      });

      it('a held claim blocks others until its lease expires', async () => {
        const c = clock();
        const st = b.store({ now: c.now });
        const ref = await newRef(st);
        c.advance(10);
        const seen = (await st.getUserToken(ref))!.refreshClaim;
        expect(await st.claimRefresh(ref, seen, LEASE)).toBe(true);
        const held = (await st.getUserToken(ref))!.refreshClaim;
        expect(held).toBe(seen + 1);
        expect(await st.claimRefresh(ref, held, LEASE)).toBe(false);
        expect(await st.claimRefresh(ref, seen, LEASE)).toBe(false); // stale view
        c.advance(LEASE + 1);
        expect(await st.claimRefresh(ref, held, LEASE)).toBe(true);
      });

      it('storing the refreshed credential releases the claim at once', async () => {
        const c = clock();
        const st = b.store({ now: c.now });
        const ref = await newRef(st);
        c.advance(10);
        const seen = (await st.getUserToken(ref))!.refreshClaim;
        expect(await st.claimRefresh(ref, seen, LEASE)).toBe(true);
        c.advance(10);
        await st.updateUserToken(ref, oauthCredential(2), new Date(Date.now() + HOUR));
        const now = (await st.getUserToken(ref))!;
        expect(now.refreshClaim).toBe(seen + 1); // the counter is monotonic
        c.advance(10);
        expect(await st.claimRefresh(ref, now.refreshClaim, LEASE)).toBe(true);
      });

      it('false for an unknown credential', async () => {
        expect(await s.claimRefresh({ userId: uid() }, 0, LEASE)).toBe(false);
        expect(await s.claimRefresh({ userId: uid(), credentialId: 'abc' }, 0, LEASE)).toBe(false);
      });
    });

    describe('UserSession', () => {
      it('returns the secret once and stores only its keyed hash', async () => {
        const userId = uid();
        const { secret, record } = await s.createSession(
          userId,
          { platform: 'chatgpt', kind: 'session' },
          HOUR,
        );
        expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(record).toMatchObject({ userId, data: { platform: 'chatgpt', kind: 'session' } });
        expect(record.expiresAt.getTime() - record.createdAt.getTime()).toBeGreaterThan(
          HOUR - 5000,
        );
        const raw = await b.rawSessionRow(record.id);
        expect(raw).toBeDefined();
        expect(JSON.stringify(raw)).not.toContain(secret);
        expect(raw?.session_id).toBe(keyedHash(b.secretKey, 'session', secret));
        const found = await s.findSession(secret);
        expect(found?.id).toBe(record.id);
        expect(found?.userId).toBe(userId);
        expect(await s.findSession(randomSecret(32))).toBeNull();
      });

      it('treats an expired session as absent', async () => {
        const c = clock();
        const st = b.store({ now: c.now });
        const { secret } = await st.createSession(uid(), { platform: 'x', kind: 'session' }, 1000);
        expect(await st.findSession(secret)).not.toBeNull();
        c.advance(1001);
        expect(await st.findSession(secret)).toBeNull();
      });

      it('revokes by secret, by id, by user and by grant; lists live sessions only', async () => {
        const c = clock();
        const st = b.store({ now: c.now });
        const userId = uid();
        const other = uid();
        const mk = (u: string, grantId?: string, ttl = HOUR) =>
          st.createSession(
            u,
            {
              platform: 'claude',
              kind: grantId ? 'mcp_access' : 'session',
              ...(grantId ? { grantId } : {}),
            },
            ttl,
          );
        const a = await mk(userId);
        c.advance(5);
        const bSess = await mk(userId);
        c.advance(5);
        const g1 = await mk(userId, 'grant-1');
        c.advance(5);
        await mk(userId, 'grant-1');
        await mk(other, 'grant-2');
        await mk(userId, undefined, 1); // expires at once
        c.advance(10);
        const listed = await st.listUserSessions(userId);
        expect(listed.map((x) => x.id).sort()).toEqual(
          expect.arrayContaining([a.record.id, bSess.record.id, g1.record.id]),
        );
        expect(listed).toHaveLength(4);
        expect(listed.every((x) => x.userId === userId)).toBe(true);

        expect(await st.revokeSession(a.secret)).toBe(true);
        expect(await st.revokeSession(a.secret)).toBe(false);
        expect(await st.findSession(a.secret)).toBeNull();
        expect(await st.revokeSessionById(bSess.record.id)).toBe(true);
        expect(await st.revokeSessionById(bSess.record.id)).toBe(false);
        expect(await st.revokeGrantSessions('grant-1')).toBe(2);
        expect(await st.findSession(g1.secret)).toBeNull();
        expect(await st.revokeUserSessions(other)).toBe(1);
        expect(await st.revokeUserSessions(userId)).toBe(1); // the expired one
        expect(await st.listUserSessions(userId)).toEqual([]);
      });
    });
  });
}
