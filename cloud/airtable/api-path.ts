/** Web API paths: `/v0/` + each segment percent-encoded (table names may hold spaces, slashes, '?'). */
export function v0(...segments: string[]): string {
  return `/v0/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}
