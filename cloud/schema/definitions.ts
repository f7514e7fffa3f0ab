/**
 * The Parse classes this server owns, and Parse's built-in classes it locks, loaded from
 * `schema/*.json` (bundled into Cloud Code by esbuild so the deployed code can check and repair its
 * own schema at load time). docs/storage-schema.md documents every field and why the built-ins are
 * locked.
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
import Installation from '../../schema/_Installation.json';
import Role from '../../schema/_Role.json';
import Session from '../../schema/_Session.json';
import User from '../../schema/_User.json';

const FieldSchema = z.object({ type: z.enum(['String', 'Date', 'Number', 'Boolean', 'Object']) });
const ClpSchema = z.record(z.string(), z.unknown());

/** Parse's built-in classes that client keys could write by default; this server uses none. */
export const LOCKED_BUILTIN_CLASSES = ['_User', '_Role', '_Installation', '_Session'] as const;

export const ClassDefinitionSchema = z.object({
  className: z.union([z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.enum(LOCKED_BUILTIN_CLASSES)]),
  description: z.string(),
  fields: z.record(z.string(), FieldSchema),
  indexes: z.record(z.string(), z.record(z.string(), z.literal(1))),
  classLevelPermissions: ClpSchema,
});
export type ClassDefinition = z.infer<typeof ClassDefinitionSchema>;

/** The classes this server stores its data in. */
export const OWN_CLASS_DEFINITIONS: readonly ClassDefinition[] = [
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

/**
 * Parse's built-ins, locked to the master key: with the REST or JavaScript key anyone could
 * otherwise sign users up (adding fields to _User's schema), sign up anonymously, or create
 * installations and roles - rows and schema this server never reads.
 */
export const BUILTIN_CLASS_DEFINITIONS: readonly ClassDefinition[] = [
  User,
  Role,
  Installation,
  Session,
].map((raw) => ClassDefinitionSchema.parse(raw));

/** Everything the schema tool and the load-time check apply and check. */
export const CLASS_DEFINITIONS: readonly ClassDefinition[] = [
  ...OWN_CLASS_DEFINITIONS,
  ...BUILTIN_CLASS_DEFINITIONS,
];

export const CLASS_NAMES = CLASS_DEFINITIONS.map((c) => c.className);
export const OWN_CLASS_NAMES = OWN_CLASS_DEFINITIONS.map((c) => c.className);
