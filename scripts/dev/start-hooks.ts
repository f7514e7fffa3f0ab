/**
 * Local services beside the stack. parse-server never schedules jobs itself (platform-facts.md);
 * Back4App runs `cleanupExpiredData` from Server Settings -> Background Jobs, so `npm start` does
 * the same with croner on CLEANUP_SCHEDULE (default daily at 03:00 local time), by the same route
 * an operator would use: POST /parse/jobs/<name> with the master key.
 */
import { Cron } from 'croner';
import type { Config } from '../../cloud/config';
import type { RunningStack } from './stack';

export const CLEANUP_JOB = 'cleanupExpiredData';

/** Starts a job over the REST API; resolves the _JobStatus id parse-server answers with. */
export async function triggerJob(stack: RunningStack, name: string): Promise<string> {
  const appId = process.env.PARSE_APP_ID;
  const masterKey = process.env.PARSE_MASTER_KEY;
  if (!appId || !masterKey) throw new Error('PARSE_APP_ID and PARSE_MASTER_KEY must be set');
  const res = await fetch(`${stack.url}/parse/jobs/${name}`, {
    method: 'POST',
    headers: {
      'X-Parse-Application-Id': appId,
      'X-Parse-Master-Key': masterKey,
      'Content-Type': 'application/json',
    },
    body: '{}',
    signal: AbortSignal.timeout(30_000),
  });
  await res.text(); // drain
  if (!res.ok) throw new Error(`POST /parse/jobs/${name} answered ${res.status}`);
  return res.headers.get('x-parse-job-status-id') ?? '';
}

export async function startHooks(
  stack: RunningStack,
  config: Config,
): Promise<{ stop(): Promise<void> }> {
  const run = async () => {
    try {
      const jobId = await triggerJob(stack, CLEANUP_JOB);
      console.log(`${CLEANUP_JOB} started (_JobStatus ${jobId})`);
    } catch (err) {
      console.error(`${CLEANUP_JOB} could not be started: ${(err as Error).message}`);
    }
  };
  let cleanup: Cron;
  try {
    cleanup = new Cron(config.cleanupSchedule, { name: CLEANUP_JOB, protect: true }, run);
  } catch (err) {
    // start.ts ignores a failing hook; say why nothing will be scheduled.
    console.error(
      `CLEANUP_SCHEDULE "${config.cleanupSchedule}" is not a cron pattern (${(err as Error).message}); ${CLEANUP_JOB} is not scheduled. Example: "0 3 * * *" (daily at 03:00).`,
    );
    throw err;
  }
  const next = cleanup.nextRun();
  if (next)
    console.log(`${CLEANUP_JOB} scheduled "${config.cleanupSchedule}", next ${next.toISOString()}`);
  return {
    stop: async () => {
      cleanup.stop();
    },
  };
}
