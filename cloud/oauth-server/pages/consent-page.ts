/**
 * The consent page (MCP authorization spec, "confused deputy": every dynamically registered
 * client needs the person's explicit approval before we redirect upstream). It names the client
 * and, prominently, where the answer will be sent: a client's name is self-asserted, its redirect
 * host is what actually receives access. It also names the Airtable account approving connects
 * (a browser signed in here), with a way to use another one - so a browser that was signed in
 * to someone else's account behind the person's back (login CSRF) cannot go unnoticed.
 */
import { esc, type Page } from '../../web/html';
import type { ResolvedClient } from '../clients/clients';
import { redirectHost, redirectKind } from '../protocol/redirect-uri';
import { SCOPE_DESCRIPTIONS, isScope } from '../protocol/scopes';
import type { ConsentRequest } from '../store/store';

export interface ConsentPageInput {
  client: ResolvedClient;
  request: ConsentRequest;
  formToken: string;
  /** The browser is signed in with a usable Airtable connection: approval uses it at once. */
  account: { userId: string; email: string | undefined; kind: 'oauth' | 'pat' } | undefined;
}

export function consentPage(input: ConsentPageInput): Page {
  const { client, request } = input;
  const name = client.metadata.client_name ?? 'An unnamed application';
  const host = redirectHost(request.redirectUri);
  const kind = redirectKind(request.redirectUri);
  // RFC 8252: native apps receive the answer on this computer, not on a web site.
  const where =
    kind === 'private-use'
      ? `<p class="muted">An application on your computer that handles <b>${esc(host)}</b> links receives it (a desktop app, not a web site).</p>`
      : kind === 'loopback'
        ? `<p class="muted">A program running on your own computer receives it (a local address).</p>`
        : '';
  const identity =
    client.source === 'metadata-document'
      ? `<p>The application is identified by its metadata document at <b>${esc(redirectHost(client.clientId))}</b>.</p>`
      : `<p class="muted">This application registered itself with this server; its name is not verified.</p>`;
  const scopes = request.scopes
    .filter(isScope)
    .map((s) => `<li><b>${esc(s)}</b> - ${esc(SCOPE_DESCRIPTIONS[s])}</li>`)
    .join('');
  const account = input.account;
  const accountCard = account
    ? `<div class="card" id="account"><p>Approving connects it to this Airtable account:</p>
<p style="font-size:1.2em;margin:.2em 0"><b>${esc(account.email ?? account.userId)}</b></p>
<p class="muted">Airtable user ${esc(account.userId)}, signed in here with ${account.kind === 'pat' ? 'a personal access token' : 'Airtable'}. Not you, or not the account you want? Choose "Use another Airtable account" and Airtable will ask you to sign in.</p></div>`
    : `<div class="card" id="account"><p>After you approve, Airtable asks you to sign in and choose the bases to share.</p></div>`;
  const approve = account
    ? `<button type="submit" name="decision" value="approve">Allow for ${esc(account.email ?? account.userId)}</button>
<button type="submit" name="decision" value="approve_other_account" class="secondary">Use another Airtable account</button>`
    : `<button type="submit" name="decision" value="approve">Allow</button>`;
  return {
    // The tab names the application too: a person with several tabs open sees who is asking.
    title: `Allow ${name} to use your Airtable?`,
    body: `<div class="card"><p>After you decide, you will be sent to:</p>
<p style="font-size:1.4em;margin:.2em 0"><b>${esc(host)}</b></p>
<p class="muted">${esc(request.redirectUri)}</p>${where}${identity}</div>
<div class="card"><p>It asks to:</p><ul>${scopes}</ul></div>
${accountCard}
<p>Only continue if you started this connection yourself, from an application you trust, and you recognise <b>${esc(host)}</b>.</p>
<form method="post" action="/authorize/decision">
<input type="hidden" name="consent" value="${esc(input.formToken)}">
${approve}
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  };
}
