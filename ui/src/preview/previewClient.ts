// The preview socket client: one WebSocket (binary, arraybuffer), one
// decode in flight at most, and of the frames arriving meanwhile only the
// newest is kept (the others are dropped, never queued), drawn into every attached canvas: the Preview panel's, and the
// start screen's camera check. Decoding happens once however many draw.
// Reconnects with back-off when the socket closes.

import { parseFrame, type FrameHeader } from '../lib/frameHeader';
import { PreviewMeter, type PreviewStats } from '../lib/previewMeter';

export type PreviewConnState = 'idle' | 'connecting' | 'open' | 'closed';

export interface PreviewDeps {
  createSocket: (url: string) => WebSocket;
  decode: (jpeg: Blob) => Promise<ImageBitmap>;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
}

const defaultDeps = (): PreviewDeps => ({
  createSocket: (url) => new WebSocket(url),
  decode: (blob) => createImageBitmap(blob),
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
});

export const BACKOFF_MIN_MS = 250;
export const BACKOFF_MAX_MS = 5000;

/** The next reconnect delay: doubles from 250 ms up to 5 s. */
export function nextBackoff(prev: number): number {
  if (prev <= 0) return BACKOFF_MIN_MS;
  return Math.min(BACKOFF_MAX_MS, prev * 2);
}

export class PreviewClient {
  readonly meter = new PreviewMeter();
  private readonly deps: PreviewDeps;
  private socket: WebSocket | null = null;
  private readonly canvases = new Set<HTMLCanvasElement>();
  private readonly firstDrawWaiters = new Set<() => void>();
  private pending: { header: FrameHeader; jpeg: Uint8Array<ArrayBuffer> } | null = null;
  private decoding = false;
  private backoff = 0;
  private retry: unknown = null;
  private stopped = true;
  private url = '';
  private stateValue: PreviewConnState = 'idle';
  private readonly stateListeners = new Set<(s: PreviewConnState) => void>();
  lastSize: { width: number; height: number } | null = null;
  /** When the first frame was drawn (the `now` clock), or null. */
  firstDrawnAt: number | null = null;
  badFrames = 0;

  constructor(deps: Partial<PreviewDeps> = {}) {
    this.deps = { ...defaultDeps(), ...deps };
  }

  get state(): PreviewConnState {
    return this.stateValue;
  }

  onState(cb: (s: PreviewConnState) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  start(url: string): void {
    if (!url) return;
    this.url = url;
    this.stopped = false;
    if (!this.socket) this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.pending = null;
    if (this.retry !== null) this.deps.clearTimeout(this.retry);
    this.retry = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onopen = s.onmessage = s.onclose = s.onerror = null;
      s.close();
    }
    this.setState('idle');
  }

  attach(canvas: HTMLCanvasElement): void {
    this.canvases.add(canvas);
  }

  detach(canvas: HTMLCanvasElement): void {
    this.canvases.delete(canvas);
  }

  /** Resolves true at the first drawn frame (at once if one was drawn),
   *  or false after `timeoutMs`. */
  whenFirstDrawn(timeoutMs: number): Promise<boolean> {
    if (this.firstDrawnAt !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const h = this.deps.setTimeout(() => {
        this.firstDrawWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        this.deps.clearTimeout(h);
        resolve(true);
      };
      this.firstDrawWaiters.add(done);
    });
  }

  stats(): PreviewStats {
    return this.meter.snapshot(this.deps.now());
  }

  /** Handles one binary message (public for tests). */
  handleMessage(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) return;
    const f = parseFrame(data);
    if (!f.ok) {
      this.badFrames++;
      return;
    }
    if (this.decoding) {
      // Keep only the newest: it is decoded as soon as the current one
      // is drawn, so a slow decode costs the frames in between, not a
      // whole frame interval of waiting. The one it replaces is dropped.
      if (this.pending) this.meter.droppedFrame();
      this.pending = { header: f.header, jpeg: f.jpeg };
      return;
    }
    this.decodeAndDraw(f.header, f.jpeg);
  }

  private decodeAndDraw(header: FrameHeader, jpeg: Uint8Array<ArrayBuffer>): void {
    if (this.canvases.size === 0) return;
    this.decoding = true;
    this.deps
      .decode(new Blob([jpeg], { type: 'image/jpeg' }))
      .then(
        (bitmap) => {
          try {
            for (const canvas of this.canvases) this.draw(canvas, bitmap, header.width, header.height);
            const now = this.deps.now();
            if (this.firstDrawnAt === null) {
              this.firstDrawnAt = now;
              performance.mark('shopcast:first-frame');
              for (const w of this.firstDrawWaiters) w();
              this.firstDrawWaiters.clear();
            }
            this.meter.drawn(now, (now * 1000 - header.capturedUs) / 1000);
          } finally {
            bitmap.close?.();
          }
        },
        () => {
          this.badFrames++;
        },
      )
      .finally(() => {
        this.decoding = false;
        const next = this.pending;
        this.pending = null;
        if (next && !this.stopped) this.decodeAndDraw(next.header, next.jpeg);
      });
  }

  private draw(canvas: HTMLCanvasElement, bitmap: ImageBitmap, w: number, h: number): void {
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    this.lastSize = { width: w, height: h };
    const ctx = canvas.getContext('2d');
    if (ctx) ctx.drawImage(bitmap, 0, 0, w, h);
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    let s: WebSocket;
    try {
      s = this.deps.createSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    s.binaryType = 'arraybuffer';
    this.socket = s;
    s.onopen = () => {
      performance.mark('shopcast:preview-open');
      this.backoff = 0;
      this.setState('open');
    };
    s.onmessage = (ev: MessageEvent) => this.handleMessage(ev.data);
    s.onerror = () => {
      // A close follows; reconnect happens there.
    };
    s.onclose = () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.meter.resetWindow();
      this.setState('closed');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.backoff = nextBackoff(this.backoff);
    this.retry = this.deps.setTimeout(() => {
      this.retry = null;
      this.connect();
    }, this.backoff);
  }

  private setState(s: PreviewConnState): void {
    if (this.stateValue === s) return;
    this.stateValue = s;
    for (const cb of this.stateListeners) cb(s);
  }
}
