// The microphone meter: dBFS to a bar fraction, and a peak hold that holds
// for ~1.5 s and then falls.

export const METER_MIN_DB = -60;
export const METER_MAX_DB = 0;

/** dBFS to 0..1 over -60..0 dBFS (anything below -60, or not a number, is 0). */
export function dbToFraction(db: number): number {
  if (!Number.isFinite(db)) return 0;
  const c = Math.min(METER_MAX_DB, Math.max(METER_MIN_DB, db));
  return (c - METER_MIN_DB) / (METER_MAX_DB - METER_MIN_DB);
}

export class PeakHold {
  private value = -Infinity;
  private heldAt = 0;

  /**
   * @param holdMs how long a peak stays put
   * @param fallDbPerS how fast it falls afterwards
   */
  constructor(
    readonly holdMs = 1500,
    readonly fallDbPerS = 20,
  ) {}

  /** Feed a peak reading at `nowMs`; returns the held value. */
  update(peakDb: number, nowMs: number): number {
    const current = this.read(nowMs);
    if (Number.isFinite(peakDb) && peakDb >= current) {
      this.value = peakDb;
      this.heldAt = nowMs;
      return peakDb;
    }
    return current;
  }

  /** The held value at `nowMs` (decays after the hold time). */
  read(nowMs: number): number {
    if (!Number.isFinite(this.value)) return -Infinity;
    const since = nowMs - this.heldAt - this.holdMs;
    if (since <= 0) return this.value;
    const v = this.value - (since / 1000) * this.fallDbPerS;
    return v < METER_MIN_DB ? -Infinity : v;
  }

  reset(): void {
    this.value = -Infinity;
    this.heldAt = 0;
  }
}
