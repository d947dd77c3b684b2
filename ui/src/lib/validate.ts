// Form validation that mirrors the core's simple rules so mistakes show
// early. The core validates again and is the authority.
//
// Errors are i18n keys (with parameters) so the form can show them in the
// user's language.

import type { MessageKey } from '../i18n';
import type { Canvas, DestinationInput, DestinationKind } from '../types';

export interface FieldError {
  field: string;
  key: MessageKey;
  params?: Record<string, string | number>;
}

export const CANVAS_LIMITS = {
  minDim: 160,
  maxDim: 3840,
  minFps: 15,
  maxFps: 60,
  minKbps: 300,
  maxKbps: 20000,
} as const;

export const CANVAS_PRESETS = {
  landscape: { width: 1280, height: 720 },
  portrait: { width: 720, height: 1280 },
} as const;

export const TENCENT_HOURS = { min: 1, max: 8760 } as const;
export const SRT_PASSPHRASE = { min: 10, max: 79 } as const;
export const NAME_MAX = 64;

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
  if (name === '') errors.push({ field: 'name', key: 'validate.required' });
  else if (name.length > NAME_MAX) errors.push({ field: 'name', key: 'validate.name_long', params: { max: NAME_MAX } });
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
    if (
      hoursText === '' ||
      !Number.isInteger(hours) ||
      hours < TENCENT_HOURS.min ||
      hours > TENCENT_HOURS.max
    ) {
      errors.push({ field: 'valid_hours', key: 'validate.hours', params: TENCENT_HOURS });
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
  if (pass !== null && (pass.length < SRT_PASSPHRASE.min || pass.length > SRT_PASSPHRASE.max)) {
    errors.push({ field: 'passphrase', key: 'validate.passphrase', params: SRT_PASSPHRASE });
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

export type CanvasResult = { ok: true; canvas: Canvas } | { ok: false; errors: FieldError[] };

function intIn(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

export function validateCanvas(f: CanvasForm): CanvasResult {
  const L = CANVAS_LIMITS;
  const errors: FieldError[] = [];
  const dim = (field: 'width' | 'height'): number => {
    const n = intIn(f[field], L.minDim, L.maxDim);
    if (n === null || n % 2 !== 0) {
      errors.push({ field, key: 'validate.dimension', params: { min: L.minDim, max: L.maxDim } });
      return 0;
    }
    return n;
  };
  const width = dim('width');
  const height = dim('height');
  const fps = intIn(f.fps, L.minFps, L.maxFps);
  if (fps === null) errors.push({ field: 'fps', key: 'validate.fps', params: { min: L.minFps, max: L.maxFps } });
  const kbps = intIn(f.video_kbps, L.minKbps, L.maxKbps);
  if (kbps === null)
    errors.push({ field: 'video_kbps', key: 'validate.kbps', params: { min: L.minKbps, max: L.maxKbps } });
  if (errors.length) return { ok: false, errors };
  return { ok: true, canvas: { width, height, fps: fps as number, video_kbps: kbps as number } };
}

export const BARRAGE_MAX = 200;
export const ANNOUNCE_MAX = 500;

/** Room text limits (docs/protocol.md): barrage 1–200, announcement ≤ 500 chars. */
export function validateRoomText(text: string, announce: boolean): MessageKey | null {
  const t = text.trim();
  const n = [...t].length;
  if (n === 0) return 'validate.required';
  if (n > (announce ? ANNOUNCE_MAX : BARRAGE_MAX)) return announce ? 'validate.announce_long' : 'validate.barrage_long';
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
