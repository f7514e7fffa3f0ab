/**
 * The person-facing pages of the sign-in flow: home, connected (session shown once, setup for
 * each MCP client), errors that say what to do next, and the operator's "configure me" page.
 */
import { COPY_SCRIPT, esc, layout } from './html';

/**
 * `npm run start:sandbox` (SANDBOX=1): say up front that "Airtable" is the local fake, so nobody
 * mistakes its consent page for the real one or types a real token here.
 */
export function sandboxNotice(
  sandbox: boolean | undefined,
  where: 'home' | 'connected' | 'other',
): string {
  if (!sandbox) return '';
  const detail =
    where === 'home'
      ? '"Connect with Airtable" opens a local <b>fake Airtable</b> (its consent page says "Airtable SANDBOX - this is not Airtable") with sample users and bases. For a personal access token, use one of the sandbox PATs printed by <code>npm run start:sandbox</code>.'
      : where === 'connected'
        ? 'You are connected to the local <b>fake Airtable</b> and its sample bases.'
        : '"Airtable" here is the local <b>fake Airtable</b> and its sample users.';
  return `<p class="sandbox">SANDBOX - nothing here reaches airtable.com. ${detail}</p>`;
}

export function homePage(opts: {
  publicUrl: string;
  oauthConfigured: boolean;
  sandbox?: boolean;
}): string {
  const oauth = opts.oauthConfigured
    ? `<p><a class="button" href="/auth/authorize?platform=other">Connect with Airtable</a></p>`
    : `<p class="muted">Airtable OAuth is not configured on this server (AIRTABLE_CLIENT_ID is unset); use a personal access token below.</p>`;
  return layout(
    'Airtable MCP server',
    `${sandboxNotice(opts.sandbox, 'home')}<h1>Airtable MCP server</h1>
<p>Connect your AI assistant (ChatGPT, Claude, Cursor, MCP Inspector) to your own Airtable bases. MCP endpoint: <code>${esc(opts.publicUrl)}/mcp</code></p>
<div class="card"><h2>Sign in with Airtable</h2>${oauth}</div>
<div class="card"><h2>Or use a personal access token</h2>
<form method="post" action="/api/auth/direct">
<label>Airtable personal access token<br><input type="password" name="api_key" autocomplete="off" required></label>
<input type="hidden" name="platform" value="other"><p><button type="submit">Create a session</button></p></form>
<p class="muted">Create one at airtable.com/create/tokens with the scopes and bases you want the assistant to use. It is checked with Airtable, then stored encrypted.</p></div>`,
  );
}

export interface ConnectedInfo {
  userId: string;
  email: string | undefined;
  platform: string;
  mcpUrl: string;
  sessionId: string;
  expiresAt: Date;
  sandbox?: boolean;
}

function setupSnippets(mcpUrl: string, sessionId: string): string {
  const cursor = JSON.stringify(
    {
      mcpServers: { airtable: { url: mcpUrl, headers: { Authorization: `Bearer ${sessionId}` } } },
    },
    null,
    2,
  );
  return `<h2>ChatGPT</h2>
<p>Settings &rarr; Apps &amp; Connectors &rarr; Create (developer mode): MCP server URL <code>${esc(mcpUrl)}</code>, authentication <b>OAuth</b>. ChatGPT signs you in through this server by itself; no session id is needed.</p>
<h2>Claude</h2>
<p>Settings &rarr; Connectors &rarr; Add custom connector: URL <code>${esc(mcpUrl)}</code> (OAuth, automatic). Claude Code with this session:</p>
<pre id="claude-cmd">claude mcp add --transport http airtable ${esc(mcpUrl)} --header "Authorization: Bearer ${esc(sessionId)}"</pre>
<button type="button" data-copy="claude-cmd" class="secondary">Copy</button>
<h2>Cursor</h2><p>Add to <code>~/.cursor/mcp.json</code>:</p>
<pre id="cursor-json">${esc(cursor)}</pre><button type="button" data-copy="cursor-json" class="secondary">Copy</button>
<h2>MCP Inspector</h2>
<p>Run <code>npx @modelcontextprotocol/inspector</code>, choose <b>Streamable HTTP</b>, URL <code>${esc(mcpUrl)}</code>, and under Authentication set header <code>Authorization</code> to <code>Bearer &lt;session id&gt;</code> (or let it run OAuth).</p>`;
}

export function connectedPage(info: ConnectedInfo): string {
  return layout(
    'Connected to Airtable',
    `${sandboxNotice(info.sandbox, 'connected')}<h1>Connected to Airtable</h1>
<div class="card ok"><p>Signed in as Airtable user <b>${esc(info.userId)}</b>${info.email ? ` (${esc(info.email)})` : ''}.</p>
<p>MCP endpoint: <code id="mcp-url">${esc(info.mcpUrl)}</code></p>
<p>Your session id (shown only once; valid until ${esc(info.expiresAt.toISOString())}):</p>
<div class="secret"><code id="session-id">${esc(info.sessionId)}</code><button type="button" data-copy="session-id">Copy</button></div>
<p class="muted">Treat it like a password: anyone holding it can use your Airtable bases through this server. Sign out at any time with <code>POST /auth/logout</code>.</p></div>
${setupSnippets(info.mcpUrl, info.sessionId)}${COPY_SCRIPT}`,
  );
}

export function errorPage(opts: { title: string; message: string; retryUrl?: string }): string {
  const retry = opts.retryUrl
    ? `<p><a class="button" href="${esc(opts.retryUrl)}">Start again</a></p>`
    : '';
  return layout(
    opts.title,
    `<h1>${esc(opts.title)}</h1><div class="card err"><p>${esc(opts.message)}</p></div>${retry}`,
  );
}

/** Shown by /auth/authorize when the operator has not configured the Airtable OAuth integration. */
export function configureOAuthPage(redirectUri: string): string {
  return layout(
    'Airtable OAuth is not configured',
    `<h1>Airtable OAuth is not configured</h1>
<div class="card err"><p>This server has no <code>AIRTABLE_CLIENT_ID</code>. To enable "Sign in with Airtable":</p>
<ol><li>Register an OAuth integration at <code>https://airtable.com/create/oauth</code> with redirect URI <code>${esc(redirectUri)}</code> and the scopes <code>data.records:read data.records:write schema.bases:read</code> (plus any in <code>AIRTABLE_SCOPES</code>).</li>
<li>Set <code>AIRTABLE_CLIENT_ID</code> (and <code>AIRTABLE_CLIENT_SECRET</code> if you generated one) in the environment (Back4App: Server Settings &rarr; Environment Variables), then redeploy or restart.</li></ol>
<p>Meanwhile, sign in with a personal access token on the <a href="/">home page</a>.</p></div>`,
  );
}

/** Airtable's callback errors, explained (airtable.com/developers/web/api/oauth-reference). */
export function describeAirtableError(code: string): string {
  switch (code) {
    case 'access_denied':
      return 'You declined the authorization on Airtable, so nothing was connected.';
    case 'invalid_scope':
      return 'Airtable refused the requested scopes. The operator should check AIRTABLE_SCOPES against the scopes enabled for the OAuth integration.';
    case 'server_error':
    case 'temporarily_unavailable':
      return 'Airtable had a temporary problem. Please try again in a minute.';
    case 'invalid_request':
    case 'unauthorized_client':
    case 'unsupported_response_type':
      return 'Airtable rejected the authorization request. The operator should check the OAuth integration (client id and redirect URI).';
    default:
      return 'Airtable did not authorize the connection.';
  }
}
