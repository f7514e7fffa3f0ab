/** The storage contract against MemoryStorage (STORAGE_BACKEND=memory). */
import { generateKey } from '../../cloud/crypto/fernet';
import { randomSecret } from '../../cloud/crypto/keyed-hash';
import { createMemoryData, MemoryStorage } from '../../cloud/storage/memory-store';
import { memoryRows, storageContract } from './storage-contract';

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
    ...memoryRows(data, secretKey, key),
  };
});
