/** The sandbox consent page: pick a fake user and the bases to grant, then Approve or Deny. */
import { escapeHtml } from '../http/io';
import type { Base, User } from '../state/model';
import type { ValidAuthorizeRequest } from './authorize-request';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}
.banner{background:#b00020;color:#fff;padding:.75rem 1rem;border-radius:.4rem;font-weight:700}
fieldset{margin:1rem 0;border:1px solid #ccc;border-radius:.4rem}label{display:block;margin:.3rem 0}
code{background:#f3f3f3;padding:0 .2rem}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<p class="banner">Airtable SANDBOX - this is not Airtable</p>${body}</body></html>`;
}

export function consentPage(opts: {
  requestId: string;
  request: ValidAuthorizeRequest;
  users: User[];
  bases: Base[];
}): string {
  const users = opts.users
    .map(
      (u, i) =>
        `<label><input type="radio" name="user_id" value="${escapeHtml(u.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.name)} &lt;${escapeHtml(u.email)}&gt; <code>${escapeHtml(u.id)}</code></label>`,
    )
    .join('\n');
  const bases = opts.bases
    .map((b) => {
      const who = [...b.collaborators.keys()].join(', ');
      return `<label><input type="checkbox" name="base_ids" value="${escapeHtml(b.id)}"> ${escapeHtml(b.name)} <code>${escapeHtml(b.id)}</code> <small>(collaborators: ${escapeHtml(who)})</small></label>`;
    })
    .join('\n');
  const scopes = opts.request.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  return page(
    'Airtable SANDBOX - authorize',
    `<h1>Authorize access</h1>
<p>The integration <code>${escapeHtml(opts.request.client.clientId)}</code> asks for:</p><ul>${scopes}</ul>
<p>It will redirect to <code>${escapeHtml(opts.request.redirectUri)}</code>.</p>
<form method="post" action="/oauth2/v1/authorize/decision">
<input type="hidden" name="request_id" value="${escapeHtml(opts.requestId)}">
<fieldset><legend>Sign in as (fake users)</legend>${users || '<p>No users: create one with POST /__admin/users.</p>'}</fieldset>
<fieldset><legend>Bases to grant (none ticked = all of the user's bases)</legend>${bases || '<p>No bases.</p>'}</fieldset>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(error: string, description: string): string {
  return page(
    'Airtable SANDBOX - authorization error',
    `<h1>Authorization error</h1><p><code>${escapeHtml(error)}</code></p><p>${escapeHtml(description)}</p>
<p>The fake did not redirect: Airtable never redirects to an unverified redirect URI.</p>`,
  );
}
