/**
 * Every relative link in README.md, docs/*.md and the READMEs inside cloud/ and fake-airtable/
 * points at a file that exists, and every
 * `#anchor` into a Markdown file at one of its headings (GitHub's heading ids), so moving or
 * renaming a file or a heading cannot break the documentation silently. The pages also speak to a
 * newcomer: no words that only make sense inside the project's history (issue numbers, "the
 * seed's" endpoints).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Pages other work adds to docs/; a link to one is checked once the file exists. */
const EXPECTED_SOON = new Set(
  ['benchmarks.md', 'clients-and-conformance.md', 'mcp-spec-compliance.md', 'pages.md'].map((f) =>
    path.join(ROOT, 'docs', f),
  ),
);

/** The newcomer's pages: README.md and docs/*.md. */
function pages(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(ROOT, 'docs', f));
  return [path.join(ROOT, 'README.md'), ...docs];
}

function markdownUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'node_modules' ? [] : markdownUnder(file);
    return name.endsWith('.md') ? [file] : [];
  });
}

/** Every page whose links are checked: the newcomer's, and the READMEs next to the code. */
function linkedPages(): string[] {
  return [
    ...pages(),
    ...['cloud', 'fake-airtable'].flatMap((d) => markdownUnder(path.join(ROOT, d))),
  ];
}

/** The text without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Inline links `[text](target)` and reference definitions `[id]: target`. */
function links(markdown: string): string[] {
  const text = prose(markdown);
  const found = [...text.matchAll(/\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
  for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*(?:<([^>\n]+)>|(\S+))/gm))
    found.push((m[1] ?? m[2])!);
  return found;
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  const text = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = m[1]!
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    ids.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return ids;
}

interface Broken {
  page: string;
  link: string;
  problem: string;
}

function brokenLinks(): Broken[] {
  const broken: Broken[] = [];
  for (const page of linkedPages()) {
    const markdown = readFileSync(page, 'utf8');
    const rel = path.relative(ROOT, page);
    for (const link of links(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: ...: not ours to check
      const [file = '', anchor] = link.split('#', 2);
      const target = file === '' ? page : path.resolve(path.dirname(page), decodeURI(file));
      if (!target.startsWith(ROOT + path.sep) && target !== ROOT) {
        broken.push({ page: rel, link, problem: 'points outside the repository' });
        continue;
      }
      if (!existsSync(target)) {
        if (!EXPECTED_SOON.has(target)) broken.push({ page: rel, link, problem: 'no such file' });
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (statSync(target).isDirectory() || !target.endsWith('.md')) {
        broken.push({ page: rel, link, problem: 'an anchor into something that is not Markdown' });
        continue;
      }
      if (!anchors(readFileSync(target, 'utf8')).has(decodeURIComponent(anchor)))
        broken.push({ page: rel, link, problem: `no heading with id "${anchor}"` });
    }
  }
  return broken;
}

it('reads links and heading ids as GitHub does', () => {
  expect(links('See [a](docs/a.md#x) and `[b](c.md)`, [d](<e f.md>), [g](h.md "t").')).toEqual([
    'docs/a.md#x',
    'e f.md',
    'h.md',
  ]);
  expect([
    ...anchors('# Threat model: who can do what\n## `/mcp` request, step by step\n## A\n## A\n'),
  ]).toEqual(['threat-model-who-can-do-what', 'mcp-request-step-by-step', 'a', 'a-1']);
});

it('every relative link in README.md, docs/ and the code READMEs resolves', () => {
  expect(linkedPages().length).toBeGreaterThan(7);
  expect(brokenLinks()).toEqual([]);
});

it('README.md and docs/*.md use no words from inside the project history', () => {
  const found: { page: string; words: string }[] = [];
  for (const page of pages()) {
    const text = readFileSync(page, 'utf8');
    for (const m of text.matchAll(/\b(?:issues? \d+|the issue's|the seed(?:'s)?\b[^.\n]{0,20})/gi))
      found.push({ page: path.relative(ROOT, page), words: m[0] });
  }
  expect(found).toEqual([]);
});

it('the README stays a short page for a newcomer (about 200 lines; the rest belongs in docs/)', () => {
  const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length;
  expect(lines).toBeLessThanOrEqual(250);
});
