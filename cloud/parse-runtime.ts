/**
 * Access to the `Parse` global that parse-server (and Back4App) provide to Cloud Code. The bundle
 * must never import `parse/node` (platform-facts.md: a second SDK copy would not share
 * parse-server's configuration); types only are imported here.
 */
import type ParseNS from 'parse/node';
import type { SchemaRequest } from './schema/apply';

export type ParseSdk = typeof ParseNS;

export function getParse(): ParseSdk {
  const p = (globalThis as unknown as { Parse?: ParseSdk }).Parse;
  if (!p) {
    throw new Error(
      'The global Parse SDK is missing: this code must run as Parse Cloud Code (Back4App or npm start).',
    );
  }
  return p;
}

/** Master-key REST call through parse-server's in-process controller (no HTTP, works before listen). */
export const masterSchemaRequest: SchemaRequest = async (method, path, body) => {
  const Parse = getParse();
  return Parse.CoreManager.getRESTController().request(method, path, body ?? {}, {
    useMasterKey: true,
  });
};
