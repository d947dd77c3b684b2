import { describe, expect, it } from 'vitest';
import {
  emptyDestinationForm,
  validateCanvas,
  validateDestination,
  validateRoomText,
  validateRoomUrl,
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
  it('needs srt:// and a 10-79 character passphrase when one is given', () => {
    const ok = validateDestination(form({ kind: 'srt', name: 's', url: 'srt://h:9000?streamid=x' }), false);
    expect(ok.ok && ok.input).toEqual({ kind: 'srt', name: 's', url: 'srt://h:9000?streamid=x', passphrase: null });
    expect(fields(validateDestination(form({ kind: 'srt', name: 's', url: 'rtmp://h/a' }), false))).toEqual(['url']);
    expect(fields(validateDestination(form({ kind: 'srt', name: 's', url: 'srt://h:9000', passphrase: 'short' }), false))).toEqual(['passphrase']);
    expect(fields(validateDestination(form({ kind: 'srt', name: 's', url: 'srt://h:9000', passphrase: 'p'.repeat(80) }), false))).toEqual(['passphrase']);
    for (const n of [10, 79]) {
      expect(validateDestination(form({ kind: 'srt', name: 's', url: 'srt://h:9000', passphrase: 'p'.repeat(n) }), false).ok).toBe(true);
    }
  });
});

describe('canvas form', () => {
  it('accepts the presets and the limits', () => {
    expect(validateCanvas({ width: '1280', height: '720', fps: '30', video_kbps: '2500' })).toEqual({
      ok: true,
      canvas: { width: 1280, height: 720, fps: 30, video_kbps: 2500 },
    });
    expect(validateCanvas({ width: '720', height: '1280', fps: '60', video_kbps: '20000' }).ok).toBe(true);
    expect(validateCanvas({ width: '160', height: '3840', fps: '15', video_kbps: '300' }).ok).toBe(true);
  });

  it('refuses odd or out-of-range sizes, fps outside 15-60 and bitrate outside 300-20000', () => {
    const r = validateCanvas({ width: '1281', height: '100', fps: '61', video_kbps: '299' });
    expect(r.ok ? [] : r.errors.map((e) => e.field)).toEqual(['width', 'height', 'fps', 'video_kbps']);
    const r2 = validateCanvas({ width: '1280.5', height: '720', fps: '14', video_kbps: '20001' });
    expect(r2.ok ? [] : r2.errors.map((e) => e.field)).toEqual(['width', 'fps', 'video_kbps']);
  });
});

describe('room text and URL', () => {
  it('limits barrage to 1-200 and announcements to 500 characters', () => {
    expect(validateRoomText('  ', false)).toBe('validate.required');
    expect(validateRoomText('hi', false)).toBeNull();
    expect(validateRoomText('字'.repeat(200), false)).toBeNull();
    expect(validateRoomText('字'.repeat(201), false)).toBe('validate.barrage_long');
    expect(validateRoomText('a'.repeat(500), true)).toBeNull();
    expect(validateRoomText('a'.repeat(501), true)).toBe('validate.announce_long');
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
