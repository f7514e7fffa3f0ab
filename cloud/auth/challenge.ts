/**
 * The WWW-Authenticate challenge of /mcp (RFC 6750 section 3 + RFC 9728 section 5.1): tells an MCP
 * client where the Protected Resource Metadata is, so it can discover our authorization server.
 */
export function resourceMetadataUrl(publicUrl: string): string {
  return `${publicUrl}/.well-known/oauth-protected-resource/mcp`;
}

function quote(value: string): string {
  // RFC 7230 quoted-string: escape backslash and double quote; drop control characters.
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function bearerChallenge(
  publicUrl: string,
  opts: { error?: string; description?: string; scope?: string } = {},
): string {
  const parts: string[] = [];
  if (opts.error) parts.push(`error=${quote(opts.error)}`);
  if (opts.description) parts.push(`error_description=${quote(opts.description)}`);
  if (opts.scope) parts.push(`scope=${quote(opts.scope)}`);
  parts.push(`resource_metadata=${quote(resourceMetadataUrl(publicUrl))}`);
  return `Bearer ${parts.join(', ')}`;
}
