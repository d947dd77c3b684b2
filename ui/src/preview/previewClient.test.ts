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

  it('drops frames while a decode is in flight instead of queueing them', async () => {
    const t = setup();
    t.client.start('ws://x');
    const sock = t.sockets[0]!;
    sock.onmessage!({ data: frame(1, t.nowMs() * 1000) });
    sock.onmessage!({ data: frame(2, t.nowMs() * 1000) });
    sock.onmessage!({ data: frame(3, t.nowMs() * 1000) });
    expect(t.decodes).toHaveLength(1);
    t.decodes[0]!.resolve(bitmap());
    await flush();
    sock.onmessage!({ data: frame(4, t.nowMs() * 1000) });
    expect(t.decodes).toHaveLength(2);
    expect(t.client.stats()).toMatchObject({ frames: 1, dropped: 2 });
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
