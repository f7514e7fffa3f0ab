/**
 * HTML building with escaping everywhere; every page is self-contained (no external assets).
 * One layout for every page we serve: it takes one title, used for both the tab (<title>) and the
 * heading (<h1>), and adds the SANDBOX notice itself, so no page can miss either.
 */

export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Content-Security-Policy for our pages: inline styles and the one inline copy script only. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'self' *; base-uri 'none'; frame-ancestors 'none'";

// Phones (390 px): nothing may be wider than the window - long ids, URLs and commands wrap.
const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:760px;margin:40px auto;padding:0 16px;color:#1d1f25;line-height:1.5;overflow-wrap:break-word}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.8em}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
pre{background:#f4f5f7;padding:12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap}
.card{border:1px solid #d9dce3;border-radius:8px;padding:16px;margin:16px 0}.card>:first-child{margin-top:0}.card>:last-child{margin-bottom:0}
.ok{border-color:#3aa655;background:#f1fbf3}.err{border-color:#d64545;background:#fdf2f2}
.secret{display:flex;gap:8px;align-items:center;flex-wrap:wrap}.secret code{flex:1 1 12em;min-width:0;padding:8px;background:#fff;border:1px solid #ccc;border-radius:4px;word-break:break-all}
button,.button{background:#2d7ff9;color:#fff;border:0;border-radius:6px;padding:8px 14px;font-size:1em;cursor:pointer;text-decoration:none;display:inline-block;margin:2px 0;max-width:100%;overflow-wrap:anywhere}
button.secondary,.button.secondary{background:#6b7280}input[type=text],input[type=password]{width:100%;padding:8px;box-sizing:border-box}
.muted{color:#5f6673;font-size:.9em}.actions{display:flex;flex-wrap:wrap;gap:8px}
.sandbox{background:#b00020;color:#fff;padding:10px 14px;border-radius:6px}.sandbox code{color:#fff}
`;

/** Which SANDBOX notice a page shows (the home page explains the sandbox PATs). */
export type SandboxContext = 'home' | 'connected' | 'other';

export interface Page {
  /** The page's one title: the tab's <title> and the <h1>, always the same text. */
  title: string;
  /** Everything after the heading (trusted HTML: callers escape what they interpolate). */
  body: string;
  sandboxContext?: SandboxContext;
}

/**
 * Sandbox mode for every page this process serves (`npm run start:sandbox`, SANDBOX=1). Set once
 * from the configuration where the routes are registered (cloud/routes/index.ts and the OAuth
 * server's routes); a process serves one configuration.
 */
const pageMode = { sandbox: false };

export function setSandboxPages(sandbox: boolean): void {
  pageMode.sandbox = sandbox;
}

/**
 * SANDBOX=1: say up front that "Airtable" is the local fake, so nobody mistakes its consent page
 * for the real one or types a real token here.
 */
export function sandboxNotice(where: SandboxContext = 'other'): string {
  const detail =
    where === 'home'
      ? '"Connect with Airtable" opens a local <b>fake Airtable</b> (its consent page says "Airtable SANDBOX - this is not Airtable") with sample users and bases. For a personal access token, use one of the sandbox PATs printed by <code>npm run start:sandbox</code>.'
      : where === 'connected'
        ? 'You are connected to the local <b>fake Airtable</b> and its sample bases.'
        : '"Airtable" here is the local <b>fake Airtable</b> and its sample users.';
  return `<p class="sandbox" id="sandbox-notice">SANDBOX - nothing here reaches airtable.com. ${detail}</p>`;
}

export function renderPage(page: Page): string {
  const notice = pageMode.sandbox ? sandboxNotice(page.sandboxContext) : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(page.title)}</title><style>${STYLE}</style></head><body>${notice}<h1>${esc(page.title)}</h1>${page.body}</body></html>`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * A date as people read it, in UTC ("30 December 2026, 14:05 UTC"), inside a machine-readable
 * <time datetime> (HTML Living Standard, "the time element"). Built by hand, not with Intl, so the
 * text is the same whatever ICU data the runtime has.
 */
export function readableDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]!} ${date.getUTCFullYear()}, ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
  return `<time datetime="${esc(date.toISOString())}">${esc(text)}</time>`;
}

/** The copy-to-clipboard helper used by buttons with data-copy="<element id>". */
export const COPY_SCRIPT = `<script>document.querySelectorAll('[data-copy]').forEach(function(b){b.addEventListener('click',function(){var t=document.getElementById(b.getAttribute('data-copy')).textContent;navigator.clipboard.writeText(t).then(function(){b.textContent='Copied';});});});</script>`;
