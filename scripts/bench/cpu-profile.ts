/**
 * Reads a V8 CPU profile (.cpuprofile, Chrome DevTools' format) of a server process and says where
 * its time went: each sample is given to the stage of the innermost frame that belongs to one
 * (session lookup, credential read, rate limiters, zod, JSON, MCP server construction, transport,
 * the tool, the Airtable client, Express/parse-server, ...), plus the top functions by self and
 * total time.
 *
 * The bundle is minified: frames in it are mapped back to their TypeScript or node_modules source
 * through its source maps (node:module SourceMap), and the profile written to disk carries the
 * mapped positions, so Chrome DevTools (Performance, "Load profile") shows real file names too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../build/build';

interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** A frame, where it is in the original sources: `file` relative to the project or node:... */
interface Place {
  name: string;
  file: string;
  line: number;
}

export interface StageShare {
  stage: string;
  ms: number;
  /** Share of the busy (non-idle) samples, 0..100. */
  percent: number;
}

export interface FunctionShare {
  fn: string;
  selfPercent: number;
  totalPercent: number;
}

export interface ProfileSummary {
  /** Milliseconds the profile covers, and those the main thread was busy in. */
  wallMs: number;
  busyMs: number;
  samples: number;
  stages: StageShare[];
  topSelf: FunctionShare[];
  topTotal: FunctionShare[];
}

/**
 * Stages, most specific first; the innermost frame of a sample that matches one decides. A rule
 * matches the frame's source file (relative to the project: cloud/..., node_modules/...) and,
 * when given, its function name.
 */
