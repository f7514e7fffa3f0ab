/**
 * A module loaded with import() on first use, then kept: esbuild puts what only that import
 * reaches in a chunk of its own, which app.js does not load at start-up (docs/benchmarks.md,
 * "Second round"). `load` must hold the import() itself, so that esbuild sees it.
 *
 * A failed load (a chunk missing from the upload) is tried again by the next caller. `load()` is
 * cheap once the module is there: the same settled promise, nothing attached to it per call.
 */
export interface LazyModule<T> {
  load(): Promise<T>;
  /** The module once a load() has finished, else undefined. */
  current(): T | undefined;
}

export function lazyModule<T>(importIt: () => Promise<T>): LazyModule<T> {
  let pending: Promise<T> | undefined;
  let value: T | undefined;
  return {
    load() {
      pending ??= importIt().then(
        (m) => (value = m),
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    current: () => value,
  };
}
