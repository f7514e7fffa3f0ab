/**
 * The "Tools" table of docs/tools.md documents exactly the registered tools (TOOL_NAMES), one row
 * each, in the order tools/list shows them, with the right read-only flag and OAuth scope; the
 * README names every tool in brief; and the README's "Connecting clients" section covers the
 * clients the mission names.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';
import { scopeForTool } from '../../cloud/mcp/tool-scopes';
import { ALL_TOOLS } from '../../cloud/mcp/tools/index';

const ROOT = path.join(__dirname, '../..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const toolsDoc = readFileSync(path.join(ROOT, 'docs/tools.md'), 'utf8');

/** The text of `## <title>` up to the next level-2 heading. */
function section(text: string, file: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`${file} has no "## ${title}" section`);
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

interface Row {
  name: string;
  description: string;
  readOnly: string;
  oauthScope: string;
  airtableScope: string;
}

function toolRows(): Row[] {
  return section(toolsDoc, 'docs/tools.md', 'Tools')
    .split('\n')
    .filter((line) => /^\|\s*`[a-z_]+`\s*\|/.test(line))
    .map((line) => {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      const [name, description, readOnly, oauthScope, airtableScope] = cells;
      return {
        name: (name ?? '').replace(/`/g, ''),
        description: description ?? '',
        readOnly: readOnly ?? '',
        oauthScope: (oauthScope ?? '').replace(/`/g, ''),
        airtableScope: airtableScope ?? '',
      };
    });
}

it('lists exactly TOOL_NAMES, once each, in tools/list order', () => {
  expect(toolRows().map((r) => r.name)).toEqual([...TOOL_NAMES]);
});

it('names every tool in the README, before its first section', () => {
  const intro = readme.slice(0, readme.indexOf('\n## '));
  expect(TOOL_NAMES.filter((name) => !intro.includes(`\`${name}\``))).toEqual([]);
});

it('gives every tool a one-line description and its Airtable scope', () => {
  for (const row of toolRows()) {
    expect({ tool: row.name, ok: row.description.length >= 15 }).toEqual({
      tool: row.name,
      ok: true,
    });
    expect({ tool: row.name, scope: row.airtableScope.length > 0 }).toEqual({
      tool: row.name,
      scope: true,
    });
  }
});

it("marks read-only tools as the tools' annotations do, with the OAuth scope /mcp enforces", () => {
  for (const row of toolRows()) {
    const tool = ALL_TOOLS.find((t) => t.name === row.name)!;
    expect({ tool: row.name, readOnly: row.readOnly, scope: row.oauthScope }).toEqual({
      tool: row.name,
      readOnly: tool.annotations.readOnlyHint === true ? 'yes' : 'no',
      scope: scopeForTool(row.name),
    });
  }
});

it('explains how to connect ChatGPT, Claude, Claude Code, Cursor and MCP Inspector', () => {
  const text = section(readme, 'README.md', 'Connecting clients');
  for (const client of ['ChatGPT', 'Claude', 'Claude Code', 'Cursor', 'MCP Inspector'])
    expect(text).toContain(`**${client}**`);
  expect(text).toContain('/mcp');
  expect(text).toContain('Authorization: Bearer <session_id>');
  expect(text).toContain('mcp.json');
  expect(text).toContain('Streamable HTTP');
  expect(text).toMatch(/OAuth/);
});
