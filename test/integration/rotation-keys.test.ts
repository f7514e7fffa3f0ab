/**
 * `rotateEncryptionKeys` on a private stack: values are written under "old" (and some under a
 * "foreign" key nobody will configure) by a stack running ENCRYPTION_KEY="old,foreign"; the stack
 * is restarted with ENCRYPTION_KEY="new,old" and the job runs. Afterwards every readable value
 * decrypts with "new" alone, unreadable ones are counted and left untouched, a token whose refresh
 * claim is held is skipped until the claim ends, and a re-run has nothing left to do.
 */
import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, generateKey } from '../../cloud/crypto/fernet';
import {
  parseDate,
  rest,
  runJob,
  seedRows,
  type RestTarget,
} from '../../scripts/bench/bench-cleanup';
import { harness } from '../harness/env';
import { startChildStack, type ChildStack } from '../helpers/child-stack';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

jest.setTimeout(180_000);

const h = harness();
const keys = { old: generateKey(), new: generateKey(), foreign: generateKey() };
const future = () => parseDate(new Date(Date.now() + 86400_000));
const hex64 = () => randomBytes(32).toString('hex');

const credential = (i: number) =>
  JSON.stringify({ kind: 'pat', accessToken: `pat${i}.secret`, scope: '' });
const tokenRow = (i: number, key: string, extra: Record<string, unknown> = {}) => ({
  user_id: `usrRot${i}`,
  tokens: encrypt(credential(i), key),
  kind: 'pat',
  scope: '',
  status: 'active',
  refresh_claim: 0,
  expires_at: future(),
  ...extra,
});
const stateRow = (i: number, key: string) => ({
  state: hex64(),
  data: JSON.stringify({
    encryptedCodeVerifier: encrypt(`verifier-${i}-${'v'.repeat(43)}`, key),
    platform: 'claude',
  }),
  expires_at: future(),
});

const indexOf = (row: Record<string, unknown>) => Number(String(row.user_id).slice(6));

let dataDir: string;
let stack: ChildStack | undefined;
let t: RestTarget;

async function boot(encryptionKey: string) {
  await stack?.stop();
  stack = await startChildStack({ dataDir, env: { ENCRYPTION_KEY: encryptionKey } });
  t = { url: stack.url, appId: h.appId, masterKey: h.masterKey };
}

async function all(className: string): Promise<Record<string, unknown>[]> {
  const { json } = await rest(t, 'GET', `classes/${className}?limit=1000`);
  return (json as { results: Record<string, unknown>[] }).results;
}

type Counts = Record<string, Record<string, number>>;
const rotate = async (): Promise<Counts> => {
  const run = await runJob(t, 'rotateEncryptionKeys');
  expect(run.status).toBe('succeeded');
  return JSON.parse(run.message) as Counts;
};

beforeAll(async () => {
  dataDir = tempDir('rotation');
  await boot(`${keys.old},${keys.foreign}`);
  await seedRows(t, 'UserToken', 30, (i) => tokenRow(i, keys.old));
  await seedRows(t, 'UserToken', 5, (i) => tokenRow(100 + i, keys.foreign));
  await seedRows(t, 'OAuthState', 10, (i) => stateRow(i, keys.old));
  await seedRows(t, 'OAuthState', 2, (i) => stateRow(100 + i, keys.foreign));
  await boot(`${keys.new},${keys.old}`);
  await seedRows(t, 'UserToken', 5, (i) => tokenRow(200 + i, keys.new));
  // A refresh in flight: claim fresh and newer than the last credential write.
  await seedRows(t, 'UserToken', 1, () =>
    tokenRow(300, keys.old, {
      refresh_claim: 1,
      refresh_claim_at: parseDate(new Date()),
      tokens_updated_at: parseDate(new Date(Date.now() - 60_000)),
    }),
  );
});

afterAll(async () => {
  await stack?.stop();
  removeTempDir(dataDir);
});

it('re-encrypts everything readable under the first key, leaving unreadable values alone', async () => {
  const before = await all('UserToken');
  const foreignBefore = before.filter((r) => indexOf(r) >= 100 && indexOf(r) < 200);
  expect(foreignBefore).toHaveLength(5);

  const counts = await rotate();
  expect(counts.UserToken).toEqual({
    scanned: 41,
    reencrypted: 30,
    alreadyCurrent: 5,
    unreadable: 5,
    skipped: 1,
  });
  expect(counts.OAuthState).toEqual({
    scanned: 12,
    reencrypted: 10,
    alreadyCurrent: 0,
    unreadable: 2,
    skipped: 0,
  });

  const tokens = await all('UserToken');
  expect(tokens).toHaveLength(41);
  for (const row of tokens) {
    const i = indexOf(row);
    if (i >= 100 && i < 200) continue; // foreign
    if (i === 300) continue; // claim held
    expect(decrypt(String(row.tokens), [keys.new])).toBe(credential(i));
  }
  // Unreadable values are kept byte for byte.
  for (const row of foreignBefore)
    expect(tokens.find((r) => r.objectId === row.objectId)?.tokens).toBe(row.tokens);

  const states = await all('OAuthState');
  const readable = states.filter((r) => {
    const data = JSON.parse(String(r.data)) as { encryptedCodeVerifier: string };
    try {
      return decrypt(data.encryptedCodeVerifier, [keys.new]).startsWith('verifier-');
    } catch {
      return false;
    }
  });
  expect(readable).toHaveLength(10);
});

it('is resumable: a re-run finishes what was skipped and re-encrypts nothing twice', async () => {
  // The refresher stores its result (here: just ends its claim without a new credential).
  const held = (await all('UserToken')).find((r) => r.user_id === 'usrRot300')!;
  await rest(t, 'PUT', `classes/UserToken/${String(held.objectId)}`, {
    tokens_updated_at: parseDate(new Date()),
  });
  const counts = await rotate();
  expect(counts.UserToken).toMatchObject({ scanned: 41, reencrypted: 1, alreadyCurrent: 35 });
  expect(counts.OAuthState).toMatchObject({ reencrypted: 0, alreadyCurrent: 10, unreadable: 2 });
  const after = (await all('UserToken')).find((r) => r.user_id === 'usrRot300')!;
  expect(decrypt(String(after.tokens), [keys.new])).toBe(credential(300));
});
