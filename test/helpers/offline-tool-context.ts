/**
 * A tool context with no Airtable behind it (a closed port, token reads refused): for tests of
 * methods that must not reach Airtable.
 */
import { AirtableApi } from '../../cloud/airtable/api-client';
import { AirtableRateLimiter } from '../../cloud/airtable/rate-limiter';
import type { ToolContext } from '../../cloud/mcp/tool-context';

export function offlineToolContext(): ToolContext {
  return {
    airtable: new AirtableApi({
      baseUrl: 'http://127.0.0.1:9',
      tokens: {
        getAccessToken: () => Promise.reject(new Error('no Airtable in this test')),
        refreshAfterUnauthorized: async () => null,
      },
      limiter: new AirtableRateLimiter(),
      userKey: 'usrTEST',
      isPat: true,
    }),
    user: {
      userId: 'usrTEST',
      platform: 'claude',
      kind: 'pat',
      scopes: [],
      sessionExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
    },
    links: { reconnectUrl: 'https://mcp.example/auth/authorize' },
  };
}
