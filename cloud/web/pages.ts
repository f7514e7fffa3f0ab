/**
 * The person-facing pages of the sign-in flow: home, connected (session shown once, setup for
 * each MCP client), signed out, errors that say what to do next with a way back, and the
 * operator's "configure me" page. Each returns a Page; cloud/web/page-headers.ts sendPage writes
 * it through the one layout (title = heading, SANDBOX notice). docs/pages.md lists them all.
 */
import { COPY_SCRIPT, esc, readableDate, type Page } from './html';

export function homePage(opts: { publicUrl: string; oauthConfigured: boolean }): Page {
  const oauth = opts.oauthConfigured
    ? `<p><a class="button" href="/auth/authorize?platform=other">Connect with Airtable</a></p>`
    : `<p class="muted">Airtable OAuth is not configured on this server (AIRTABLE_CLIENT_ID is unset); use a personal access token below.</p>`;
  return {
    title: 'Airtable MCP server',
    sandboxContext: 'home',
    body: `<p>Connect your AI assistant (ChatGPT, Claude, Cursor, MCP Inspector) to your own Airtable bases. MCP endpoint: <code>${esc(opts.publicUrl)}/mcp</code></p>
<div class="card"><h2>Sign in with Airtable</h2>${oauth}</div>
<div class="card"><h2>Or use a personal access token</h2>
<form method="post" action="/api/auth/direct">
<label>Airtable personal access token<br><input type="password" name="api_key" autocomplete="off" required></label>
<input type="hidden" name="platform" value="other"><p><button type="submit">Create a session</button></p></form>
<p class="muted">Create one at airtable.com/create/tokens with the scopes and bases you want the assistant to use. It is checked with Airtable, then stored encrypted.</p></div>`,
  };
}

export interface ConnectedInfo {
  userId: string;
  email: string | undefined;
  platform: string;
  mcpUrl: string;
  sessionId: string;
  expiresAt: Date;
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

export function connectedPage(info: ConnectedInfo): Page {
  return {
    title: 'Connected to Airtable',
    sandboxContext: 'connected',
    body: `<div class="card ok"><p>Signed in as Airtable user <b>${esc(info.userId)}</b>${info.email ? ` (${esc(info.email)})` : ''}.</p>
<p>MCP endpoint: <code id="mcp-url">${esc(info.mcpUrl)}</code></p>
<p>Your session id (shown only once; valid until ${readableDate(info.expiresAt)}):</p>
<div class="secret"><code id="session-id">${esc(info.sessionId)}</code><button type="button" data-copy="session-id">Copy</button></div>
<p class="muted">Treat it like a password: anyone holding it can use your Airtable bases through this server. Sign out at any time with the button at the end of this page (or <code>POST /auth/logout</code> with the session id).</p></div>
${setupSnippets(info.mcpUrl, info.sessionId)}
<h2>Sign out</h2><form method="post" action="/auth/logout"><p class="muted">Ends this session in this browser; the assistants you set up with its session id are signed out too.</p><button type="submit" class="secondary">Sign out</button></form>${COPY_SCRIPT}`,
  };
}

/** After a browser's sign-out form (POST /auth/logout). */
export function signedOutPage(opts: { revokedSessions: number; credentialDeleted: boolean }): Page {
  const detail = opts.credentialDeleted
    ? 'Your stored Airtable credential was deleted from this server too.'
    : 'Your stored Airtable credential stays while other sessions or connected applications still use it.';
  return {
    title: 'Signed out',
    body: `<div class="card ok"><p>${opts.revokedSessions === 1 ? 'This session has ended' : `${opts.revokedSessions} sessions have ended`}. ${esc(detail)}</p></div>
${actions([{ href: '/', label: 'Back to the start page' }])}`,
  };
}

/** A way back from a page: a row of links, the first one the main action. */
export interface PageLink {
  href: string;
  label: string;
}

export function actions(links: PageLink[]): string {
  return `<p class="actions">${links
    .map(
      (l, i) =>
        `<a class="button${i === 0 ? '' : ' secondary'}" href="${esc(l.href)}">${esc(l.label)}</a>`,
    )
    .join('')}</p>`;
}

export const START_PAGE: PageLink = { href: '/', label: 'Back to the start page' };

/**
 * An error page: what went wrong, what to do about it, and a way back (a retry link when there is
 * one, always the start page).
 */
export function errorPage(opts: {
  title: string;
  message: string;
  /** What the person can do about it (plain text). */
  fix?: string;
  retryUrl?: string;
  /** The retry link's label ("Start again" by default). */
  retryLabel?: string;
  /** Extra detail for whoever reads the page to a developer (plain text). */
  code?: string;
}): Page {
  const links: PageLink[] = opts.retryUrl
    ? [{ href: opts.retryUrl, label: opts.retryLabel ?? 'Start again' }]
    : [];
  if (opts.retryUrl !== '/') links.push(START_PAGE);
  return {
    title: opts.title,
    body: `<div class="card err"><p>${esc(opts.message)}</p>${opts.code ? `<p class="muted">Error code: <code>${esc(opts.code)}</code></p>` : ''}</div>${opts.fix ? `<p>${esc(opts.fix)}</p>` : ''}${actions(links)}`,
  };
}

/** Shown by /auth/authorize when the operator has not configured the Airtable OAuth integration. */
export function configureOAuthPage(redirectUri: string): Page {
  return {
    title: 'Airtable OAuth is not configured',
    body: `<div class="card err"><p>This server has no <code>AIRTABLE_CLIENT_ID</code>. To enable "Sign in with Airtable":</p>
<ol><li>Register an OAuth integration at <code>https://airtable.com/create/oauth</code> with redirect URI <code>${esc(redirectUri)}</code> and the scopes <code>data.records:read data.records:write schema.bases:read</code> (plus any in <code>AIRTABLE_SCOPES</code>).</li>
<li>Set <code>AIRTABLE_CLIENT_ID</code> (and <code>AIRTABLE_CLIENT_SECRET</code> if you generated one) in the environment (Back4App: Server Settings &rarr; Environment Variables), then redeploy or restart.</li></ol>
<p>Meanwhile, sign in with a personal access token on the start page.</p></div>
${actions([START_PAGE])}`,
  };
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
