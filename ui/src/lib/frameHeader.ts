// The preview socket's frame header (docs/desktop-api.md, "Preview socket").
//
// | bytes  | field                                  |
// | 0..4   | magic "SCP1"                           |
// | 4..8   | seq, u32 LE                            |
// | 8..16  | captured_us, u64 LE (Unix µs)          |
// | 16..18 | width, u16 LE                          |
// | 18..20 | height, u16 LE                         |
// | 20..24 | reserved (0)                           |
// | 24..   | JPEG                                   |

export const FRAME_HEADER_LEN = 24;
const MAGIC = [0x53, 0x43, 0x50, 0x31]; // "SCP1"

export interface FrameHeader {
  seq: number;
  /** Unix microseconds when the frame entered the program. */
  capturedUs: number;
  width: number;
  height: number;
}

export type FrameParse =
  | { ok: true; header: FrameHeader; jpeg: Uint8Array<ArrayBuffer> }
  | { ok: false; reason: 'short' | 'magic' | 'size' };

/** Parses one binary message; never throws. The JPEG is a view, not a copy. */
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
  return {
    ok: true,
    header: { seq, capturedUs, width, height },
    jpeg: new Uint8Array(data, FRAME_HEADER_LEN),
  };
}

/** Builds a frame (header + payload); used by tests and the dev mock. */
export function encodeFrame(h: FrameHeader, jpeg: Uint8Array): ArrayBuffer {
  const buf = new ArrayBuffer(FRAME_HEADER_LEN + jpeg.byteLength);
  const u8 = new Uint8Array(buf);
  u8.set(MAGIC, 0);
  const view = new DataView(buf);
  view.setUint32(4, h.seq >>> 0, true);
  view.setBigUint64(8, BigInt(Math.max(0, Math.floor(h.capturedUs))), true);
  view.setUint16(16, h.width, true);
  view.setUint16(18, h.height, true);
  u8.set(jpeg, FRAME_HEADER_LEN);
  return buf;
}