const STAGES: { stage: string; file: RegExp; fn?: RegExp; fallback?: boolean }[] = [
  { stage: 'JSON encode/decode', file: /^$/, fn: /^(stringify|parse)$/ },
  {
    stage: 'session lookup (keyed hash, session cache)',
    file: /cloud\/(auth\/session-auth|cache\/session-lru|crypto\/keyed-hash)\.ts$/,
  },
  { stage: 'session lookup (keyed hash, session cache)', file: /./, fn: /^findSession$/ },
  {
    stage: 'credential read (cache, Fernet decrypt, grant)',
    file: /cloud\/(cache\/credential-cache|crypto\/fernet|storage\/codec|auth\/airtable-grant|storage\/cached-store)\.ts$/,
  },
  {
    stage: 'Parse reads (Parse SDK, parse-server, PostgreSQL driver)',
    file: /cloud\/storage\/parse-|node_modules\/(parse|parse-server|pg|pg-promise|pg-protocol)\//,
  },
  {
    stage: 'rate limiters (per IP, per session, per base)',
    file: /cloud\/(http\/rate-limit|airtable\/rate-limiter|oauth-server\/rate-limit)\.ts$|node_modules\/express-rate-limit\//,
  },
  { stage: 'zod', file: /node_modules\/zod\// },
  { stage: 'Ajv', file: /node_modules\/(ajv|ajv-formats)\/|validation\/ajv/ },
  {
    stage: 'MCP transport (Streamable HTTP, Node <-> web Request)',
    file: /node_modules\/(@modelcontextprotocol\/sdk\/(dist\/[^/]+|src)\/server\/(streamableHttp|webStandardStreamableHttp)|@hono\/node-server)\b/,
  },
  {
    stage: 'MCP server construction (McpServer, handlers, resources, prompts)',
    file: /cloud\/mcp\/(server|prompts\/|resources\/)|node_modules\/@modelcontextprotocol\/sdk\/(dist\/[^/]+|src)\/server\/(mcp|completable)\.(js|ts)$|uriTemplate/,
  },
  {
    stage: 'MCP protocol dispatch (SDK Protocol)',
    file: /node_modules\/@modelcontextprotocol\/sdk\//,
  },
  { stage: 'Airtable client (request, fetch to the fake)', file: /cloud\/airtable\// },
  // deps.fetch (cloud/routes/index.ts) is the Airtable client's fetch.
  {
    stage: 'Airtable client (request, fetch to the fake)',
    file: /cloud\/routes\/index\.ts$/,
    fn: /^fetch$/,
  },
  { stage: 'the tool (list_records and its helpers)', file: /cloud\/mcp\// },
  {
    stage: '/mcp route (host check, scopes, body)',
    file: /cloud\/(routes|http|observability)\//,
  },
  {
    stage: 'Express, parse-server middleware, Node HTTP server',
    file: /node_modules\/(express|router|body-parser|raw-body|finalhandler|send|on-finished|content-type|type-is|qs|iconv-lite)\/|node:_http_|node:internal\/http/,
  },
  { stage: 'logging (pino)', file: /node_modules\/(pino|pino-std-serializers|sonic-boom)\// },
  // Only when no frame further out belongs to a stage (an async continuation's stack ends here):
  // Node's fetch serves the Airtable client, its Request/Response classes also the transport.
  {
    stage: "Node's fetch / web Request and Response (undici)",
    file: /node:internal\/deps\/undici|node_modules\/undici\//,
    fallback: true,
  },
  { stage: 'Node internals', file: /^node:/, fallback: true },
];

const SPECIAL: Record<string, string> = {
  '(garbage collector)': 'garbage collection',
  '(program)': 'V8 / native (program)',
  '(idle)': 'idle',
  '(root)': 'idle',
};

/** Maps frames of the minified bundle back to their sources; other frames pass through. */
class Mapper {
  private readonly maps = new Map<string, SourceMap | null>();
  private readonly texts = new Map<string, string[] | null>();

  place(frame: CallFrame): Place {
    const file = toPath(frame.url);
    const map = file ? this.mapFor(file) : null;
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
    if (map && file && entry && 'originalSource' in entry) {
      const source = path.resolve(path.dirname(this.mapFile(file)!), entry.originalSource);
      return {
        name: this.originalName(
          map,
          entry.originalSource,
          source,
          entry.originalLine,
          entry.originalColumn,
          frame,
        ),
        file: shortPath(source),
        line: entry.originalLine + 1,
      };
    }
    return {
      name: frame.functionName || '(anonymous)',
      file: file ? shortPath(file) : frame.url,
      line: frame.lineNumber + 1,
    };
  }

  private mapFile(file: string): string | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text);
    return m ? path.resolve(path.dirname(file), m[1]!) : undefined;
  }

  private mapFor(file: string): SourceMap | null {
    if (!file.includes(`${path.sep}dist${path.sep}`)) return null;
    if (!this.maps.has(file)) {
      const mapFile = this.mapFile(file);
      let map: SourceMap | null = null;
      try {
        if (mapFile)
          map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload);
      } catch {
        map = null;
      }
      this.maps.set(file, map);
    }
    return this.maps.get(file) ?? null;
  }

  /**
   * Minification renamed local functions (methods keep theirs): read the name back from the
   * original source line at the mapped position (`function name(`, `name(`, `name = (`...).
   */
  private originalName(
    map: SourceMap,
    sourceInMap: string,
    source: string,
    line: number,
    column: number,
    frame: CallFrame,
  ): string {
    if (!this.texts.has(source)) {
      const payload = map.payload;
      const i = payload.sources.indexOf(sourceInMap);
      // sourcesContent entries may be null (esbuild: sources it could not read).
      let text: string | null | undefined = i >= 0 ? payload.sourcesContent?.[i] : undefined;
      if (typeof text !== 'string')
        try {
          text = readFileSync(source, 'utf8');
        } catch {
          text = undefined;
        }
      this.texts.set(source, typeof text === 'string' ? text.split('\n') : null);
    }
    const src = this.texts.get(source)?.[line];
    if (src) {
      const before = src.slice(0, column + 1);
      const m =
        /(?:function\*?|class)\s+([\w$]+)\s*[(<]?[^(]*$/.exec(before) ??
        /([\w$]+)\s*(?:=|:)\s*(?:async\s*)?(?:function\b|\(|[\w$]+\s*=>)[^=]*$/.exec(before) ??
        /(?:async\s+|get\s+|set\s+|static\s+|\*\s*)?([\w$]+)\s*(?:<[^>]*>)?\s*\($/.exec(before) ??
        /([\w$]+)\s*(?:<[^>]*>)?\s*\(/.exec(src.slice(column));
      if (m && !/^(if|for|while|switch|catch|return|function|async|await)$/.test(m[1]!))
        return m[1]!;
    }
    return frame.functionName || '(anonymous)';
  }
}

function toPath(url: string): string | undefined {
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (url.startsWith('/')) return url;
  return undefined;
}

/** node_modules/... wherever it sits (the bench builds into a temp folder), else project-relative. */
function shortPath(file: string): string {
  const nm = file.lastIndexOf(`node_modules${path.sep}`);
  if (nm >= 0) return file.slice(nm);
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

function ruleOf(place: Place): (typeof STAGES)[number] | undefined {
  for (const rule of STAGES)
    if (rule.file.test(place.file) && (!rule.fn || rule.fn.test(place.name))) return rule;
  return undefined;
}

/** The sample's stage: the innermost frame with a stage, node internals only as a last resort. */
function stageOfStack(stack: Place[]): string {
  let fallback: string | undefined;
  for (let i = 0; i < stack.length; i++) {
    const rule = ruleOf(stack[i]!);
    if (!rule) continue;
    if (rule.fallback) {
      fallback ??=
        rule.stage === 'Node internals'
          ? `${rule.stage} (${stack[i]!.file.replace(/^node:(internal\/)?/, '').replace(/\/.*$/, '')})`
          : rule.stage;
      continue;
    }
    return rule.stage === 'zod' ? zodStage(stack, i) : rule.stage;
  }
  return fallback ?? 'other';
}

/** Splits zod's share by who asked: the tool's input or output check, or the MCP SDK. */
function zodStage(stack: Place[], from: number): string {
  for (let i = from + 1; i < stack.length; i++) {
    const p = stack[i]!;
    if (p.file.endsWith('cloud/mcp/define-tool.ts'))
      return p.name === 'runTool'
        ? 'zod: tool output check'
        : 'zod: tool input check (define-tool call)';
    // The SDK's zod helpers say nothing about who asked: look further out.
    if (/@modelcontextprotocol\/sdk\/.*\/zod-(compat|json-schema-compat)\./.test(p.file)) continue;
    // registerPrompt/registerResource normalise their zod schemas: building the server.
    if (
      /cloud\/mcp\/(server|prompts\/|resources\/)|@modelcontextprotocol\/sdk\/.*\/server\/mcp\./.test(
        p.file,
      )
    )
      return 'MCP server construction (McpServer, handlers, resources, prompts)';
    if (p.file.includes('@modelcontextprotocol/sdk'))
      return 'zod: MCP SDK message checks (JSON-RPC, request schemas)';
    if (p.file.startsWith('cloud/airtable/')) return 'zod: Airtable response checks';
    if (p.file.startsWith('cloud/')) return `zod: ${p.file}`;
  }
  return 'zod: other';
}

/** Where `profile`'s busy time went: by stage, and the top functions by self and total time. */
export function summariseProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const mapper = new Mapper();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const places = new Map<number, Place>();
  for (const n of profile.nodes) places.set(n.id, mapper.place(n.callFrame));

  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Sample i lasted until sample i+1 (V8 records the delta before each sample).
  const dur = (i: number) => Math.max(0, (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  const stageMs = new Map<string, number>();
  const selfMs = new Map<string, number>();
  const totalMs = new Map<string, number>();
  let busyMs = 0;
  let wallMs = 0;
  samples.forEach((id, i) => {
    const ms = dur(i);
    wallMs += ms;
    const leaf = byId.get(id);
    if (!leaf) return;
    const special = SPECIAL[leaf.callFrame.functionName];
    if (special === 'idle') return;
    busyMs += ms;
    const stack: Place[] = [];
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const node = byId.get(n)!;
      if (node.callFrame.functionName === '(root)') break;
      stack.push(places.get(n)!);
    }
    const key = (p: Place) => `${p.name} ${p.file}:${p.line}`;
    if (stack[0]) selfMs.set(key(stack[0]), (selfMs.get(key(stack[0])) ?? 0) + ms);
    for (const k of new Set(stack.map(key))) totalMs.set(k, (totalMs.get(k) ?? 0) + ms);
    const stage = special ?? stageOfStack(stack);
    stageMs.set(stage, (stageMs.get(stage) ?? 0) + ms);
  });
  const pct = (ms: number) => (busyMs > 0 ? Math.round((ms / busyMs) * 1000) / 10 : 0);
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const fnShare = ([fn]: [string, number]): FunctionShare => ({
    fn,
    selfPercent: pct(selfMs.get(fn) ?? 0),
    totalPercent: pct(totalMs.get(fn) ?? 0),
  });
  return {
    wallMs: Math.round(wallMs),
    busyMs: Math.round(busyMs),
    samples: samples.length,
    stages: sorted(stageMs).map(([stage, ms]) => ({
      stage,
      ms: Math.round(ms),
      percent: pct(ms),
    })),
    topSelf: sorted(selfMs).slice(0, top).map(fnShare),
    topTotal: sorted(totalMs)
      .filter(
        ([fn]) => !fn.startsWith('(') && !/^(processTicksAndRejections|listOnTimeout) /.test(fn),
      )
      .slice(0, top)
      .map(fnShare),
  };
}

/** Writes `profile` with every bundle frame pointing at its original source (for DevTools). */
export function writeMappedProfile(profile: CpuProfile, file: string): void {
  const mapper = new Mapper();
  const nodes = profile.nodes.map((n) => {
    if (!n.callFrame.url.includes('/dist/')) return n;
    const p = mapper.place(n.callFrame);
    return {
      ...n,
      callFrame: {
        ...n.callFrame,
        functionName: p.name,
        url: p.file.startsWith('/') ? `file://${p.file}` : `file://${path.join(ROOT, p.file)}`,
        lineNumber: p.line - 1,
        columnNumber: 0,
      },
    };
  });
  writeFileSync(file, JSON.stringify({ ...profile, nodes }));
}

export function renderSummary(s: ProfileSummary): string {
  const lines = [
    `profile: ${s.samples} samples over ${(s.wallMs / 1000).toFixed(1)} s, main thread busy ${(s.busyMs / 1000).toFixed(1)} s (${s.wallMs > 0 ? Math.round((s.busyMs / s.wallMs) * 100) : 0}%)`,
    '',
    'busy time by stage (innermost frame that belongs to a stage):',
    ...s.stages.map((x) => `  ${x.percent.toFixed(1).padStart(5)}%  ${x.stage}`),
    '',
    'top functions by self time (self% / total%):',
    ...s.topSelf.map(
      (f) =>
        `  ${f.selfPercent.toFixed(1).padStart(5)}% / ${f.totalPercent.toFixed(1).padStart(5)}%  ${f.fn}`,
    ),
    '',
    'top functions by total time (total% / self%):',
    ...s.topTotal.map(
      (f) =>
        `  ${f.totalPercent.toFixed(1).padStart(5)}% / ${f.selfPercent.toFixed(1).padStart(5)}%  ${f.fn}`,
    ),
  ];
  return lines.join('\n');
}

/** `tsx scripts/cpu-profile.ts <file.cpuprofile>`: the summary of a saved profile. */
if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx scripts/cpu-profile.ts <file.cpuprofile>');
    process.exit(2);
  }
  console.log(
    renderSummary(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)),
  );
}
