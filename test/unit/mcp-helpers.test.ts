/** The pieces under the tools: batching, size budget, error results, and cheap server construction. */
import { AirtableApi } from '../../cloud/airtable/api-client';
import { AirtableApiError } from '../../cloud/airtable/api-errors';
import { AirtableRateLimiter } from '../../cloud/airtable/rate-limiter';
import { chunk, writeInBatches } from '../../cloud/mcp/batching';
import {
  configureResultSize,
  DEFAULT_MAX_RESULT_CHARS,
  fittingPrefix,
  jsonLength,
  maxResultChars,
  pageFrom,
  shortenLongTexts,
} from '../../cloud/mcp/result-size';
import { createMcpServer, listedTools } from '../../cloud/mcp/server';
import type { ToolContext } from '../../cloud/mcp/tool-context';
import { PartialWriteError, ToolInputError, toolErrorResult } from '../../cloud/mcp/tool-errors';
import { TOOL_NAMES } from '../../cloud/mcp/tool-names';

const ctx: ToolContext = {
  airtable: new AirtableApi({
    baseUrl: 'https://api.test',
    fetch: (async () => new Response('{}')) as typeof fetch,
    tokens: { getAccessToken: async () => 't', refreshAfterUnauthorized: async () => null },
    limiter: new AirtableRateLimiter(),
    userKey: 'usr1',
    isPat: false,
  }),
  user: {
    userId: 'usr1',
    platform: 'claude',
    kind: 'oauth',
    scopes: ['data.records:read'],
    sessionExpiresAt: new Date(),
  },
  links: { reconnectUrl: 'https://mcp.example/reconnect' },
};

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

describe('batching', () => {
  it('chunks into tens', () => {
    expect(chunk(Array.from({ length: 25 }, (_, i) => i)).map((c) => c.length)).toEqual([
      10, 10, 5,
    ]);
    expect(chunk([])).toEqual([]);
  });

  it('a failure after some batches says what was written', async () => {
    let n = 0;
    const write = async (batch: number[]) => {
      if (++n === 3) throw new ToolInputError('boom');
      return batch.map((i) => ({ id: `rec${i}` }));
    };
    const items = Array.from({ length: 25 }, (_, i) => i);
    const err = await writeInBatches(items, 'created', write).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialWriteError);
    expect((err as PartialWriteError).progress).toMatch(/^20 of 25 records were created/);
    const r = toolErrorResult('create_records', err, ctx);
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('boom');
    expect(text(r)).toContain('rec19');
  });

  it('a failure in the first batch is passed through as it is', async () => {
    const err = await writeInBatches([1], 'created', async () => {
      throw new ToolInputError('first');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolInputError);
  });
});

describe('result size', () => {
  it('fittingPrefix keeps whole items under the budget', () => {
    const items = Array.from({ length: 10 }, () => 'x'.repeat(98)); // 100 chars as JSON
    const fit = fittingPrefix(items, 0, 505);
    expect(fit.items).toHaveLength(5);
    expect(fit.chars).toBe(505);
    expect(jsonLength(items[0])).toBe(100);
  });

  it('pageFrom continues where the last part stopped, and always makes progress', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ i, pad: 'x'.repeat(90) }));
    const seen: number[] = [];
    let start = 0;
    for (let n = 0; n < 20; n++) {
      const page = pageFrom(items, start, 10_000);
      expect(jsonLength(page.items)).toBeLessThanOrEqual(10_000 - 2_000);
      seen.push(...page.items.map((x) => x.i));
      if (page.next === undefined) break;
      start = page.next;
    }
    expect(seen).toEqual(items.map((x) => x.i));
    const huge = pageFrom([{ big: 'y'.repeat(20_000) }, { small: 1 }], 0, 10_000);
    expect(huge).toMatchObject({ next: 1, oversized: true });
    expect(huge.items).toHaveLength(1);
    expect(pageFrom(items, 300, 10_000)).toEqual({ items: [] });
  });

  it('the budget comes from the connection, else the process setting, within safe bounds', () => {
    expect(maxResultChars()).toBe(DEFAULT_MAX_RESULT_CHARS);
    try {
      configureResultSize(50_000);
      expect(maxResultChars()).toBe(50_000);
      expect(maxResultChars({ limits: { maxResultChars: 20_000 } })).toBe(20_000);
      expect(maxResultChars({ limits: { maxResultChars: 5 } })).toBe(10_000);
      configureResultSize(1e9);
      expect(maxResultChars()).toBe(1_000_000);
    } finally {
      configureResultSize(DEFAULT_MAX_RESULT_CHARS);
    }
  });
});

describe('toolErrorResult', () => {
  it('Airtable errors carry status, type, message and a hint with this user context', () => {
    const err = new AirtableApiError(
      {
        status: 403,
        type: 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
        airtableMessage: 'Invalid permissions',
        requiredScope: 'data.records:write',
      },
      { isPat: false },
    );
    const t = text(toolErrorResult('create_records', err, ctx));
    expect(t).toContain(
      'Airtable error 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND: Invalid permissions',
    );
    expect(t).toContain('not granted the "data.records:write" scope');
    expect(t).toContain('https://mcp.example/reconnect');
  });

  it('unknown errors give no detail', () => {
    const r = toolErrorResult('whoami', new Error('secret-ish detail'), ctx);
    expect(text(r)).not.toContain('secret-ish');
    expect(text(r)).toContain('Internal error in whoami');
  });
});

describe('createMcpServer', () => {
  it('is cheap to build per request (definitions and tools/list are built once)', () => {
    createMcpServer(ctx);
    const tools = listedTools();
    expect(listedTools()).toBe(tools);
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) createMcpServer(ctx);
    const perServerMs = (performance.now() - t0) / 200;
    expect(perServerMs).toBeLessThan(5);
  });
});

describe('shortenLongTexts', () => {
  it('cuts the longest texts until the record fits, and says which', () => {
    const fields = { a: 'x'.repeat(80_000), b: 'y'.repeat(60_000), n: 5 };
    const { fields: out, cut } = shortenLongTexts(fields);
    expect(jsonLength(out)).toBeLessThanOrEqual(98_000);
    expect(cut).toEqual(['a']);
    expect(out.b).toBe(fields.b);
    expect(String(out.a)).toMatch(/\[cut: \d+ more characters\]$/);
    expect(shortenLongTexts({ s: 'short' }).cut).toEqual([]);
  });
});
