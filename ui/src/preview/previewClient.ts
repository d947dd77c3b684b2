// The preview socket client: one WebSocket (binary, arraybuffer) carrying
// raw RGBA frames, painted with `putImageData` at the next animation frame
// into every attached canvas: the Preview panel's, and the start screen's
// camera check. Of the frames that arrive between two paints only the
// newest is kept (the others are dropped and counted, never queued), so a
// busy page costs frames, not latency. Reconnects with back-off when the
// socket closes.
//
// The client tells the socket `pause` while no attached canvas is on screen
// or the page is hidden (a minimised window), and `resume` when one is
// again: the app then stops making preview frames rather than sending
// 27 MB/s that nobody sees.
//
// No Blob and no image decode on this path: a JPEG per frame through
// `createImageBitmap(Blob)` made WebKit's web and network processes grow
// about 10 MiB a minute (docs/benchmarks.md).

import { PREVIEW_PAUSE, PREVIEW_RESUME } from '../ipc';
import { parseFrame, type FrameHeader } from '../lib/frameHeader';
import { PreviewMeter, type PreviewStats } from '../lib/previewMeter';

export type PreviewConnState = 'idle' | 'connecting' | 'open' | 'closed';

export interface PreviewDeps {
  createSocket: (url: string) => WebSocket;
  /** Copies the pixels into the canvas (already sized to the frame). */
  paint: (canvas: HTMLCanvasElement, rgba: Uint8ClampedArray<ArrayBuffer>, width: number, height: number) => void;
  /** Runs `fn` before the next repaint. */
  requestFrame: (fn: () => void) => void;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
  /** Watches whether `canvas` is on screen; returns the unwatch. */
  watchShown: (canvas: HTMLCanvasElement, cb: (shown: boolean) => void) => () => void;
  /** Whether the page is hidden (its window minimised). */
  pageHidden: () => boolean;
  /** Calls `fn` when the page is hidden or shown; returns the unwatch. */
  onPageVisibility: (fn: () => void) => () => void;
}

function paintImage(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): void {
  // Opaque: the compositor need not blend the preview with the page.
  const ctx = canvas.getContext('2d', { alpha: false });
  ctx?.putImageData(new ImageData(rgba, width, height), 0, 0);
}

function watchShown(canvas: HTMLCanvasElement, cb: (shown: boolean) => void): () => void {
  // A hidden dock tab or a closed start screen takes the canvas out of
  // layout, which the observer reports as not intersecting.
  if (typeof IntersectionObserver === 'undefined') return () => {};
  const io = new IntersectionObserver((entries) => {
    const last = entries[entries.length - 1];
    if (last) cb(last.isIntersecting);
  });
  io.observe(canvas);
  return () => io.disconnect();
}

const defaultDeps = (): PreviewDeps => ({
  createSocket: (url) => new WebSocket(url),
  paint: paintImage,
  requestFrame: (fn) => void requestAnimationFrame(() => fn()),
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  watchShown,
  pageHidden: () => document.visibilityState === 'hidden',
  onPageVisibility: (fn) => {
    document.addEventListener('visibilitychange', fn);
    return () => document.removeEventListener('visibilitychange', fn);
  },
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
  /** Attached canvases: whether each is on screen, and its unwatch. */
  private readonly canvases = new Map<HTMLCanvasElement, { shown: boolean; unwatch: () => void }>();
  /** What the socket was last told: `pause` (true) or nothing/`resume`. */
  private paused = false;
  private unwatchPage: (() => void) | null = null;
  private readonly firstDrawWaiters = new Set<() => void>();
  private pending: { header: FrameHeader; rgba: Uint8ClampedArray<ArrayBuffer> } | null = null;
  private paintRequested = false;
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

  /** Whether frames would be seen now: the page is shown and a canvas
   *  is on screen. */
  get wanted(): boolean {
    if (this.deps.pageHidden()) return false;
    for (const c of this.canvases.values()) if (c.shown) return true;
    return false;
  }

  /** Tells the socket to pause or resume if that changed. */
  private syncWanted(): void {
    const s = this.socket;
    if (!s || this.stateValue !== 'open') return;
    const pause = !this.wanted;
    if (pause === this.paused) return;
    try {
      s.send(pause ? PREVIEW_PAUSE : PREVIEW_RESUME);
      this.paused = pause;
    } catch {
      // Closing: the reconnect starts unpaused and syncs again.
    }
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
    this.unwatchPage ??= this.deps.onPageVisibility(() => this.syncWanted());
    if (!this.socket) this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.pending = null;
    this.unwatchPage?.();
    this.unwatchPage = null;
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
    if (this.canvases.has(canvas)) return;
    // Shown until the observer says otherwise, so a first frame is never
    // held back waiting for it.
    const entry = { shown: true, unwatch: () => {} };
    this.canvases.set(canvas, entry);
    entry.unwatch = this.deps.watchShown(canvas, (shown) => {
      entry.shown = shown;
      this.syncWanted();
    });
    this.syncWanted();
  }

  detach(canvas: HTMLCanvasElement): void {
    this.canvases.get(canvas)?.unwatch();
    this.canvases.delete(canvas);
    this.syncWanted();
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
    if (this.canvases.size === 0) return;
    if (this.pending) this.meter.droppedFrame();
    this.pending = { header: f.header, rgba: f.rgba };
    if (!this.paintRequested) {
      this.paintRequested = true;
      this.deps.requestFrame(() => this.paintPending());
    }
  }

  private paintPending(): void {
    this.paintRequested = false;
    const frame = this.pending;
    this.pending = null;
    if (!frame || this.stopped) return;
    const { header, rgba } = frame;
    try {
      for (const canvas of this.canvases.keys()) {
        if (canvas.width !== header.width || canvas.height !== header.height) {
          canvas.width = header.width;
          canvas.height = header.height;
        }
        this.deps.paint(canvas, rgba, header.width, header.height);
      }
    } catch {
      // One unpaintable frame (a context lost with the panel, say) must
      // not stop the ones after it.
      this.badFrames++;
      return;
    }
    this.lastSize = { width: header.width, height: header.height };
    const now = this.deps.now();
    if (this.firstDrawnAt === null) {
      this.firstDrawnAt = now;
      performance.mark('shopcast:first-frame');
      for (const w of this.firstDrawWaiters) w();
      this.firstDrawWaiters.clear();
    }
    this.meter.drawn(now, (now * 1000 - header.capturedUs) / 1000);
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
      // A new socket sends frames until told otherwise.
      this.paused = false;
      this.setState('open');
      this.syncWanted();
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
