/**
 * Redis layout of the shared session cache, and the two Lua scripts that keep it consistent.
 *
 * Keys, under a namespace derived from SECRET_KEY (two deployments sharing one Redis never mix):
 *   <ns>s:<hash>   session record JSON (redis-record.ts), PX min(SESSION_CACHE_REDIS_TTL_MS,
 *                  the session's expiry)
 *   <ns>u:<user>   SET of hashes cached for one Airtable user     (for "revoke every session")
 *   <ns>g:<grant>  SET of hashes cached for one OAuth grant family (for grant revocation)
 *   <ns>i:<id>     the hash cached under one record id              (for revocation by id)
 *   <ns>epoch      counter bumped by every revocation
 *   channel <ns>invalidate: JSON {o, kind, value} (invalidation.ts), one message per revocation
 * `<hash>` is the keyed hash of the session secret (storage/codec.ts): the secret never reaches
 * Redis.
 *
 * The race a cache-aside fill has (A reads the row, B deletes it and purges Redis, A then writes
 * what it read) is closed by the epoch: lookups read it with the record (MGET), and the fill
 * script writes only while it is unchanged; the revoke script bumps it before purging, atomically
 * ("Redis guarantees the script's atomic execution": redis.io/topics/eval-intro).
 * The scripts build key names from the namespace, which a Redis Cluster would refuse: standalone
 * Redis (or a primary with replicas) only.
 */
import { keyedHash } from '../crypto/keyed-hash';

export interface RedisLayout {
  prefix: string;
  epoch: string;
  channel: string;
  record(hash: string): string;
  user(userId: string): string;
  grant(grantId: string): string;
  id(recordId: string): string;
}

export function redisLayout(secretKey: string): RedisLayout {
  const ns = keyedHash(secretKey, 'redis-namespace', 'session-cache.v1').slice(0, 16);
  const prefix = `amcp:${ns}:`;
  return {
    prefix,
    epoch: `${prefix}epoch`,
    channel: `${prefix}invalidate`,
    record: (hash) => `${prefix}s:${hash}`,
    user: (userId) => `${prefix}u:${userId}`,
    grant: (grantId) => `${prefix}g:${grantId}`,
    id: (recordId) => `${prefix}i:${recordId}`,
  };
}

/**
 * KEYS: epoch, record, user index, id key, [grant index]
 * ARGV: epoch seen by the lookup, record JSON, record TTL ms, index TTL ms, hash
 * Returns 1 when written, 0 when a revocation happened since the lookup (nothing written).
 */
export const FILL_SCRIPT = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[4], ARGV[5], 'PX', ARGV[3])
redis.call('SADD', KEYS[3], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
if KEYS[5] then
  redis.call('SADD', KEYS[5], ARGV[5])
  redis.call('PEXPIRE', KEYS[5], ARGV[4])
end
return 1
`;

/**
 * KEYS: epoch
 * ARGV: kind (hash | id | user | grant), value, key prefix, channel, message
 * Bumps the epoch, deletes the cached records concerned, publishes the message; returns how many
 * records were deleted. Index sets outlive their members (PEXPIRE = the longest record TTL).
 */
export const INVALIDATE_SCRIPT = `
redis.call('INCR', KEYS[1])
local p = ARGV[3]
local hashes = {}
if ARGV[1] == 'hash' then
  hashes = { ARGV[2] }
elseif ARGV[1] == 'id' then
  local h = redis.call('GET', p .. 'i:' .. ARGV[2])
  if h then hashes = { h } end
  redis.call('DEL', p .. 'i:' .. ARGV[2])
else
  local index = p .. (ARGV[1] == 'user' and 'u:' or 'g:') .. ARGV[2]
  hashes = redis.call('SMEMBERS', index)
  redis.call('DEL', index)
end
local deleted = 0
for _, h in ipairs(hashes) do deleted = deleted + redis.call('DEL', p .. 's:' .. h) end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return deleted
`;
