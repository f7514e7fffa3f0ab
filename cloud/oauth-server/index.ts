/** The MCP authorization server: what the rest of the app uses (see README.md here). */
export {
  authorizationErrorRedirect,
  completeAuthorization,
  registerOAuthServerRoutes,
  resourceMetadataUrl,
  resourceUrl,
  revokeUserGrants,
  wwwAuthenticate,
  type AirtableSignInPort,
  type OAuthCoreDeps,
  type OAuthServerDeps,
  type OAuthServerStore,
} from './routes';
export { SCOPE_DESCRIPTIONS, SUPPORTED_SCOPES, type Scope } from './protocol/scopes';
export { createOAuthServerStore } from './store/store-factory';
