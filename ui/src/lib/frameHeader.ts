// The preview socket's frame header (docs/desktop-api.md, "Preview socket").
//
// | bytes  | field                                  |
// | 0..4   | magic "SCP2"                           |
// | 4..8   | seq, u32 LE                            |
// | 8..16  | captured_us, u64 LE (Unix µs)          |
// | 16..18 | width, u16 LE                          |
// | 18..20 | height, u16 LE                         |
// | 20..24 | reserved (0)                           |
// | 24..   | RGBA, width * height * 4 bytes, packed |
//
// "SCP1" carried a JPEG; its new magic keeps either side from misreading
// the other's frames.

export const FRAME_HEADER_LEN = 24;
const MAGIC = [0x53, 0x43, 0x50, 0x32]; // "SCP2"

export interface FrameHeader {
  seq: number;
  /** Unix microseconds when the frame entered the program. */
  capturedUs: number;
  width: number;
  height: number;
}

export type FrameParse =
  | { ok: true; header: FrameHeader; rgba: Uint8ClampedArray<ArrayBuffer> }
  | { ok: false; reason: 'short' | 'magic' | 'size' };

/** Parses one binary message; never throws. The pixels are a view, not a copy. */
export function parseFrame(data: ArrayBuffer): FrameParse {
  if (data.byteLength <= FRAME_HEADER_LEN) return { ok: false, reason: 'short' };
  const bytes = new Uint8Array(data, 0, FRAME_HEADER_LEN);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) return { ok: false, reason: 'magic' };
  }
  const view = new DataView(data, 0, FRAME_HEADER_LEN);
  const seq = view.getUint32(4, true);
  // Unix µs stay below 2^53 for the next ~285 years, so a number is exact.
  const capturedUs = Number(view.getBigUint64(8, true));
  const width = view.getUint16(16, true);
  const height = view.getUint16(18, true);
  if (width === 0 || height === 0) return { ok: false, reason: 'size' };
  // A payload of any other length would paint a sheared or torn picture.
  if (data.byteLength - FRAME_HEADER_LEN !== width * height * 4) return { ok: false, reason: 'size' };
  return {
    ok: true,
    header: { seq, capturedUs, width, height },
    rgba: new Uint8ClampedArray(data, FRAME_HEADER_LEN),
  };
}

/** Builds a frame (header + payload); used by tests. */
export function encodeFrame(h: FrameHeader, rgba: Uint8Array | Uint8ClampedArray): ArrayBuffer {
  const buf = new ArrayBuffer(FRAME_HEADER_LEN + rgba.byteLength);
  const u8 = new Uint8Array(buf);
  u8.set(MAGIC, 0);
  const view = new DataView(buf);
  view.setUint32(4, h.seq >>> 0, true);
  view.setBigUint64(8, BigInt(Math.max(0, Math.floor(h.capturedUs))), true);
  view.setUint16(16, h.width, true);
  view.setUint16(18, h.height, true);
  u8.set(rgba, FRAME_HEADER_LEN);
  return buf;
}

/** A solid-colour frame of the given size; used by tests. */
export function solidFrame(h: FrameHeader, rgba: readonly [number, number, number, number] = [0, 0, 0, 255]): ArrayBuffer {
  const px = new Uint8Array(h.width * h.height * 4);
  for (let i = 0; i < px.length; i += 4) px.set(rgba, i);
  return encodeFrame(h, px);
}
