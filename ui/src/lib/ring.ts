// A fixed-capacity ring buffer: the Stats chart keeps the last 5 minutes
// (300 one-second samples).

export class Ring<T> {
  private readonly buf: (T | undefined)[];
  private start = 0;
  private len = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError('ring capacity must be a positive integer');
    }
    this.buf = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.len;
  }

  push(v: T): void {
    if (this.len < this.capacity) {
      this.buf[(this.start + this.len) % this.capacity] = v;
      this.len++;
    } else {
      this.buf[this.start] = v;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.len; i++) out.push(this.buf[(this.start + i) % this.capacity] as T);
    return out;
  }

  last(): T | undefined {
    return this.len === 0 ? undefined : this.buf[(this.start + this.len - 1) % this.capacity];
  }

  clear(): void {
    this.start = 0;
    this.len = 0;
    this.buf.fill(undefined);
  }
}

export interface StatsSample {
  t: number;
  fps: number;
  video_kbps: number;
  cpu_percent: number;
  dropped: number;
}

/** Five minutes of one-second samples. */
export const STATS_HISTORY = 300;

/** The y-scale maximum for a series: a round number at or above the data. */
export function niceMax(values: number[], floor: number): number {
  let m = floor;
  for (const v of values) if (Number.isFinite(v) && v > m) m = v;
  if (m <= floor) return floor;
  const p = Math.pow(10, Math.floor(Math.log10(m)));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * p >= m) return step * p;
  }
  return 10 * p;
}
