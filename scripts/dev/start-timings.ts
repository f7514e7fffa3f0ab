/**
 * Where `npm start`'s time goes, phase by phase, printed on one line at LOG_LEVEL=debug (and read by
 * test/integration/start-local.test.ts). Phases that run at the same time (the build, the database
 * and loading parse-server) each show their own duration; `total` is the wall time since the node
 * process started, node's own start-up included.
 */
interface LauncherTimings {
  startedMs: number;
  bundleMs: number;
  bundled: boolean;
}

/** What scripts/run.cjs measured before it loaded this script (absent under tsx or jest). */
export function launcherTimings(): LauncherTimings | undefined {
  return (globalThis as { __airtableMcpLauncher?: LauncherTimings }).__airtableMcpLauncher;
}

export class StartTimings {
  private readonly phases: { name: string; ms: number; note?: string }[] = [];

  constructor() {
    const launcher = launcherTimings();
    if (launcher) {
      this.add('node', launcher.startedMs);
      this.add('scripts bundle', launcher.bundleMs, launcher.bundled ? 'rebuilt' : 'up to date');
    }
  }

  add(name: string, ms: number, note?: string): void {
    this.phases.push({ name, ms, ...(note ? { note } : {}) });
  }

  async time<T>(name: string, work: () => Promise<T>, note?: (result: T) => string): Promise<T> {
    const started = performance.now();
    const result = await work();
    this.add(name, performance.now() - started, note?.(result));
    return result;
  }

  /** "start-up timings (ms): node 48, scripts bundle 3 (up to date), ..., total 4210". */
  line(): string {
    const parts = this.phases.map(
      (p) => `${p.name} ${Math.round(p.ms)}${p.note ? ` (${p.note})` : ''}`,
    );
    return `start-up timings (ms): ${parts.join(', ')}, total ${Math.round(performance.now())}`;
  }
}
