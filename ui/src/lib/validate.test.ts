import { describe, expect, it } from 'vitest';
import { LIMITS } from '../ipc';
import {
  emptyDestinationForm,
  validateCanvas,
  validateDestination,
  validateRoomText,
  validateRoomUrl,
  utf8Bytes,
  type DestinationForm,
} from './validate';

const form = (over: Partial<DestinationForm>): DestinationForm => ({ ...emptyDestinationForm(over.kind), ...over });
const fields = (r: ReturnType<typeof validateDestination>) => (r.ok ? [] : r.errors.map((e) => e.field));

describe('destination form: custom RTMP(S)', () => {
  it('accepts rtmp:// and rtmps:// server URLs with a key', () => {
    for (const url of ['rtmp://live.example.com/app', 'RTMPS://live.example.com:443/app/']) {
      const r = validateDestination(form({ kind: 'custom', name: 'main', url, stream_key: ' abc ' }), false);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.input).toEqual({ kind: 'custom', name: 'main', url: url.replace(/\/$/, ''), stream_key: 'abc' });
    }
  });

  it('requires a name and checks its characters and length', () => {
    expect(fields(validateDestination(form({ kind: 'custom', name: '  ', url: 'rtmp://h/a', stream_key: 'k' }), false))).toEqual(['name']);
    expect(fields(validateDestination(form({ kind: 'custom', name: 'my dest', url: 'rtmp://h/a', stream_key: 'k' }), false))).toEqual(['name']);
    expect(fields(validateDestination(form({ kind: 'custom', name: 'x'.repeat(65), url: 'rtmp://h/a', stream_key: 'k' }), false))).toEqual(['name']);
  });

  it('refuses other schemes, a missing host, a query, or no app path', () => {
    for (const url of ['http://h/app', 'srt://h:9000', 'rtmp:///app', 'rtmp://h/app?key=1', 'rtmp://h', 'h/app']) {
      const r = validateDestination(form({ kind: 'custom', name: 'n', url, stream_key: 'k' }), false);
      expect(fields(r), url).toEqual(['url']);
    }
  });

  it('needs a stream key when new, and keeps the stored one (null) when editing', () => {
    expect(fields(validateDestination(form({ kind: 'custom', name: 'n', url: 'rtmp://h/a' }), false))).toEqual(['stream_key']);
    const r = validateDestination(form({ kind: 'custom', name: 'n', url: 'rtmp://h/a' }), true);
    expect(r.ok && r.input).toEqual({ kind: 'custom', name: 'n', url: 'rtmp://h/a', stream_key: null });
  });
});

describe('destination form: Tencent CSS', () => {
  const good = { kind: 'tencent' as const, name: 'tx', push_domain: '12345.livepush.myqcloud.com', app: 'live', stream: 'room_42', key: 'secret', valid_hours: '24' };

  it('builds the input with numeric hours', () => {
    const r = validateDestination(form(good), false);
    expect(r.ok && r.input).toEqual({ ...good, valid_hours: 24 });
  });

  it('accepts hours 1..8760 only, whole numbers', () => {
    for (const h of ['1', '8760']) expect(validateDestination(form({ ...good, valid_hours: h }), false).ok).toBe(true);
    for (const h of ['0', '8761', '2.5', '', 'abc', '-3']) {
      expect(fields(validateDestination(form({ ...good, valid_hours: h }), false)), h).toEqual(['valid_hours']);
    }
  });

  it('wants a bare domain and unreserved app/stream names', () => {
    expect(fields(validateDestination(form({ ...good, push_domain: 'rtmp://x.com' }), false))).toEqual(['push_domain']);
    expect(fields(validateDestination(form({ ...good, push_domain: 'localhost' }), false))).toEqual(['push_domain']);
    expect(fields(validateDestination(form({ ...good, stream: 'a b' }), false))).toEqual(['stream']);
    expect(fields(validateDestination(form({ ...good, app: '' }), false))).toEqual(['app']);
  });

  it('needs the key when new, not when a secret is stored', () => {
    expect(fields(validateDestination(form({ ...good, key: '' }), false))).toEqual(['key']);
    const r = validateDestination(form({ ...good, key: '' }), true);
    expect(r.ok && r.input.kind === 'tencent' && r.input.key).toBeNull();
  });
});

