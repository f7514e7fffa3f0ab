/**
 * DATABASE_URI checked before parse-server starts, so that a database that cannot be used stops
 * `npm start` with ONE line naming DATABASE_URI and the fix. Left to parse-server, the same
 * problems print the driver's raw error object twice (ParseServer.start() logs it, then rethrows)
 * and an absent MongoDB takes 30 s to report. The drivers are parse-server's own (pg-promise,
 * mongodb), at the versions it uses. Messages never contain the password.
 */
import { StackError } from './stack-error';

const TIMEOUT_MS = 10_000;

interface Target {
  host: string;
  port: string;
  database: string;
  user: string;
}

function describe(uri: string, defaultPort: string): Target {
  try {
    const u = new URL(uri);
    return {
      host: u.hostname || 'localhost',
      port: u.port || defaultPort,
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
      user: decodeURIComponent(u.username),
    };
  } catch {
    // mongodb://h1:1,h2:2/db (a replica set) is not a WHATWG URL; the driver parses it.
    return { host: 'the hosts in DATABASE_URI', port: defaultPort, database: '', user: '' };
  }
}

/** The error's own words, without the URI's password and cut to one short line. */
function shortReason(err: unknown, uri: string): string {
  const e = err as { code?: unknown; message?: unknown };
  let text = typeof e.message === 'string' && e.message ? e.message : String(err);
  try {
    const password = decodeURIComponent(new URL(uri).password);
    if (password) text = text.split(password).join('***');
  } catch {
    /* no password to hide */
  }
  text = text.split('\n')[0]!.slice(0, 160);
  return typeof e.code === 'string' && !text.includes(e.code) ? `${e.code}: ${text}` : text;
}

const fail = (what: string) => new StackError(`DATABASE_URI: ${what}`);

/** Maps a connection failure to the line a person can act on. */
export function explainDatabaseError(err: unknown, uri: string): StackError {
  const mongo = /^mongodb(\+srv)?:/i.test(uri);
  const t = describe(uri, mongo ? '27017' : '5432');
  const at = `${t.host}:${t.port}`;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : '';
  const is = (c: string) => code === c || message.includes(c);
  const orEmbedded = 'or remove DATABASE_URI to use the embedded PostgreSQL';
  if (is('ECONNREFUSED'))
    return fail(
      `nothing is listening at ${at} (connection refused). Start the database, correct the host and port, ${orEmbedded}.`,
    );
  if (is('ENOTFOUND') || is('EAI_AGAIN'))
    return fail(`the host "${t.host}" was not found. Correct the host name in DATABASE_URI.`);
  // PostgreSQL SQLSTATE 28P01 invalid_password, 28000 invalid_authorization_specification (unknown
  // role, pg_hba refusal); MongoDB error 18 AuthenticationFailed.
  if (code === '28P01' || code === '28000' || (mongo && code === '18'))
    return fail(
      `${mongo ? 'MongoDB' : 'PostgreSQL'} at ${at} refused user "${t.user}" (wrong password or unknown user). Correct the user and password in DATABASE_URI.`,
    );
  if (code === '3D000')
    return fail(
      `PostgreSQL at ${at} has no database "${t.database}". Create it (createdb -h ${t.host} -p ${t.port} -U ${t.user || 'postgres'} ${t.database}) or name an existing database in DATABASE_URI.`,
    );
  if (e.name === 'MongoParseError' || e.name === 'MongoInvalidArgumentError')
    return fail(
      `not a valid MongoDB connection string (${shortReason(err, uri)}). Expected mongodb://user:password@host:27017/database.`,
    );
  if (
    is('ETIMEDOUT') ||
    /timeout|timed out/i.test(message) ||
    e.name === 'MongoServerSelectionError'
  )
    return fail(
      `${at} did not answer within ${TIMEOUT_MS / 1000} s. Check that the database runs there and that no firewall is in the way, ${orEmbedded}.`,
    );
  return fail(
    `the database at ${at} cannot be used (${shortReason(err, uri)}). Check DATABASE_URI.`,
  );
}

async function checkPostgres(uri: string): Promise<void> {
  const { default: pgPromise } = await import('pg-promise');
  const pgp = pgPromise({ noWarnings: true });
  const db = pgp({ connectionString: uri, connectionTimeoutMillis: TIMEOUT_MS, max: 1 });
  try {
    const connection = await db.connect();
    connection.done();
  } finally {
    await db.$pool.end();
  }
}

async function checkMongo(uri: string): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: TIMEOUT_MS,
    connectTimeoutMS: TIMEOUT_MS,
  });
  try {
    await client.connect();
    await client.db().command({ ping: 1 });
  } finally {
    await client.close().catch(() => {});
  }
}

/** Connects once and disconnects; throws a StackError naming DATABASE_URI and the fix. */
export async function checkDatabaseUri(uri: string): Promise<void> {
  try {
    if (/^mongodb(\+srv)?:/i.test(uri)) await checkMongo(uri);
    else await checkPostgres(uri);
  } catch (err) {
    throw explainDatabaseError(err, uri);
  }
}
