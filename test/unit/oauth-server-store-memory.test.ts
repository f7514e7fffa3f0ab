import { MemoryOAuthServerStore } from '../../cloud/oauth-server/store/memory-store';
import { oauthStoreContract } from './oauth-server-store-contract';

oauthStoreContract('MemoryOAuthServerStore', (now) => new MemoryOAuthServerStore(now));
