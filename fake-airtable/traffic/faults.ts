/**
 * Injected faults: the next `times` requests whose path matches `pathPattern` (a regular
 * expression tested against the path without the query) are delayed by `delayMs` and, when
 * `status` is set, answered with that status and `body` instead of being processed. With
 * `authorization`, only requests carrying exactly that Authorization header match: a test on a
 * shared fake then faults its own request, not whichever concurrent test's request comes first.
 */
import { z } from 'zod';

export const faultSpecSchema = z.strictObject({
  pathPattern: z.string().min(1),
  method: z.string().optional(),
  authorization: z.string().min(1).optional(),
  status: z.number().int().min(100).max(599).optional(),
  /** How many matching requests are affected (default 1). */
  times: z.number().int().positive().optional(),
  delayMs: z.number().int().nonnegative().optional(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface ActiveFault {
  id: string;
  pattern: RegExp;
  method: string | undefined;
  authorization: string | undefined;
  status: number | undefined;
  remaining: number;
  delayMs: number;
  body: unknown;
  headers: Record<string, string>;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private seq = 0;

  add(spec: FaultSpec): ActiveFault {
    let pattern: RegExp;
    try {
      pattern = new RegExp(spec.pathPattern);
    } catch {
      throw new Error(`pathPattern is not a valid regular expression: ${spec.pathPattern}`);
    }
    const fault: ActiveFault = {
      id: `fault${++this.seq}`,
      pattern,
      method: spec.method?.toUpperCase(),
      authorization: spec.authorization,
      status: spec.status,
      remaining: spec.times ?? 1,
      delayMs: spec.delayMs ?? 0,
      body: spec.body,
      headers: spec.headers ?? {},
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): {
    id: string;
    pathPattern: string;
    method?: string;
    status?: number;
    remaining: number;
    delayMs: number;
  }[] {
    return this.faults.map((f) => ({
      id: f.id,
      pathPattern: f.pattern.source,
      ...(f.method ? { method: f.method } : {}),
      ...(f.status ? { status: f.status } : {}),
      remaining: f.remaining,
      delayMs: f.delayMs,
    }));
  }

  /** Consumes one use of the first fault matching this request, if any. */
  take(method: string, path: string, authorization?: string): ActiveFault | undefined {
    const f = this.faults.find(
      (x) =>
        x.remaining > 0 &&
        (!x.method || x.method === method) &&
        (!x.authorization || x.authorization === authorization) &&
        x.pattern.test(path),
    );
    if (!f) return undefined;
    f.remaining--;
    if (f.remaining === 0) this.faults = this.faults.filter((x) => x !== f);
    return f;
  }
}
