// Small formatting helpers.

/** HH:MM:SS of a duration in ms (negative clamps to zero; hours may exceed 99). */
export function hms(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(h)}:${p(m)}:${p(s)}`;
}

/** Price in cents as "99.00". */
export function price(cents: number): string {
  if (!Number.isFinite(cents)) return '—';
  return (cents / 100).toFixed(2);
}

export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

// ---- money (display only: the Rust side validates prices) ----

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** A currency formatter for `lang`, or null when Intl does not know the code. */
function moneyFormat(currency: string, lang: string): Intl.NumberFormat | null {
  const key = `${lang}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(lang, { style: 'currency', currency });
    } catch {
      return null;
    }
    moneyFormats.set(key, f);
  }
  return f;
}

/**
 * How many minor-unit digits `currency` has (CNY 2, JPY 0, BHD 3), as Intl
 * knows it; null for a code Intl cannot format.
 */
export function currencyDigits(currency: string): number | null {
  const f = moneyFormat(currency, 'en');
  return f ? f.resolvedOptions().maximumFractionDigits ?? null : null;
}

/** A price in minor units of `currency`, formatted for `lang` (CNY 9900 → "¥99.00" in zh-CN). */
export function money(minor: number, currency: string, lang: string): string {
  if (!Number.isFinite(minor)) return '—';
  const f = moneyFormat(currency, lang);
  const digits = currencyDigits(currency);
  if (!f || digits === null) return `${minor} ${currency}`;
  return f.format(minor / 10 ** digits);
}

/** Minor units as the plain major-unit text an input shows ("99.00", JPY "500"). */
export function majorText(minor: number, currency: string): string {
  const digits = currencyDigits(currency) ?? 0;
  if (digits === 0) return String(minor);
  const s = String(Math.trunc(minor)).padStart(digits + 1, '0');
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

export type ParsedMajor =
  | { ok: true; minor: number }
  | { ok: false; why: 'empty' | 'number' | 'digits' | 'currency'; digits?: number };

/**
 * The user's major-unit text ("99", "99.5", "1,299.00") in minor units of
 * `currency`, computed on the digits (no floating point rounding).
 */
export function parseMajor(text: string, currency: string): ParsedMajor {
  const s = text.trim().replace(/[,\s_]/g, '');
  if (s === '') return { ok: false, why: 'empty' };
  const digits = currencyDigits(currency);
  if (digits === null) return { ok: false, why: 'currency' };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return { ok: false, why: 'number' };
  const frac = m[2] ?? '';
  if (frac.length > digits) return { ok: false, why: 'digits', digits };
  const minor = Number(`${m[1]}${frac.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor)) return { ok: false, why: 'number' };
  return { ok: true, minor };
}

/** MM:SS of a duration (minutes keep counting past 59; negative clamps to zero). */
export function mmss(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(total / 60))}:${p(total % 60)}`;
}

/** A wall-clock time (HH:MM:SS, 24 h) of Unix ms, for activity lines. */
export function clockTime(ms: number, lang: string): string {
  if (!Number.isFinite(ms)) return '';
  return new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
