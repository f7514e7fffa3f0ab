/** The deployable bundle never loads express or parse/node (globals on Back4App). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { harness } from '../harness/env';

/** The bundle the harness built and loaded (the same build `b4a deploy` uploads). */
const dist = path.join(harness().distDir, 'cloud');

describe.each(['main.js', 'app.js'])('dist/cloud/%s', (file) => {
  const code = readFileSync(path.join(dist, file), 'utf8');
  it('does not require express', () => {
    expect(code).not.toMatch(/require\(["']express["']\)/);
  });
  it('does not require parse or parse/node', () => {
    expect(code).not.toMatch(/require\(["']parse(\/node)?["']\)/);
  });
  it('is CommonJS', () => {
    expect(code).toMatch(/module\.exports|require\(/);
  });
});
