/**
 * parse-server 9.10's PromiseRouter breaks with router 2.3.0 (platform-facts.md): package.json pins
 * router 2.2.0 through "overrides" until upstream fixes it. This fails if the pin is lost.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

it('installs router 2.2.0', () => {
  const pkg = JSON.parse(
    readFileSync(path.resolve(__dirname, '../../node_modules/router/package.json'), 'utf8'),
  ) as { version: string };
  expect(pkg.version).toBe('2.2.0');
  const root = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
    overrides: Record<string, string>;
  };
  expect(root.overrides.router).toBe('2.2.0');
});
