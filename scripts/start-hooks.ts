/** Extra local services started beside the stack (scheduler, sandbox); filled in by later parts. */
import type { Config } from '../cloud/config';
import type { RunningStack } from './stack';

export async function startHooks(
  _stack: RunningStack,
  _config: Config,
): Promise<{ stop(): Promise<void> }> {
  return { stop: async () => {} };
}
