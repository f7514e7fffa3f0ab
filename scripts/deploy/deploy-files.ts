/**
 * What `b4a deploy` would upload from a project folder, and the two project files it needs there.
 *
 * Upload rules, from back4app/parse-cli (parsecmd/deploy.go, parsecmd/parseignore.go,
 * branch back4app): every file under `cloud/` and `public/`, except paths where a component
 * starts with "." or "#" or ends with ".swp" or "~", and except a top-level `node_modules` in
 * each folder (`.parseignore` patterns are not emulated: our dist/ has none).
 * Project files, from parsecli/config.go: `.parse.local` + `.parse.project` mark the project root.
 */
import { existsSync, lstatSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Back4AppConfig } from './back4app-config';

export const UPLOAD_FOLDERS = ['cloud', 'public'] as const;

export interface UploadFile {
  /** Relative to the project folder, with "/" separators (e.g. "cloud/main.js"). */
  path: string;
  bytes: number;
}

export interface UploadListing {
  files: UploadFile[];
  totalBytes: number;
  /** Every `node_modules` folder found (b4a would upload nested ones; we refuse all). */
  nodeModules: string[];
  /** Files b4a skips (dotfiles, editor backups), for the dry-run report. */
  skipped: string[];
}

function skippedByB4a(part: string): boolean {
  return (
    part.startsWith('.') || part.startsWith('#') || part.endsWith('.swp') || part.endsWith('~')
  );
}

/** Lists what b4a would upload from `projectDir` (dist/), sorted by path. */
export function listUploadFiles(projectDir: string): UploadListing {
  const out: UploadListing = { files: [], totalBytes: 0, nodeModules: [], skipped: [] };
  const walk = (abs: string, rel: string, depth: number) => {
    for (const name of readdirSync(abs).sort()) {
      const childAbs = path.join(abs, name);
      const childRel = `${rel}/${name}`;
      // b4a follows symlinks (symwalk); statSync does too.
      const st = lstatSync(childAbs).isSymbolicLink() ? statSync(childAbs) : lstatSync(childAbs);
      if (name === 'node_modules' && st.isDirectory()) {
        out.nodeModules.push(childRel);
        if (depth === 0) continue; // b4a skips only the top-level one
      }
      if (skippedByB4a(name)) {
        out.skipped.push(childRel);
        continue;
      }
      if (st.isDirectory()) walk(childAbs, childRel, depth + 1);
      else if (st.isFile()) {
        out.files.push({ path: childRel, bytes: st.size });
        out.totalBytes += st.size;
      }
    }
  };
  for (const folder of UPLOAD_FOLDERS) {
    const abs = path.join(projectDir, folder);
    if (existsSync(abs)) walk(abs, folder, 0);
  }
  return out;
}

/** `.parse.local`: the app b4a deploys to (the application id is public, never a key). */
export function parseLocalJson(cfg: Back4AppConfig): string {
  const apps = {
    applications: {
      [cfg.appName]: { applicationId: cfg.applicationId },
      _default: { link: cfg.appName },
    },
  };
  return `${JSON.stringify(apps, null, 2)}\n`;
}

/** `.parse.project`: project_type 1 = ParseFormat; empty jssdk = the server's own SDK. */
export function parseProjectJson(): string {
  return `${JSON.stringify({ project_type: 1, parse: { jssdk: '' } }, null, 2)}\n`;
}

/** Writes both project files into `projectDir`; returns their paths. */
export function writeParseProjectFiles(projectDir: string, cfg: Back4AppConfig): string[] {
  const local = path.join(projectDir, '.parse.local');
  const project = path.join(projectDir, '.parse.project');
  writeFileSync(local, parseLocalJson(cfg));
  writeFileSync(project, parseProjectJson());
  return [local, project];
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}
