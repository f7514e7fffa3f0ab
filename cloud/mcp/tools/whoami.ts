/** whoami: which Airtable account this connection acts as, with what scopes, until when. */
import { z } from 'zod';
import { READS } from '../annotations';
import { defineTool } from '../define-tool';

const output = z.object({
  airtableUserId: z.string().describe('Airtable user id (usr...).'),
  email: z
    .string()
    .optional()
    .describe('Account email; only present when the user.email:read scope was granted.'),
  connection: z
    .enum(['oauth', 'pat'])
    .describe('oauth: signed in with Airtable; pat: a personal access token.'),
  scopes: z
    .array(z.string())
    .describe(
      'Airtable scopes of this connection (empty when Airtable does not report them, as for tokens).',
    ),
  platform: z.string().describe('Client the user connected from (chatgpt, claude, cursor, ...).'),
  sessionExpiresAt: z
    .string()
    .describe('When this MCP session ends (ISO 8601); the user must reconnect after it.'),
});

export const whoamiTool = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description:
    'Shows the Airtable account this connection acts as: user id, email (if allowed), granted scopes, ' +
    'connection type and when the session expires. Use it to check access before other tools or to ' +
    'explain a permission error.',
  input: z.object({}),
  output,
  annotations: READS,
  async run(_args, ctx, signal) {
    const me = await ctx.airtable.whoami({ signal });
    return {
      data: {
        airtableUserId: me.id,
        ...(me.email ? { email: me.email } : {}),
        connection: ctx.user.kind,
        scopes: me.scopes ?? ctx.user.scopes,
        platform: ctx.user.platform,
        sessionExpiresAt: ctx.user.sessionExpiresAt.toISOString(),
      },
    };
  },
});
