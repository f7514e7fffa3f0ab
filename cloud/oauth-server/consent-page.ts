/**
 * The consent page (MCP authorization spec, "confused deputy": every dynamically registered
 * client needs the person's explicit approval before we redirect upstream). It names the client
 * and, prominently, where the answer will be sent: a client's name is self-asserted, its redirect
 * host is what actually receives access.
 */
import { esc, layout } from '../web/html';
import type { ResolvedClient } from './clients';
import { redirectHost } from './redirect-uri';
import { SCOPE_DESCRIPTIONS, isScope } from './scopes';
import type { ConsentRequest } from './store';

export interface ConsentPageInput {
  client: ResolvedClient;
  request: ConsentRequest;
  formToken: string;
  /** Already signed in with a usable Airtable connection: approval finishes at once. */
  signedIn: boolean;
}

export function consentPage(input: ConsentPageInput): string {
  const { client, request } = input;
  const name = client.metadata.client_name ?? 'An unnamed application';
  const host = redirectHost(request.redirectUri);
  const identity =
    client.source === 'metadata-document'
      ? `<p>The application is identified by its metadata document at <b>${esc(redirectHost(client.clientId))}</b>.</p>`
      : `<p class="muted">This application registered itself with this server; its name is not verified.</p>`;
  const scopes = request.scopes
    .filter(isScope)
    .map((s) => `<li><b>${esc(s)}</b> - ${esc(SCOPE_DESCRIPTIONS[s])}</li>`)
    .join('');
  const next = input.signedIn
    ? 'Approving connects it to the Airtable account you are signed in with here.'
    : 'After you approve, Airtable asks you to sign in and choose the bases to share.';
  return layout(
    'Allow access to your Airtable?',
    `<h1>Allow <span>${esc(name)}</span> to use your Airtable?</h1>
<div class="card"><p>After you decide, you will be sent to:</p>
<p style="font-size:1.4em;margin:.2em 0"><b>${esc(host)}</b></p>
<p class="muted">${esc(request.redirectUri)}</p>${identity}</div>
<div class="card"><p>It asks to:</p><ul>${scopes}</ul><p class="muted">${esc(next)}</p></div>
<p>Only continue if you started this connection yourself, from an application you trust, and you recognise <b>${esc(host)}</b>.</p>
<form method="post" action="/authorize/decision">
<input type="hidden" name="consent" value="${esc(input.formToken)}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  );
}
