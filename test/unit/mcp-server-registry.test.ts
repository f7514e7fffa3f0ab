/**
 * createMcpServer builds the resources and the prompts only for a request that can use them
 * (cloud/mcp/server.ts: the SDK's registerPrompt/registerResource cost CPU on every request), and
 * nothing a client can observe changes: initialize announces the same capabilities, every
 * resources/*, prompts/* and completion/complete method answers as it does on a server built for
 * everything, and a request without those methods never reaches them.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer, needsRegistry } from '../../cloud/mcp/server';
import { offlineToolContext } from '../helpers/offline-tool-context';
import { messageMethods } from '../../cloud/mcp/tool-scopes';

const clients: Client[] = [];

const ctx = offlineToolContext;

/** A client of a server built for exactly these methods (undefined: for everything). */
async function connect(methods?: string[]): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  await createMcpServer(ctx(), methods ? { methods: new Set(methods) } : {}).connect(b);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(a);
  clients.push(client);
  return client;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

async function errorCode(p: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof McpError) return err.code;
    throw err;
  }
}

describe('messageMethods and needsRegistry', () => {
  it('reads the methods of one message or a batch, ignoring anything else', () => {
    expect([...messageMethods({ jsonrpc: '2.0', id: 1, method: 'tools/call' })]).toEqual([
      'tools/call',
    ]);
    expect([
      ...messageMethods([{ method: 'tools/list' }, { method: 'prompts/get' }, { method: 7 }, null]),
    ]).toEqual(['tools/list', 'prompts/get']);
    expect(messageMethods('not json-rpc').size).toBe(0);
  });

  it('resources and prompts only for their own methods and completion/complete', () => {
    const need = (ms: string[] | undefined, kind: 'resources' | 'prompts') =>
      needsRegistry(ms && new Set(ms), kind);
    expect(need(undefined, 'resources')).toBe(true);
    expect(need(undefined, 'prompts')).toBe(true);
    for (const m of [
      'tools/call',
      'tools/list',
      'initialize',
      'ping',
      'notifications/initialized',
    ]) {
      expect(need([m], 'resources')).toBe(false);
      expect(need([m], 'prompts')).toBe(false);
    }
    expect(need(['resources/read'], 'resources')).toBe(true);
    expect(need(['resources/templates/list'], 'prompts')).toBe(false);
    expect(need(['prompts/get'], 'prompts')).toBe(true);
    expect(need(['prompts/list'], 'resources')).toBe(false);
    expect(need(['completion/complete'], 'resources')).toBe(true);
    expect(need(['completion/complete'], 'prompts')).toBe(true);
    expect(need(['tools/call', 'prompts/list'], 'prompts')).toBe(true);
  });
});

describe('a server built for the request', () => {
  it('initialize announces tools, resources and prompts as the full server does', async () => {
    const full = await connect();
    const lean = await connect(['initialize']);
    expect(lean.getServerCapabilities()).toEqual(full.getServerCapabilities());
    expect(lean.getServerCapabilities()).toMatchObject({
      tools: { listChanged: false },
      resources: { listChanged: false, subscribe: false },
      prompts: { listChanged: false },
    });
    expect(lean.getInstructions()).toEqual(full.getInstructions());
  });

  it('answers every prompts/*, resources/* and completion method like the full server', async () => {
    const full = await connect();
    const same = async (method: string, call: (c: Client) => Promise<unknown>) => {
      const lean = await connect(['initialize', method]);
      const [a, b] = await Promise.allSettled([call(full), call(lean)]);
      expect({ method, lean: b }).toEqual({ method, lean: a });
    };
    await same('prompts/list', (c) => c.listPrompts());
    await same('prompts/get', (c) =>
      c.getPrompt({ name: 'explore_base', arguments: { baseId: 'appAAAAAAAAAAAAAA' } }),
    );
    await same('prompts/get', (c) => c.getPrompt({ name: 'explore_base', arguments: {} }));
    await same('resources/templates/list', (c) => c.listResourceTemplates());
    await same('resources/read', (c) => c.readResource({ uri: 'x://y' }));
    await same('completion/complete', (c) =>
      c.complete({
        ref: { type: 'ref/prompt', name: 'explore_base' },
        argument: { name: 'baseId', value: 'app' },
      }),
    );
    const listed = await full.listPrompts();
    expect(listed.prompts.map((p) => p.name).sort()).toEqual([
      'clean_up_duplicates',
      'explore_base',
      'watch_table_changes',
    ]);
  });

  it('a tools/call or tools/list request has no prompts or resources to reach', async () => {
    const lean = await connect(['tools/call', 'tools/list']);
    expect((await lean.listTools()).tools.length).toBeGreaterThan(20);
    expect(await errorCode(lean.listPrompts())).toBe(ErrorCode.MethodNotFound);
    expect(await errorCode(lean.listResourceTemplates())).toBe(ErrorCode.MethodNotFound);
    // The tool itself still runs, with its input checked first.
    const bad = await lean.callTool({ name: 'list_records', arguments: { baseId: 'nope' } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('Input validation error');
  });
});