describe('destination form: SRT', () => {
  const srt = (passphrase: string) => form({ kind: 'srt', name: 's', url: 'srt://h:9000', passphrase });

  it('needs srt:// and takes no passphrase as "none"', () => {
    const ok = validateDestination(form({ kind: 'srt', name: 's', url: 'srt://h:9000?streamid=x' }), false);
    expect(ok.ok && ok.input).toEqual({ kind: 'srt', name: 's', url: 'srt://h:9000?streamid=x', passphrase: null });
    expect(fields(validateDestination(form({ kind: 'srt', name: 's', url: 'rtmp://h/a' }), false))).toEqual(['url']);
  });

  it('counts the passphrase in UTF-8 bytes, as LIMITS.srt_passphrase_bytes says', () => {
    expect(LIMITS.srt_passphrase_bytes).toEqual({ min: 10, max: 79 });
    expect(fields(validateDestination(srt('p'.repeat(9)), false))).toEqual(['passphrase']);
    expect(validateDestination(srt('p'.repeat(10)), false).ok).toBe(true);
    expect(validateDestination(srt('p'.repeat(79)), false).ok).toBe(true);
    expect(fields(validateDestination(srt('p'.repeat(80)), false))).toEqual(['passphrase']);
    // Four CJK characters are 12 bytes: long enough, though only 4 characters.
    expect(utf8Bytes('安全口令')).toBe(12);
    expect(validateDestination(srt('安全口令'), false).ok).toBe(true);
    // 27 CJK characters are 81 bytes: too long, though only 27 characters.
    expect(fields(validateDestination(srt('密'.repeat(27)), false))).toEqual(['passphrase']);
    const r = validateDestination(srt('short'), false);
    expect(!r.ok && r.errors[0]!.params).toEqual({ min: 10, max: 79 });
  });

  it('limits the destination name in bytes too', () => {
    const max = LIMITS.destination_name_bytes.max;
    const named = (name: string) => form({ kind: 'srt', name, url: 'srt://h:9000' });
    expect(validateDestination(named('n'.repeat(max)), false).ok).toBe(true);
    expect(fields(validateDestination(named('n'.repeat(max + 1)), false))).toEqual(['name']);
  });
});

describe('canvas form', () => {
  const canvas = (width: number | string, height: number | string, fps: number | string, kbps: number | string) =>
    validateCanvas({ width: String(width), height: String(height), fps: String(fps), video_kbps: String(kbps) });

  it('accepts the presets and the generated limits', () => {
    expect(canvas(1280, 720, 30, 2500)).toEqual({
      ok: true,
      canvas: { width: 1280, height: 720, fps: 30, video_kbps: 2500 },
    });
    expect(canvas(720, 1280, 60, 20000).ok).toBe(true);
    const { canvas_side: side, fps, video_kbps: kbps } = LIMITS;
    expect(canvas(side.min, side.max, fps.min, kbps.min).ok).toBe(true);
    expect(canvas(side.max, side.min, fps.max, kbps.max).ok).toBe(true);
  });

  it('refuses odd or out-of-range sizes, fps and bitrate outside LIMITS', () => {
    const { canvas_side: side, fps, video_kbps: kbps } = LIMITS;
    const r = canvas(1281, side.min - 2, fps.max + 1, kbps.min - 1);
    expect(r.ok ? [] : r.errors.map((e) => e.field)).toEqual(['width', 'height', 'fps', 'video_kbps']);
    const r2 = canvas('1280.5', 720, fps.min - 1, kbps.max + 1);
    expect(r2.ok ? [] : r2.errors.map((e) => e.field)).toEqual(['width', 'fps', 'video_kbps']);
    expect(!r2.ok && r2.errors[1]!.params).toEqual({ min: fps.min, max: fps.max });
  });
});

describe('room text and URL', () => {
  it('limits barrage and announcements in characters, as LIMITS says', () => {
    const b = LIMITS.barrage_chars.max;
    const a = LIMITS.announcement_chars.max;
    expect(validateRoomText('  ', false)).toEqual({ key: 'validate.required' });
    expect(validateRoomText('hi', false)).toBeNull();
    expect(validateRoomText('字'.repeat(b), false)).toBeNull();
    // An emoji is one character (two UTF-16 units).
    expect(validateRoomText('😀'.repeat(b), false)).toBeNull();
    expect(validateRoomText('字'.repeat(b + 1), false)).toEqual({ key: 'validate.barrage_long', params: { max: b } });
    expect(validateRoomText('a'.repeat(a), true)).toBeNull();
    expect(validateRoomText('a'.repeat(a + 1), true)).toEqual({ key: 'validate.announce_long', params: { max: a } });
    // An empty announcement clears the banner (the limit's minimum is 0).
    expect(LIMITS.announcement_chars.min).toBe(0);
    expect(validateRoomText('', true)).toBeNull();
  });

  it('wants an http(s) or ws(s) room URL with a host', () => {
    expect(validateRoomUrl('http://room.example.com:8787/r/demo')).toBeNull();
    expect(validateRoomUrl('http://room.example.com:8787')).toBe('validate.room_url');
    expect(validateRoomUrl('wss://room.example.com/ws/demo')).toBeNull();
    expect(validateRoomUrl('')).toBe('validate.required');
    expect(validateRoomUrl('ftp://x')).toBe('validate.room_url');
    expect(validateRoomUrl('http://')).toBe('validate.host');
  });
});
