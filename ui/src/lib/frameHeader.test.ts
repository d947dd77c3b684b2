import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_LEN, parseFrame, solidFrame } from './frameHeader';

// A 2x2 frame: four distinct RGBA pixels.
const PX = new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255, 10, 11, 12, 255]);

describe('parseFrame', () => {
  it('reads every header field little-endian and returns the pixels after byte 24', () => {
    const buf = new ArrayBuffer(FRAME_HEADER_LEN + PX.length);
    const u8 = new Uint8Array(buf);
    u8.set([0x53, 0x43, 0x50, 0x32]); // "SCP2"
    const v = new DataView(buf);
    v.setUint32(4, 0x01020304, true);
    v.setBigUint64(8, 1_773_321_389_120_456n, true);
    v.setUint16(16, 2, true);
    v.setUint16(18, 2, true);
    u8.set(PX, 24);

    const r = parseFrame(buf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header).toEqual({ seq: 0x01020304, capturedUs: 1_773_321_389_120_456, width: 2, height: 2 });
    expect([...r.rgba]).toEqual([...PX]);
    // A view on the message, not a copy: 30 copies a second add up.
    expect(r.rgba.buffer).toBe(buf);
    expect(r.rgba.byteOffset).toBe(FRAME_HEADER_LEN);
  });

  it('is byte-exact: the fields are not big-endian', () => {
    const buf = encodeFrame({ seq: 1, capturedUs: 2, width: 360, height: 640 }, PX);
    const u8 = new Uint8Array(buf);
    expect([...u8.slice(4, 8)]).toEqual([1, 0, 0, 0]);
    expect([...u8.slice(8, 16)]).toEqual([2, 0, 0, 0, 0, 0, 0, 0]);
    expect([...u8.slice(16, 20)]).toEqual([0x68, 0x01, 0x80, 0x02]);
    expect([...u8.slice(20, 24)]).toEqual([0, 0, 0, 0]);
  });

  it('round-trips through encodeFrame, including seq wrap-around values', () => {
    const h = { seq: 0xffffffff, capturedUs: Date.now() * 1000, width: 36, height: 64 };
    const r = parseFrame(solidFrame(h, [9, 8, 7, 255]));
    expect(r.ok && r.header).toEqual(h);
    expect(r.ok && [...r.rgba.slice(-4)]).toEqual([9, 8, 7, 255]);
  });

  it('refuses a wrong magic, including the JPEG frames of SCP1', () => {
    const buf = encodeFrame({ seq: 1, capturedUs: 1, width: 2, height: 2 }, PX);
    new Uint8Array(buf)[3] = 0x31; // "SCP1"
    expect(parseFrame(buf)).toEqual({ ok: false, reason: 'magic' });
  });

  it('refuses a message that is only a header or shorter', () => {
    expect(parseFrame(new ArrayBuffer(0))).toEqual({ ok: false, reason: 'short' });
    expect(parseFrame(new ArrayBuffer(10))).toEqual({ ok: false, reason: 'short' });
    const headerOnly = encodeFrame({ seq: 1, capturedUs: 1, width: 2, height: 2 }, new Uint8Array());
    expect(parseFrame(headerOnly)).toEqual({ ok: false, reason: 'short' });
  });

  it('refuses a zero size', () => {
    expect(parseFrame(encodeFrame({ seq: 1, capturedUs: 1, width: 0, height: 360 }, PX))).toEqual({
      ok: false,
      reason: 'size',
    });
  });

  it('refuses pixels that do not fill the frame exactly', () => {
    const h = { seq: 1, capturedUs: 1, width: 2, height: 2 };
    expect(parseFrame(encodeFrame(h, PX)).ok).toBe(true);
    expect(parseFrame(encodeFrame(h, PX.slice(0, 12)))).toEqual({ ok: false, reason: 'size' });
    expect(parseFrame(encodeFrame(h, new Uint8Array(20)))).toEqual({ ok: false, reason: 'size' });
  });
});
