/**
 * Runs the fake Airtable standalone:
 *   npx tsx fake-airtable/cli.ts --port 8089 --seed sample --redirect-uri http://localhost:8000/auth/callback
 * Prints its URL and client credentials; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { SAMPLE_IDS, startFakeAirtable } from './server';

const USAGE = `Usage: tsx fake-airtable/cli.ts [--port 8089] [--host 127.0.0.1] [--seed sample|none]
  [--client-id ID] [--client-secret SECRET | --no-secret] [--redirect-uri URI ...]
  [--no-rate-limit] [--quiet]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8089' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: 'sample' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'no-secret': { type: 'boolean', default: false },
      'redirect-uri': { type: 'string', multiple: true, default: [] },
      'no-rate-limit': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port\n${USAGE}`);
  if (values.seed !== 'sample' && values.seed !== 'none') throw new Error(`bad --seed\n${USAGE}`);
  const fake = await startFakeAirtable({
    port,
    host: values.host,
    seed: values.seed,
    sandbox: !values.quiet,
    redirectUris: values['redirect-uri'],
    ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
    ...(values['no-secret']
      ? { clientSecret: null }
      : values['client-secret']
        ? { clientSecret: values['client-secret'] }
        : {}),
  });
  if (values['no-rate-limit']) fake.admin.setConfig({ rateLimitEnabled: false });
  console.log(`Fake Airtable (SANDBOX - not Airtable) on ${fake.url}
  AIRTABLE_OAUTH_BASE_URL=${fake.url}
  AIRTABLE_API_BASE_URL=${fake.url}
  AIRTABLE_CONTENT_BASE_URL=${fake.contentUrl}
  AIRTABLE_CLIENT_ID=${fake.clientId}
  AIRTABLE_CLIENT_SECRET=${fake.clientSecret || '(none: public client)'}
  redirect URIs: ${values['redirect-uri'].join(', ') || '(none yet: POST /__admin/redirect-uris)'}`);
  if (values.seed === 'sample')
    console.log(
      `  sample users: ${SAMPLE_IDS.alice} (Alice), ${SAMPLE_IDS.bob} (Bob); bases: ${SAMPLE_IDS.crmBase}, ${SAMPLE_IDS.projectsBase}, ${SAMPLE_IDS.bobBase}`,
    );
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
