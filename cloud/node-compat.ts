/**
 * Node 18 (Back4App's Node version is UNVERIFIED) has no global `crypto` without a flag, and
 * oauth4webapi's PKCE helper needs `crypto.subtle` (found by `npm run test:compat`). Imported first
 * by both bundle entries.
 */
import { webcrypto } from 'node:crypto';

const g = globalThis as { crypto?: unknown };
g.crypto ??= webcrypto;
