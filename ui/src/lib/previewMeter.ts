// Frames-drawn-per-second and capture-to-draw latency over a short
// rolling window. Pure: the caller passes the clock.

export interface PreviewStats {
  /** Frames drawn per second over the last window. */
  fps: number;
  /** Mean capture-to-draw latency of the recent frames, in ms (0 with none). */
  latency_ms: number;
  /** Frames drawn since the start. */
  frames: number;
  /** Frames dropped because a decode was still in flight. */
  dropped: number;
}

export class PreviewMeter {
  private readonly drawTimes: number[] = [];
  private readonly latencies: number[] = [];
  private frames = 0;
  private dropped = 0;

  /**
   * @param windowMs how far back fps looks
   * @param latencySamples how many recent frames the latency averages
   */
  constructor(
    private readonly windowMs = 1000,
    private readonly latencySamples = 30,
  ) {}

  /** A frame was drawn at `nowMs`, `latencyMs` after it was captured. */
  drawn(nowMs: number, latencyMs: number): void {
    this.frames++;
    this.drawTimes.push(nowMs);
    this.prune(nowMs);
    if (Number.isFinite(latencyMs)) {
      this.latencies.push(latencyMs);
      if (this.latencies.length > this.latencySamples) this.latencies.shift();
    }
  }

  /** A frame arrived while the previous one was still decoding. */
  droppedFrame(): void {
    this.dropped++;
  }

  snapshot(nowMs: number): PreviewStats {
    this.prune(nowMs);
    const n = this.drawTimes.length;
    const fps = (n * 1000) / this.windowMs;
    let latency = 0;
    if (this.latencies.length > 0) {
      let sum = 0;
      for (const l of this.latencies) sum += l;
      latency = sum / this.latencies.length;
    }
    return {
      fps: Math.round(fps * 10) / 10,
      latency_ms: Math.round(latency),
      frames: this.frames,
      dropped: this.dropped,
    };
  }

  /** Forget the window (e.g. after a reconnect), keep the totals. */
  resetWindow(): void {
    this.drawTimes.length = 0;
    this.latencies.length = 0;
  }

  private prune(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    let i = 0;
    while (i < this.drawTimes.length && (this.drawTimes[i] as number) <= cutoff) i++;
    if (i > 0) this.drawTimes.splice(0, i);
  }
}
