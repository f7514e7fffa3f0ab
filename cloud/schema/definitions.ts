/**
 * The Parse classes this server owns, loaded from `schema/*.json` (bundled into Cloud Code by
 * esbuild so the deployed code can check and repair its own schema at load time).
 * docs/storage-schema.md documents every field.
 */
import { z } from 'zod';
import OAuthClient from '../../schema/OAuthClient.json';
import OAuthCode from '../../schema/OAuthCode.json';
import OAuthConsent from '../../schema/OAuthConsent.json';
import OAuthGrant from '../../schema/OAuthGrant.json';
import OAuthRefreshToken from '../../schema/OAuthRefreshToken.json';
import OAuthState from '../../schema/OAuthState.json';
import UserSession from '../../schema/UserSession.json';
import UserToken from '../../schema/UserToken.json';

const FieldSchema = z.object({ type: z.enum(['String', 'Date', 'Number', 'Boolean', 'Object']) });
const ClpSchema = z.record(z.string(), z.unknown());

export const ClassDefinitionSchema = z.object({
  className: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
  description: z.string(),
  fields: z.record(z.string(), FieldSchema),
  indexes: z.record(z.string(), z.record(z.string(), z.literal(1))),
  classLevelPermissions: ClpSchema,
});
export type ClassDefinition = z.infer<typeof ClassDefinitionSchema>;

export const CLASS_DEFINITIONS: readonly ClassDefinition[] = [
  OAuthState,
  UserToken,
  UserSession,
  // Our own OAuth authorization server for MCP clients (cloud/oauth-server).
  OAuthClient,
  OAuthConsent,
  OAuthCode,
  OAuthGrant,
  OAuthRefreshToken,
].map((raw) => ClassDefinitionSchema.parse(raw));

export const CLASS_NAMES = CLASS_DEFINITIONS.map((c) => c.className);
