/**
 * `npm run start:sandbox`: the real server against the strict fake Airtable (fake-airtable/) with
 * its sample bases, so the whole sign-in flow and every tool can be tried without an Airtable
 * account. The fake must be running and AIRTABLE_* must point at it BEFORE the stack loads the
 * bundle, because the bundle reads its configuration once, at load (cloud/config.ts).
 */
import { AIRTABLE_SCOPES } from '../../cloud/airtable/api-errors';
import type { Config } from '../../cloud/config';
import type { Scope } from '../../fake-airtable/state/model';
import { SAMPLE_IDS, startFakeAirtable, type FakeAirtable } from '../../fake-airtable/server';
import { StackError } from './stack-error';

export { sandboxDataDir } from './local-server';

/** Scopes of the printed PATs: everything the MCP tools can use. */
const PAT_SCOPES: Scope[] = [...AIRTABLE_SCOPES];

export interface SandboxUser {
  id: string;
  name: string;
  email: string;
  /** A personal access token of this fake user (new on every start: the fake lives in memory). */
  pat: string;
}

export interface Sandbox {
  fake: FakeAirtable;
  users: SandboxUser[];
  stop(): Promise<void>;
}

/**
 * Starts the fake (seed 'sample') on FAKE_AIRTABLE_PORT or a free port, registers our callback
 * with it, gives every sample user a PAT, and points this process's AIRTABLE_* variables at it.
 * Values from .env are overridden on purpose: a sandbox must never reach the real Airtable.
 */
export async function startSandbox(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Sandbox> {
  const port = env.FAKE_AIRTABLE_PORT ? Number(env.FAKE_AIRTABLE_PORT) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new StackError(
      `FAKE_AIRTABLE_PORT must be a port number (got "${env.FAKE_AIRTABLE_PORT}")`,
    );
  const fake = await startFakeAirtable({
    port,
    seed: 'sample',
    sandbox: true,
    redirectUris: [config.airtable.redirectUri],
  }).catch((err: unknown) => {
    throw new StackError(
      `The sandbox Airtable could not listen on port ${port}: ${(err as Error).message}. Set FAKE_AIRTABLE_PORT to a free port (or leave it unset).`,
    );
  });
  const users = fake.admin.listUsers().map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    pat: fake.admin.createPat({ userId: u.id, scopes: PAT_SCOPES, bases: 'all' }).token,
  }));
  env.AIRTABLE_CLIENT_ID = fake.clientId;
  env.AIRTABLE_CLIENT_SECRET = fake.clientSecret;
  env.AIRTABLE_OAUTH_BASE_URL = fake.url;
  env.AIRTABLE_API_BASE_URL = fake.url;
  env.AIRTABLE_CONTENT_BASE_URL = fake.contentUrl;
  env.SANDBOX = '1'; // our pages say that "Connect with Airtable" leads to the sandbox
  return { fake, users, stop: () => fake.stop() };
}

/** The one block `npm run start:sandbox` prints once the server is up. */
export function sandboxBanner(sandbox: Sandbox, config: Config, dataDir: string): string {
  const url = config.publicUrl;
  const rule = '='.repeat(78);
  const users = sandbox.users
    .map((u) => `    ${u.name} <${u.email}>  ${u.id}\n      PAT: ${u.pat}`)
    .join('\n');
  const first = sandbox.users[0];
  return `${rule}
  SANDBOX - Airtable here is a local fake with sample bases; nothing reaches airtable.com.
${rule}
  Open:            ${url}/   ("Connect with Airtable" -> the fake's consent page,
                   labelled "Airtable SANDBOX - this is not Airtable")
  MCP endpoint:    ${url}/mcp
  Fake Airtable:   ${sandbox.fake.url}   (admin API: ${sandbox.fake.url}/__admin/users)
  Sample bases:    ${SAMPLE_IDS.crmBase} "Sandbox CRM", ${SAMPLE_IDS.projectsBase} "Sandbox Project Tracker",
                   ${SAMPLE_IDS.bobBase} "Bob's private notes" (Bob only)
  Sample users (pick one on the consent page), each with a personal access token:
${users}
  Sign in with a PAT instead of OAuth:
    curl -X POST ${url}/api/auth/direct -d "api_key=${first?.pat ?? '<PAT>'}&platform=other"
  Data:            ${dataDir} (separate from npm start's). The fake lives in memory: its
                   tokens and PATs are new on every start, so sign in again after a restart.
  Ctrl-C (or SIGTERM) stops the server, its database and the fake.
${rule}`;
}
