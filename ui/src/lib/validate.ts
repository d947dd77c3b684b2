// Form validation so mistakes show early. Every range comes from the
// generated `LIMITS` (the ranges the Rust session validates with); the core
// validates again and is the authority.
//
// Errors are i18n keys (with parameters) so the form can show them in the
// user's language.

import type { MessageKey } from '../i18n';
import { LIMITS, type CanvasSettings, type DestinationInput, type DestinationKind, type Range } from '../ipc';

export interface FieldError {
  field: string;
  key: MessageKey;
  params?: Record<string, string | number>;
}

/** UTF-8 bytes, as the core (and libsrt) count them. */
export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

function within(n: number, r: Range): boolean {
  return n >= r.min && n <= r.max;
}

/** A range as message parameters. */
function range(r: Range): { min: number; max: number } {
  return { min: r.min, max: r.max };
}

/** Raw form values (strings from inputs) for a destination. */
export interface DestinationForm {
  kind: DestinationKind;
  name: string;
  push_domain: string;
  app: string;
  stream: string;
  key: string;
  valid_hours: string;
  url: string;
  stream_key: string;
  passphrase: string;
}

export function emptyDestinationForm(kind: DestinationKind = 'custom'): DestinationForm {
  return {
    kind,
    name: '',
    push_domain: '',
    app: 'live',
    stream: '',
    key: '',
    valid_hours: '24',
    url: '',
    stream_key: '',
    passphrase: '',
  };
}

const NAME_RE = /^[A-Za-z0-9._-]+$/;
const PATH_PART_RE = /^[A-Za-z0-9._~-]+$/;
const DOMAIN_LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

function schemeOf(url: string): string | null {
  const i = url.indexOf('://');
  if (i <= 0) return null;
  return url.slice(0, i).toLowerCase();
}

