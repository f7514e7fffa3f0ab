/** The storage contract against MemoryStorage (STORAGE_BACKEND=memory). */
import { generateKey } from '../../cloud/crypto/fernet';
import { randomSecret } from '../../cloud/crypto/keyed-hash';
import { createMemoryData, MemoryStorage } from '../../cloud/storage/memory-store';
import { storageContract } from './storage-contract';

storageContract('MemoryStorage', () => {
  const data = createMemoryData();
  const secretKey = randomSecret(32);
  const key = generateKey();
  return {
    secretKey,
    key,
    store: (opts = {}) =>
      new MemoryStorage({
        secretKey,
        encryptionKeys: opts.keys ?? [key],
        data,
        ...(opts.now ? { now: opts.now } : {}),
      }),
    rawTokenRows: async (userId) => {
      const row = data.tokens.get(userId);
      return row ? [{ ...row }] : [];
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
});
