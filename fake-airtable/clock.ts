/** The fake's clock: real time plus an offset the admin API can advance (token expiry, code TTL, penalties). */
export class FakeClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): number {
    this.offsetMs += ms;
    return this.now();
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