function hostOf(url: string): string {
  const rest = url.slice(url.indexOf('://') + 3);
  return rest.split(/[/?#]/)[0] ?? '';
}

function validDomain(d: string): boolean {
  if (d.length > 253 || !d.includes('.')) return false;
  return d.split('.').every((l) => l.length > 0 && l.length <= 63 && DOMAIN_LABEL_RE.test(l));
}

export type DestinationResult =
  | { ok: true; input: DestinationInput }
  | { ok: false; errors: FieldError[] };

/**
 * Validates a destination form into the `save_destination` input.
 * `hasStoredSecret`: editing a destination whose secret is already saved;
 * an empty secret field then keeps it (`null`).
 */
export function validateDestination(f: DestinationForm, hasStoredSecret: boolean): DestinationResult {
  const errors: FieldError[] = [];
  const name = f.name.trim();
  const nameLimit = LIMITS.destination_name_bytes;
  if (name === '') errors.push({ field: 'name', key: 'validate.required' });
  else if (!within(utf8Bytes(name), nameLimit))
    errors.push({ field: 'name', key: 'validate.name_long', params: { max: nameLimit.max } });
  else if (!NAME_RE.test(name)) errors.push({ field: 'name', key: 'validate.name_chars' });

  const secret = (s: string): string | null => (s.trim() === '' ? null : s.trim());

  if (f.kind === 'tencent') {
    const domain = f.push_domain.trim().replace(/\.$/, '');
    if (domain === '') errors.push({ field: 'push_domain', key: 'validate.required' });
    else if (domain.includes('://') || domain.includes('/') || domain.includes(':'))
      errors.push({ field: 'push_domain', key: 'validate.bare_domain' });
    else if (!validDomain(domain)) errors.push({ field: 'push_domain', key: 'validate.domain' });
    for (const field of ['app', 'stream'] as const) {
      const v = f[field].trim();
      if (v === '') errors.push({ field, key: 'validate.required' });
      else if (!PATH_PART_RE.test(v)) errors.push({ field, key: 'validate.path_chars' });
    }
    const hoursText = f.valid_hours.trim();
    const hours = Number(hoursText);
    const hoursLimit = LIMITS.tencent_valid_hours;
    if (hoursText === '' || !Number.isInteger(hours) || !within(hours, hoursLimit)) {
      errors.push({ field: 'valid_hours', key: 'validate.hours', params: range(hoursLimit) });
    }
    const key = secret(f.key);
    if (key === null && !hasStoredSecret) errors.push({ field: 'key', key: 'validate.key_required' });
    if (errors.length) return { ok: false, errors };
    return {
      ok: true,
      input: {
        kind: 'tencent',
        name,
        push_domain: domain.toLowerCase(),
        app: f.app.trim(),
        stream: f.stream.trim(),
        key,
        valid_hours: hours,
      },
    };
  }

  if (f.kind === 'custom') {
    const url = f.url.trim().replace(/\/+$/, '');
    const scheme = schemeOf(url);
    if (url === '') errors.push({ field: 'url', key: 'validate.required' });
    else if (scheme !== 'rtmp' && scheme !== 'rtmps')
      errors.push({ field: 'url', key: 'validate.scheme', params: { schemes: 'rtmp://, rtmps://' } });
    else if (hostOf(url) === '') errors.push({ field: 'url', key: 'validate.host' });
    else if (url.includes('?')) errors.push({ field: 'url', key: 'validate.url_query' });
    else if (!url.slice(url.indexOf('://') + 3).includes('/')) errors.push({ field: 'url', key: 'validate.url_app' });
    const key = secret(f.stream_key);
    if (key === null && !hasStoredSecret) errors.push({ field: 'stream_key', key: 'validate.key_required' });
    if (errors.length) return { ok: false, errors };
    return { ok: true, input: { kind: 'custom', name, url, stream_key: key } };
  }

  // srt
  const url = f.url.trim();
  if (url === '') errors.push({ field: 'url', key: 'validate.required' });
  else if (schemeOf(url) !== 'srt') errors.push({ field: 'url', key: 'validate.scheme', params: { schemes: 'srt://' } });
  else if (hostOf(url) === '') errors.push({ field: 'url', key: 'validate.host' });
  const pass = f.passphrase === '' ? null : f.passphrase;
  const passLimit = LIMITS.srt_passphrase_bytes;
  if (pass !== null && !within(utf8Bytes(pass), passLimit)) {
    errors.push({ field: 'passphrase', key: 'validate.passphrase', params: range(passLimit) });
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, input: { kind: 'srt', name, url, passphrase: pass } };
}

export interface CanvasForm {
  width: string;
  height: string;
  fps: string;
  video_kbps: string;
}

export type CanvasResult = { ok: true; canvas: CanvasSettings } | { ok: false; errors: FieldError[] };

function intIn(text: string, r: Range): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return within(n, r) ? n : null;
}

export function validateCanvas(f: CanvasForm): CanvasResult {
  const errors: FieldError[] = [];
  const side = LIMITS.canvas_side;
  const dim = (field: 'width' | 'height'): number => {
    const n = intIn(f[field], side);
    // Even sides: the encoder's 4:2:0 chroma needs them.
    if (n === null || n % 2 !== 0) {
      errors.push({ field, key: 'validate.dimension', params: range(side) });
      return 0;
    }
    return n;
  };
  const width = dim('width');
  const height = dim('height');
  const fps = intIn(f.fps, LIMITS.fps);
  if (fps === null) errors.push({ field: 'fps', key: 'validate.fps', params: range(LIMITS.fps) });
  const kbps = intIn(f.video_kbps, LIMITS.video_kbps);
  if (kbps === null) errors.push({ field: 'video_kbps', key: 'validate.kbps', params: range(LIMITS.video_kbps) });
  if (errors.length) return { ok: false, errors };
  return { ok: true, canvas: { width, height, fps: fps as number, video_kbps: kbps as number } };
}

/**
 * Room text, in characters (code points, as the core counts): a barrage
 * needs at least one; an empty announcement is allowed when the limit's
 * minimum is 0 (it clears the banner).
 */
export function validateRoomText(text: string, announce: boolean): Omit<FieldError, 'field'> | null {
  const r = announce ? LIMITS.announcement_chars : LIMITS.barrage_chars;
  const n = [...text.trim()].length;
  if (n < r.min) return { key: 'validate.required' };
  if (n > r.max) return { key: announce ? 'validate.announce_long' : 'validate.barrage_long', params: { max: r.max } };
  return null;
}

/** Assistant mode needs both a room URL and a token. */
export function validateRoomUrl(url: string): MessageKey | null {
  const u = url.trim();
  if (u === '') return 'validate.required';
  const s = schemeOf(u);
  if (s !== 'http' && s !== 'https' && s !== 'ws' && s !== 'wss') return 'validate.room_url';
  if (hostOf(u) === '') return 'validate.host';
  // The room's page (/r/ROOM) or socket (/ws/ROOM): the core needs the
  // room's name from the path.
  if (!/^[a-z]+:\/\/[^/]+\/(r|ws)\/[A-Za-z0-9_-]{1,64}\/?(\?.*)?$/.test(u)) return 'validate.room_url';
  return null;
}
