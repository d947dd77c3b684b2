import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_LEN, parseFrame } from './frameHeader';

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

describe('parseFrame', () => {
  it('reads every header field little-endian and returns the JPEG after byte 24', () => {
    const buf = new ArrayBuffer(FRAME_HEADER_LEN + JPEG.length);
    const u8 = new Uint8Array(buf);
    u8.set([0x53, 0x43, 0x50, 0x31]); // "SCP1"
    const v = new DataView(buf);
    v.setUint32(4, 0x01020304, true);
    v.setBigUint64(8, 1_773_321_389_120_456n, true);
    v.setUint16(16, 640, true);
    v.setUint16(18, 360, true);
    u8.set(JPEG, 24);

    const r = parseFrame(buf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header).toEqual({ seq: 0x01020304, capturedUs: 1_773_321_389_120_456, width: 640, height: 360 });
    expect([...r.jpeg]).toEqual([...JPEG]);
  });

  it('is byte-exact: the fields are not big-endian', () => {
    const buf = encodeFrame({ seq: 1, capturedUs: 2, width: 360, height: 640 }, JPEG);
    const u8 = new Uint8Array(buf);
    expect([...u8.slice(4, 8)]).toEqual([1, 0, 0, 0]);
    expect([...u8.slice(8, 16)]).toEqual([2, 0, 0, 0, 0, 0, 0, 0]);
    expect([...u8.slice(16, 20)]).toEqual([0x68, 0x01, 0x80, 0x02]);
    expect([...u8.slice(20, 24)]).toEqual([0, 0, 0, 0]);
  });

  it('round-trips through encodeFrame, including seq wrap-around values', () => {
    const h = { seq: 0xffffffff, capturedUs: Date.now() * 1000, width: 360, height: 640 };
    const r = parseFrame(encodeFrame(h, JPEG));
    expect(r.ok && r.header).toEqual(h);
  });

  it('refuses a wrong magic', () => {
    const buf = encodeFrame({ seq: 1, capturedUs: 1, width: 2, height: 2 }, JPEG);
    new Uint8Array(buf)[3] = 0x32; // "SCP2"
    expect(parseFrame(buf)).toEqual({ ok: false, reason: 'magic' });
  });

  it('refuses a message that is only a header or shorter', () => {
    expect(parseFrame(new ArrayBuffer(0))).toEqual({ ok: false, reason: 'short' });
    expect(parseFrame(new ArrayBuffer(10))).toEqual({ ok: false, reason: 'short' });
    const headerOnly = encodeFrame({ seq: 1, capturedUs: 1, width: 2, height: 2 }, new Uint8Array());
    expect(parseFrame(headerOnly)).toEqual({ ok: false, reason: 'short' });
  });

  it('refuses a zero size', () => {
    expect(parseFrame(encodeFrame({ seq: 1, capturedUs: 1, width: 0, height: 360 }, JPEG))).toEqual({
      ok: false,
      reason: 'size',
    });
  });
});
