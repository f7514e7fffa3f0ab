/**
 * How tests start our TypeScript scripts in a child process: scripts/run.cjs, as npm does - plain
 * node, one process (a signal sent to the child reaches the script itself), the bundle cached in
 * node_modules/.cache and rebuilt only when a source changed. No tsx: no second process, and no
 * compile cache in the system temp folder.
 */
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/** [command, ...args] running `script` (a path relative to the project) with `args`. */
export function scriptCommand(script: string, args: string[] = []): [string, string[]] {
  return [process.execPath, [path.join(ROOT, 'scripts/run.cjs'), script, ...args]];
}
