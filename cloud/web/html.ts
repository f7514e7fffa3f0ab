/** HTML building with escaping everywhere; every page is self-contained (no external assets). */

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

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:760px;margin:40px auto;padding:0 16px;color:#1d1f25;line-height:1.5}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.8em}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f4f5f7;padding:12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.card{border:1px solid #d9dce3;border-radius:8px;padding:16px;margin:16px 0}.card>:first-child{margin-top:0}.card>:last-child{margin-bottom:0}
.ok{border-color:#3aa655;background:#f1fbf3}.err{border-color:#d64545;background:#fdf2f2}
.secret{display:flex;gap:8px;align-items:center}.secret code{flex:1;padding:8px;background:#fff;border:1px solid #ccc;border-radius:4px;word-break:break-all}
button,.button{background:#2d7ff9;color:#fff;border:0;border-radius:6px;padding:8px 14px;font-size:1em;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#6b7280}input[type=text],input[type=password]{width:100%;padding:8px;box-sizing:border-box}
.muted{color:#5f6673;font-size:.9em}
.sandbox{background:#b00020;color:#fff;padding:10px 14px;border-radius:6px}.sandbox code{color:#fff}
`;

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The copy-to-clipboard helper used by buttons with data-copy="<element id>". */
export const COPY_SCRIPT = `<script>document.querySelectorAll('[data-copy]').forEach(function(b){b.addEventListener('click',function(){var t=document.getElementById(b.getAttribute('data-copy')).textContent;navigator.clipboard.writeText(t).then(function(){b.textContent='Copied';});});});</script>`;
