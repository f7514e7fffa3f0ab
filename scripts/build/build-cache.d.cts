/** Types of build-cache.cjs (plain CommonJS so that scripts/run.cjs can load it without a compiler). */
import type { Metafile } from 'esbuild';

export declare const ROOT: string;
export declare const CACHE_DIR: string;
export declare function projectRoot(from: string): string;
export declare function isFresh(stampFile: string): boolean;
export declare function writeAtomic(
  file: string,
  contents: string | Uint8Array,
  mode?: number,
): void;
export declare function writeStamp(
  stampFile: string,
  metafile: Metafile,
  outputs: readonly string[],
  extraInputs?: readonly string[],
): void;
