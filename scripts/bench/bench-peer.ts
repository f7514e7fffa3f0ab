/**
 * The peer: domdomegg/airtable-mcp-server (npm `airtable-mcp-server`, the most used open-source
 * Airtable MCP server) in its own stateless HTTP mode (`MCP_TRANSPORT=http`, its dist/main.js run
 * unmodified), pointed at the same fake as our server.
 *
 * Its HTTP mode cannot take an Airtable base URL: main.js builds `new AirtableService(apiKey)`,
 * whose base URL defaults to https://api.airtable.com and is read from no setting. So the child
 * starts with a tiny preload (`node --import`) that rewrites fetch() calls to that origin into
 * calls to the fake; AirtableService captures the global fetch when it is constructed, after the
 * preload ran. Nothing else of the peer changes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../build/build';
import { childEnv, removeOnExit, spawnReady, type ChildServer } from './bench-procs';
import { freePort } from '../dev/stack';

const PEER_MAIN = path.join(ROOT, 'node_modules/airtable-mcp-server/dist/main.js');

const PRELOAD = `// Benchmark only: the peer has no Airtable base-URL setting; send its API calls to the fake.
const AIRTABLE = 'https://api.airtable.com';
const target = process.env.BENCH_AIRTABLE_URL;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) =>
  realFetch(
    typeof input === 'string' && input.startsWith(AIRTABLE) ? target + input.slice(AIRTABLE.length) : input,
    init,
  );
`;

/** Starts the peer on a free port of this machine, acting with `pat` on the fake at `fakeUrl`. */
export async function startPeer(fakeUrl: string, pat: string): Promise<ChildServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airtable-mcp-bench-peer-'));
  const onExit = removeOnExit(dir);
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
    onExit.forget();
  };
  const preload = path.join(dir, 'fetch-to-fake.mjs');
  writeFileSync(preload, PRELOAD);
  const port = await freePort();
  try {
    const peer = await spawnReady({
      name: 'airtable-mcp-server (peer)',
      args: ['--import', preload, PEER_MAIN],
      env: childEnv({
        NODE_ENV: 'bench',
        MCP_TRANSPORT: 'http',
        PORT: String(port),
        AIRTABLE_API_KEY: pat,
        BENCH_AIRTABLE_URL: fakeUrl,
      }),
      // It announces itself on stderr: "Airtable MCP server running on http://localhost:<port>/mcp".
      ready: /running on http:\/\/\S+\/mcp/,
      readyOn: 'stderr',
      url: `http://127.0.0.1:${port}`,
    });
    return {
      ...peer,
      stop: async () => {
        await peer.stop();
        remove();
      },
    };
  } catch (err) {
    remove();
    throw err;
  }
}
