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
