/**
 * Child process of `npm run test:compat`: requires dist/cloud/main.js and app.js under whatever
 * Node runs it (Node 18 in practice: Back4App's Node version is UNVERIFIED) with stub `Parse` and
 * `app` globals, and prints one JSON line with what they registered. It proves the bundle parses
 * and initialises on that Node, not that every code path runs there.
 *
 * Input: COMPAT_DIST_DIR, plus the app's own variables (SECRET_KEY, ENCRYPTION_KEY, ...).
 */
import path from 'node:path';

const registered: Record<string, string[]> = { cloud: [], routes: [] };

/** Any property is another stub, any call returns a stub; awaiting one resolves to it. */
function anything(): unknown {
  const target = function () {} as unknown as object;
  const proxy: unknown = new Proxy(target, {
    get: (_t, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

const recordCalls = (bucket: string[], prefix: string) =>
  new Proxy(
    {},
    {
      get:
        (_t, key) =>
        (...args: unknown[]) => {
          const first = args[0];
          const name =
            typeof first === 'string'
              ? first
              : typeof first === 'function'
                ? first.name || '(class)'
                : '';
          bucket.push(`${prefix}${String(key)} ${name}`.trim());
          return anything();
        },
    },
  );

const parseStub = new Proxy(anything() as object, {
  get: (t, key) => (key === 'Cloud' ? recordCalls(registered.cloud!, '') : Reflect.get(t, key)),
});
(globalThis as { Parse?: unknown }).Parse = parseStub;
(globalThis as { app?: unknown }).app = recordCalls(registered.routes!, '');

const dist = process.env.COMPAT_DIST_DIR;
if (!dist) throw new Error('COMPAT_DIST_DIR is not set');
const loaded: string[] = [];
for (const file of ['main.js', 'app.js']) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as Back4App would
  require(path.join(dist, 'cloud', file));
  loaded.push(file);
}
// Let load-time promises settle (they only meet stubs), then report and stop timers.
setTimeout(() => {
  console.log(JSON.stringify({ node: process.version, loaded, ...registered }));
  process.exit(0);
}, 200);
