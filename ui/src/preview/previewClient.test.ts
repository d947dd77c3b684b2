import { describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../lib/frameHeader';
import { BACKOFF_MAX_MS, nextBackoff, PreviewClient } from './previewClient';

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
const frame = (seq: number, capturedUs: number) => encodeFrame({ seq, capturedUs, width: 640, height: 360 }, JPEG);

class FakeSocket {
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const decodes: { resolve: (b: ImageBitmap) => void; reject: (e: unknown) => void; blob: Blob }[] = [];
  let now = 1_000_000;
  const client = new PreviewClient({
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s as unknown as WebSocket;
    },
    decode: (blob) =>
      new Promise<ImageBitmap>((resolve, reject) => {
        decodes.push({ resolve, reject, blob });
      }),
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimeout: () => {},
  });
  const canvas = document.createElement('canvas');
  client.attach(canvas);
  return { client, sockets, timers, decodes, canvas, advance: (ms: number) => (now += ms), nowMs: () => now };
}

const bitmap = () => ({ width: 640, height: 360, close: vi.fn() }) as unknown as ImageBitmap;
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('PreviewClient', () => {
  it('opens an arraybuffer socket to the preview URL', () => {
    const t = setup();
    t.client.start('ws://127.0.0.1:5000/preview?token=T');
    expect(t.sockets).toHaveLength(1);
    expect(t.sockets[0]!.url).toBe('ws://127.0.0.1:5000/preview?token=T');
    expect(t.sockets[0]!.binaryType).toBe('arraybuffer');
  });

  it('decodes the JPEG part as image/jpeg and measures latency at draw time', async () => {
    const t = setup();
    t.client.start('ws://x');
    t.sockets[0]!.onopen!();
    const captured = t.nowMs() * 1000 - 80_000; // captured 80 ms ago
    t.sockets[0]!.onmessage!({ data: frame(1, captured) });
    expect(t.decodes).toHaveLength(1);
    expect(t.decodes[0]!.blob.type).toBe('image/jpeg');
    expect(t.decodes[0]!.blob.size).toBe(JPEG.length);
    t.advance(20); // decoding took 20 ms
    t.decodes[0]!.resolve(bitmap());
    await flush();
    const s = t.client.stats();
    expect(s.frames).toBe(1);
    expect(s.latency_ms).toBe(100);
    expect(t.canvas.width).toBe(640);
    expect(t.canvas.height).toBe(360);
  });

  it('decodes once for every attached canvas and remembers the first draw', async () => {
    const t = setup();
    const check = document.createElement('canvas');
    t.client.attach(check);
    t.client.start('ws://x');
    t.sockets[0]!.onopen!();
    expect(t.client.firstDrawnAt).toBeNull();
    t.sockets[0]!.onmessage!({ data: frame(1, t.nowMs() * 1000) });
    expect(t.decodes).toHaveLength(1);
    t.advance(5);
    const drawnAt = t.nowMs();
    t.decodes[0]!.resolve(bitmap());
    await flush();
    expect([t.canvas.width, check.width]).toEqual([640, 640]);
    expect(check.height).toBe(360);
    expect(t.client.firstDrawnAt).toBe(drawnAt);
    // Detached, the start screen's canvas is left alone; the first draw stays.
    t.client.detach(check);
    check.width = 1;
    t.advance(40);
    t.sockets[0]!.onmessage!({ data: frame(2, t.nowMs() * 1000) });
    t.decodes[1]!.resolve(bitmap());
    await flush();
    expect(check.width).toBe(1);
    expect(t.client.firstDrawnAt).toBe(drawnAt);
    expect(t.client.stats().frames).toBe(2);
  });

  it('says when the first frame is drawn, or that none came in time', async () => {
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
    t.decodes[0]!.resolve(bitmap());
    await flush();
    expect(drawn).toBe(true);
    // Once drawn, later callers hear at once.
    await expect(t.client.whenFirstDrawn(0)).resolves.toBe(true);
  });

  it('keeps only the newest frame while a decode is in flight, and decodes it next', async () => {
    const t = setup();
    t.client.start('ws://x');
    const sock = t.sockets[0]!;
    sock.onmessage!({ data: frame(1, t.nowMs() * 1000) });
    sock.onmessage!({ data: frame(2, t.nowMs() * 1000) });
    // Frame 3 is told apart by its longer JPEG.
    const third = new Uint8Array([0xff, 0xd8, 0, 0, 0xff, 0xd9]);
    sock.onmessage!({ data: encodeFrame({ seq: 3, capturedUs: t.nowMs() * 1000, width: 640, height: 360 }, third) });
    expect(t.decodes).toHaveLength(1);
    expect(t.client.stats()).toMatchObject({ frames: 0, dropped: 1 }); // frame 2
    t.decodes[0]!.resolve(bitmap());
    await flush();
    // Frame 3 is decoded at once, without waiting for another message.
    expect(t.decodes).toHaveLength(2);
    expect(t.decodes[1]!.blob.size).toBe(third.length);
    sock.onmessage!({ data: frame(4, t.nowMs() * 1000) });
    expect(t.decodes).toHaveLength(2);
    t.decodes[1]!.resolve(bitmap());
    await flush();
    expect(t.decodes).toHaveLength(3);
    t.decodes[2]!.resolve(bitmap());
    await flush();
    expect(t.client.stats()).toMatchObject({ frames: 3, dropped: 1 });
    // Nothing is left over: the next frame decodes straight away.
    sock.onmessage!({ data: frame(5, t.nowMs() * 1000) });
    expect(t.decodes).toHaveLength(4);
  });

  it('forgets a waiting frame when stopped', async () => {
    const t = setup();
    t.client.start('ws://x');
    const sock = t.sockets[0]!;
    sock.onmessage!({ data: frame(1, t.nowMs() * 1000) });
    sock.onmessage!({ data: frame(2, t.nowMs() * 1000) });
    t.client.stop();
    t.decodes[0]!.resolve(bitmap());
    await flush();
    expect(t.decodes).toHaveLength(1);
  });

  it('recovers from a failed decode and ignores malformed messages', async () => {
    const t = setup();
    t.client.start('ws://x');
    const sock = t.sockets[0]!;
    sock.onmessage!({ data: new ArrayBuffer(8) });
    sock.onmessage!({ data: 'text' });
    expect(t.decodes).toHaveLength(0);
    sock.onmessage!({ data: frame(1, 0) });
    t.decodes[0]!.reject(new Error('bad jpeg'));
    await flush();
    sock.onmessage!({ data: frame(2, 0) });
    expect(t.decodes).toHaveLength(2);
    expect(t.client.badFrames).toBe(2);
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
});
