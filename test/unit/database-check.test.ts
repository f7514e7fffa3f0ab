/**
 * scripts/dev/database-check.ts: each way a DATABASE_URI fails becomes one line naming DATABASE_URI
 * and the fix, never the password. The errors are shaped as the drivers raise them (pg: `code`
 * from libpq's SQLSTATE or Node's errno; mongodb: the error class name and server codes). Real
 * failures against real servers are in test/integration/start-errors.test.ts.
 */
import { explainDatabaseError } from '../../scripts/dev/database-check';

const pgUri = 'postgres://alice:s3cr3t@db.example:6543/app';
const mongoUri = 'mongodb://alice:s3cr3t@mongo.example:27018/app';
const err = (props: Record<string, unknown>) =>
  Object.assign(new Error(String(props.message ?? '')), props);

it.each([
  [
    pgUri,
    err({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:6543' }),
    /^DATABASE_URI: nothing is listening at db\.example:6543 \(connection refused\)/,
  ],
  [
    pgUri,
    err({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db.example' }),
    /^DATABASE_URI: the host "db\.example" was not found/,
  ],
  [
    pgUri,
    err({ message: 'timeout expired' }),
    /^DATABASE_URI: db\.example:6543 did not answer within 10 s/,
  ],
  [
    pgUri,
    err({ code: '28P01', message: 'password authentication failed for user "alice"' }),
    /^DATABASE_URI: PostgreSQL at db\.example:6543 refused user "alice" \(wrong password or unknown user\)/,
  ],
  [pgUri, err({ code: '28000', message: 'role "alice" does not exist' }), /refused user "alice"/],
  [
    pgUri,
    err({ code: '3D000', message: 'database "app" does not exist' }),
    /^DATABASE_URI: PostgreSQL at db\.example:6543 has no database "app"\. Create it \(createdb -h db\.example -p 6543 -U alice app\)/,
  ],
  [
    mongoUri,
    err({ name: 'MongoServerSelectionError', message: 'connect ECONNREFUSED 10.0.0.2:27018' }),
    /nothing is listening at mongo\.example:27018/,
  ],
  [
    mongoUri,
    err({ name: 'MongoServerSelectionError', message: 'Server selection timed out after 5000 ms' }),
    /mongo\.example:27018 did not answer within 10 s/,
  ],
  [
    mongoUri,
    err({ name: 'MongoServerError', code: 18, message: 'Authentication failed.' }),
    /^DATABASE_URI: MongoDB at mongo\.example:27018 refused user "alice"/,
  ],
  [
    mongoUri,
    err({ name: 'MongoParseError', message: 'URI malformed, cannot be parsed' }),
    /^DATABASE_URI: not a valid MongoDB connection string \(URI malformed/,
  ],
  [
    pgUri,
    err({ code: 'XX000', message: 'could not open s3cr3t file' }),
    /^DATABASE_URI: the database at db\.example:6543 cannot be used \(XX000: could not open \*\*\* file\)\. Check DATABASE_URI\.$/,
  ],
])('%s: %s', (uri, error, expected) => {
  const line = explainDatabaseError(error, uri).message;
  expect(line).toMatch(expected);
  expect(line.split('\n')).toHaveLength(1);
  expect(line).not.toContain('s3cr3t');
});
