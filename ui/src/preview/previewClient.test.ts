import { describe, expect, it } from 'vitest';
import { encodeFrame, solidFrame } from '../lib/frameHeader';
import { BACKOFF_MAX_MS, nextBackoff, PreviewClient } from './previewClient';

const W = 64;
const H = 36;
const frame = (seq: number, capturedUs: number, red = 0) =>
  solidFrame({ seq, capturedUs, width: W, height: H }, [red, 0, 0, 255]);

class FakeSocket {
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  sent: string[] = [];
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
  send(msg: string) {
    this.sent.push(msg);
  }
}

interface Paint {
  canvas: HTMLCanvasElement;
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

function setup(opts: { paintThrows?: () => boolean } = {}) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const paints: Paint[] = [];
  let frameCallbacks: (() => void)[] = [];
  let now = 1_000_000;
  const client = new PreviewClient({
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s as unknown as WebSocket;
    },
    paint: (canvas, rgba, width, height) => {
      if (opts.paintThrows?.()) throw new Error('context lost');
      paints.push({ canvas, rgba, width, height });
    },
    requestFrame: (fn) => void frameCallbacks.push(fn),
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimeout: () => {},
  });
  const canvas = document.createElement('canvas');
  client.attach(canvas);
  /** Runs the animation frame the client asked for, as the browser would. */
  const repaint = () => {
    const due = frameCallbacks;
    frameCallbacks = [];
    for (const fn of due) fn();
    return due.length;
  };
  return {
    client,
    sockets,
    timers,
    paints,
    canvas,
    repaint,
    requested: () => frameCallbacks.length,
    advance: (ms: number) => (now += ms),
    nowMs: () => now,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('PreviewClient', () => {
  it('opens an arraybuffer socket to the preview URL', () => {
    const t = setup();
    t.client.start('ws://127.0.0.1:5000/preview?token=T');
    expect(t.sockets).toHaveLength(1);
    expect(t.sockets[0]!.url).toBe('ws://127.0.0.1:5000/preview?token=T');
    expect(t.sockets[0]!.binaryType).toBe('arraybuffer');
  });

  it('paints the frame’s own pixels at the next animation frame and measures latency then', () => {
    const t = setup();
    t.client.start('ws://x');
    t.sockets[0]!.onopen!();
    const captured = t.nowMs() * 1000 - 80_000; // captured 80 ms ago
    t.sockets[0]!.onmessage!({ data: frame(1, captured, 200) });
    expect(t.paints).toHaveLength(0);
    expect(t.requested()).toBe(1);
    t.advance(16); // the next repaint
    t.repaint();
    expect(t.paints).toHaveLength(1);
    const p = t.paints[0]!;
    expect([p.width, p.height, p.rgba.length]).toEqual([W, H, W * H * 4]);
    expect([...p.rgba.slice(0, 4)]).toEqual([200, 0, 0, 255]);
    const s = t.client.stats();
    expect(s.frames).toBe(1);
    expect(s.latency_ms).toBe(96);
    expect([t.canvas.width, t.canvas.height]).toEqual([W, H]);
    expect(t.client.lastSize).toEqual({ width: W, height: H });
  });

  it('paints every attached canvas from the one frame and remembers the first paint', () => {
    const t = setup();
    const check = document.createElement('canvas');
    t.client.attach(check);
    t.client.start('ws://x');
    t.sockets[0]!.onopen!();
    expect(t.client.firstDrawnAt).toBeNull();
    t.sockets[0]!.onmessage!({ data: frame(1, t.nowMs() * 1000) });
    t.advance(5);
    const drawnAt = t.nowMs();
    t.repaint();
    expect(t.paints.map((p) => p.canvas)).toEqual([t.canvas, check]);
    expect(t.paints[0]!.rgba).toBe(t.paints[1]!.rgba);
    expect([check.width, check.height]).toEqual([W, H]);
    expect(t.client.firstDrawnAt).toBe(drawnAt);
    // Detached, the start screen's canvas is left alone; the first paint stays.
    t.client.detach(check);
    t.advance(40);
    t.sockets[0]!.onmessage!({ data: frame(2, t.nowMs() * 1000) });
    t.repaint();
    expect(t.paints.slice(2).map((p) => p.canvas)).toEqual([t.canvas]);
    expect(t.client.firstDrawnAt).toBe(drawnAt);
    expect(t.client.stats().frames).toBe(2);
  });

  it('keeps nothing when no canvas shows the preview', () => {
    const t = setup();
    t.client.detach(t.canvas);
    t.client.start('ws://x');
    t.sockets[0]!.onmessage!({ data: frame(1, t.nowMs() * 1000) });
    expect(t.requested()).toBe(0);
    expect(t.client.stats()).toMatchObject({ frames: 0, dropped: 0 });
  });

  it('says when the first frame is painted, or that none came in time', async () => {
    const t = setup();
    t.client.start('ws://x');
    t.sockets[0]!.onopen!();
    let drawn: boolean | null = null;
    void t.client.whenFirstDrawn(400).then((v) => (drawn = v));
    let late: boolean | null = null;
    void t.client.whenFirstDrawn(100).then((v) => (late = v));
    // The 100 ms wait runs out first (timers are the test's to fire).
    t.timers.find((x) => x.ms === 100)!.fn();
    await flush();
    expect(late).toBe(false);
    expect(drawn).toBeNull();
    t.sockets[0]!.onmessage!({ data: frame(1, t.nowMs() * 1000) });
    t.repaint();
    await flush();
    expect(drawn).toBe(true);
    // Once painted, later callers hear at once.
    await expect(t.client.whenFirstDrawn(0)).resolves.toBe(true);
  });

  it('paints only the newest of the frames that arrive between two repaints', () => {
    const t = setup();
    t.client.start('ws://x');
    const sock = t.sockets[0]!;
    sock.onmessage!({ data: frame(1, t.nowMs() * 1000, 1) });
    sock.onmessage!({ data: frame(2, t.nowMs() * 1000, 2) });
    sock.onmessage!({ data: frame(3, t.nowMs() * 1000, 3) });
    // One repaint asked for, however many frames came.
    expect(t.requested()).toBe(1);
    t.repaint();
    expect(t.paints.map((p) => p.rgba[0])).toEqual([3]);
    expect(t.client.stats()).toMatchObject({ frames: 1, dropped: 2 });
    // Nothing is left over: no repaint is pending, and the next frame asks anew.
    expect(t.repaint()).toBe(0);
    sock.onmessage!({ data: frame(4, t.nowMs() * 1000, 4) });
    t.repaint();
    expect(t.paints.map((p) => p.rgba[0])).toEqual([3, 4]);
    expect(t.client.stats()).toMatchObject({ frames: 2, dropped: 2 });
  });

  it('forgets a waiting frame when stopped', () => {
    const t = setup();
    t.client.start('ws://x');
    t.sockets[0]!.onmessage!({ data: frame(1, t.nowMs() * 1000) });
    t.client.stop();
    t.repaint();
    expect(t.paints).toHaveLength(0);
    expect(t.client.stats().frames).toBe(0);
  });

  it('counts malformed messages and a failed paint, and paints the next good frame', () => {
    let fail = false;
    const t = setup({ paintThrows: () => fail });
    t.client.start('ws://x');
    const sock = t.sockets[0]!;
    sock.onmessage!({ data: new ArrayBuffer(8) });
    sock.onmessage!({ data: 'text' }); // not binary: not a frame at all
    // A payload that does not match the header's size would shear the picture.
    sock.onmessage!({ data: encodeFrame({ seq: 1, capturedUs: 0, width: W, height: H }, new Uint8Array(W * H * 3)) });
    expect(t.requested()).toBe(0);
    expect(t.client.badFrames).toBe(2);
    fail = true;
    sock.onmessage!({ data: frame(2, 0) });
    t.repaint();
    expect(t.client.badFrames).toBe(3);
    expect(t.client.stats().frames).toBe(0);
    fail = false;
    sock.onmessage!({ data: frame(3, 0) });
    t.repaint();
    expect(t.paints).toHaveLength(1);
    expect(t.client.stats().frames).toBe(1);
  });

  it('reconnects with growing back-off after a close, and resets it once open', () => {
    const t = setup();
    t.client.start('ws://x');
    t.sockets[0]!.onclose!();
    expect(t.client.state).toBe('closed');
    expect(t.timers.map((x) => x.ms)).toEqual([250]);
    t.timers[0]!.fn();
    expect(t.sockets).toHaveLength(2);
    t.sockets[1]!.onclose!();
    expect(t.timers.map((x) => x.ms)).toEqual([250, 500]);
    t.timers[1]!.fn();
    t.sockets[2]!.onopen!();
    expect(t.client.state).toBe('open');
    t.sockets[2]!.onclose!();
    expect(t.timers.map((x) => x.ms)).toEqual([250, 500, 250]);
  });

  it('does not reconnect after stop', () => {
    const t = setup();
    t.client.start('ws://x');
    t.client.stop();
    expect(t.sockets[0]!.closed).toBe(true);
    expect(t.timers).toHaveLength(0);
    expect(t.client.state).toBe('idle');
  });

  it('caps the back-off at 5 s', () => {
    let b = 0;
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) seen.push((b = nextBackoff(b)));
    expect(seen).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(BACKOFF_MAX_MS).toBe(5000);
  });

  describe('pauses the socket while nothing shows the preview', () => {
    function visibility() {
      const watchers = new Map<HTMLCanvasElement, (shown: boolean) => void>();
      let hidden = false;
      let onPage: (() => void) | null = null;
      const sockets: FakeSocket[] = [];
      const timers: (() => void)[] = [];
      const client = new PreviewClient({
        createSocket: (url) => {
          const s = new FakeSocket(url);
          sockets.push(s);
          return s as unknown as WebSocket;
        },
        paint: () => {},
        requestFrame: () => {},
        setTimeout: (fn) => timers.push(fn),
        clearTimeout: () => {},
        watchShown: (canvas, cb) => {
          watchers.set(canvas, cb);
          return () => watchers.delete(canvas);
        },
        pageHidden: () => hidden,
        onPageVisibility: (fn) => {
          onPage = fn;
          return () => (onPage = null);
        },
      });
      return {
        client,
        sockets,
        timers,
        watchers,
        setPageHidden: (h: boolean) => {
          hidden = h;
          onPage?.();
        },
      };
    }

    it('pauses when its only canvas leaves the screen and resumes when it is back, once each', () => {
      const t = visibility();
      const canvas = document.createElement('canvas');
      t.client.attach(canvas);
      t.client.start('ws://x');
      t.sockets[0]!.onopen!();
      expect(t.sockets[0]!.sent).toEqual([]);
      t.watchers.get(canvas)!(false);
      t.watchers.get(canvas)!(false);
      expect(t.sockets[0]!.sent).toEqual(['pause']);
      expect(t.client.wanted).toBe(false);
      t.watchers.get(canvas)!(true);
      expect(t.sockets[0]!.sent).toEqual(['pause', 'resume']);
    });

    it('keeps frames coming while any canvas shows, and pauses when the last one is detached', () => {
      const t = visibility();
      const a = document.createElement('canvas');
      const b = document.createElement('canvas');
      t.client.attach(a);
      t.client.attach(b);
      t.client.start('ws://x');
      t.sockets[0]!.onopen!();
      t.watchers.get(a)!(false);
      expect(t.sockets[0]!.sent).toEqual([]);
      t.client.detach(b);
      expect(t.sockets[0]!.sent).toEqual(['pause']);
      expect(t.watchers.has(b)).toBe(false);
    });

    it('pauses while the page is hidden (a minimised window)', () => {
      const t = visibility();
      t.client.attach(document.createElement('canvas'));
      t.client.start('ws://x');
      t.sockets[0]!.onopen!();
      t.setPageHidden(true);
      t.setPageHidden(false);
      expect(t.sockets[0]!.sent).toEqual(['pause', 'resume']);
      t.client.stop();
      t.setPageHidden(true);
      expect(t.sockets[0]!.sent).toEqual(['pause', 'resume']);
    });

    it('tells a reconnected socket to pause if nothing shows, since a new socket starts sending', () => {
      const t = visibility();
      const canvas = document.createElement('canvas');
      t.client.attach(canvas);
      t.client.start('ws://x');
      // Hidden before the socket opened: nothing to tell yet.
      t.watchers.get(canvas)!(false);
      t.sockets[0]!.onopen!();
      expect(t.sockets[0]!.sent).toEqual(['pause']);
      t.sockets[0]!.onclose!();
      t.timers.shift()!();
      t.sockets[1]!.onopen!();
      expect(t.sockets[1]!.sent).toEqual(['pause']);
    });
  });
});
