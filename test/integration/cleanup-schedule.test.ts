/**
 * `npm start` schedules cleanupExpiredData with croner (scripts/dev/start-hooks.ts) the way Back4App's
 * Background Jobs would: POST /parse/jobs/cleanupExpiredData with the master key. Here with a
 * every-second pattern against the test stack; stop() must end the schedule.
 */
import type { Config } from '../../cloud/config';
import { startHooks } from '../../scripts/dev/start-hooks';
import type { RunningStack } from '../../scripts/dev/stack';
import { harness, parseRest } from '../harness/env';

const h = harness();

async function jobsSince(since: Date): Promise<number> {
  const where = encodeURIComponent(
    JSON.stringify({
      jobName: 'cleanupExpiredData',
      createdAt: { $gt: { __type: 'Date', iso: since.toISOString() } },
    }),
  );
  const res = await parseRest('GET', `classes/_JobStatus?where=${where}&count=1&limit=0`, {
    'X-Parse-Master-Key': h.masterKey,
  });
  return Number(res.json.count);
}

it('runs the job on the schedule and stops when asked', async () => {
  const stack = { url: h.baseUrl } as RunningStack;
  const since = new Date();
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  const hooks = await startHooks(stack, { cleanupSchedule: '* * * * * *' } as Config);
  try {
    for (let i = 0; i < 40 && (await jobsSince(since)) === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await jobsSince(since)).toBeGreaterThan(0);
  } finally {
    await hooks.stop();
    log.mockRestore();
  }
  await new Promise((r) => setTimeout(r, 300)); // a POST already in flight may still land
  const settled = await jobsSince(since);
  await new Promise((r) => setTimeout(r, 1500));
  expect(await jobsSince(since)).toBe(settled);
});

it('says so when CLEANUP_SCHEDULE is not a cron pattern', async () => {
  const error = jest.spyOn(console, 'error').mockImplementation(() => {});
  await expect(
    startHooks({ url: h.baseUrl } as RunningStack, { cleanupSchedule: 'daily' } as Config),
  ).rejects.toThrow();
  expect(error.mock.calls.flat().join(' ')).toMatch(/CLEANUP_SCHEDULE "daily"/);
  error.mockRestore();
});
