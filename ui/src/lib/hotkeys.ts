// Hotkey strings like "Ctrl+Shift+L": parse, format, match a keydown.
// Pure; the page's keydown handler lives in app.ts.

import type { HotkeyAction, Hotkeys } from '../ipc';

export interface Combo {
  ctrl: boolean;
  shift: boolean;
  alt: boolean;
  meta: boolean;
  /** Normalised key: "L", "5", "F5", "Space", "ArrowUp", "Enter", … */
  key: string;
}

/** The keyboard fields a KeyboardEvent has that matching needs. */
export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

const MODIFIER_KEYS = new Set(['Control', 'Shift', 'Alt', 'Meta', 'OS', 'AltGraph', 'Super', 'Hyper']);

const KEY_ALIASES: Record<string, string> = {
  space: 'Space',
  spacebar: 'Space',
  ' ': 'Space',
  esc: 'Escape',
  escape: 'Escape',
  enter: 'Enter',
  return: 'Enter',
  tab: 'Tab',
  backspace: 'Backspace',
  delete: 'Delete',
  del: 'Delete',
  insert: 'Insert',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pagedown: 'PageDown',
  up: 'ArrowUp',
  down: 'ArrowDown',
  left: 'ArrowLeft',
  right: 'ArrowRight',
  arrowup: 'ArrowUp',
  arrowdown: 'ArrowDown',
  arrowleft: 'ArrowLeft',
  arrowright: 'ArrowRight',
  plus: '+',
  minus: '-',
};

function normaliseKey(k: string): string | null {
  if (k.length === 0) return null;
  if (k.length === 1) {
    if (k === ' ') return 'Space';
    return k.toUpperCase();
  }
  const lower = k.toLowerCase();
  if (KEY_ALIASES[lower]) return KEY_ALIASES[lower] as string;
  const f = /^f([1-9]|1[0-9]|2[0-4])$/.exec(lower);
  if (f) return `F${f[1]}`;
  return null;
}

/**
 * Parses "Ctrl+Shift+L" (case-insensitive; Control/Cmd/Command/Meta/Super/
 * Option aliases; "CmdOrCtrl" reads as Ctrl). Returns null when it is not
 * exactly one non-modifier key plus modifiers.
 */
export function parseHotkey(s: string): Combo | null {
  const text = s.trim();
  if (!text) return null;
  // Split on '+' but keep a trailing '+' as the key ("Ctrl++").
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '+' && cur.trim() !== '') {
      parts.push(cur.trim());
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur.trim() !== '') parts.push(cur.trim());
  else if (text.endsWith('+')) return null;

  const combo: Combo = { ctrl: false, shift: false, alt: false, meta: false, key: '' };
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const lower = p.toLowerCase();
    const last = i === parts.length - 1;
    if (['ctrl', 'control', 'cmdorctrl', 'commandorcontrol'].includes(lower)) {
      if (last || combo.ctrl) return null;
      combo.ctrl = true;
    } else if (lower === 'shift') {
      if (last || combo.shift) return null;
      combo.shift = true;
    } else if (['alt', 'option', 'opt'].includes(lower)) {
      if (last || combo.alt) return null;
      combo.alt = true;
    } else if (['meta', 'cmd', 'command', 'super', 'win'].includes(lower)) {
      if (last || combo.meta) return null;
      combo.meta = true;
    } else {
      if (!last) return null;
      const key = normaliseKey(p);
      if (!key) return null;
      combo.key = key;
    }
  }
  return combo.key ? combo : null;
}

/** Canonical text: modifiers in the order Ctrl, Alt, Shift, Meta. */
export function formatHotkey(c: Combo): string {
  const parts: string[] = [];
  if (c.ctrl) parts.push('Ctrl');
  if (c.alt) parts.push('Alt');
  if (c.shift) parts.push('Shift');
  if (c.meta) parts.push('Meta');
  parts.push(c.key);
  return parts.join('+');
}

/** The key of a keydown, layout-independent for letters and digits. */
export function eventKey(e: KeyLike): string | null {
  if (MODIFIER_KEYS.has(e.key)) return null;
  const code = e.code ?? '';
  let m = /^Key([A-Z])$/.exec(code);
  if (m) return m[1] as string;
  m = /^Digit([0-9])$/.exec(code);
  if (m) return m[1] as string;
  m = /^Numpad([0-9])$/.exec(code);
  if (m) return m[1] as string;
  if (code === 'Space') return 'Space';
  return normaliseKey(e.key);
}

/** The combo a keydown makes, or null for a lone modifier press. */
export function comboFromEvent(e: KeyLike): Combo | null {
  const key = eventKey(e);
  if (!key) return null;
  return { ctrl: e.ctrlKey, shift: e.shiftKey, alt: e.altKey, meta: e.metaKey, key };
}

export function matches(e: KeyLike, c: Combo): boolean {
  const key = eventKey(e);
  return (
    key === c.key &&
    e.ctrlKey === c.ctrl &&
    e.shiftKey === c.shift &&
    e.altKey === c.alt &&
    e.metaKey === c.meta
  );
}

export const HOTKEY_ACTIONS: readonly HotkeyAction[] = [
  'go_live',
  'mute_mic',
  'next_product',
  'beauty_toggle',
];

/** The action a keydown triggers, if any. Unparsable bindings never match. */
export function actionFor(e: KeyLike, hotkeys: Hotkeys): HotkeyAction | null {
  for (const a of HOTKEY_ACTIONS) {
    const c = parseHotkey(hotkeys[a]);
    if (c && matches(e, c)) return a;
  }
  return null;
}

/** Actions whose bindings are unparsable or shared with another action. */
export function hotkeyProblems(hotkeys: Hotkeys): {
  invalid: HotkeyAction[];
  duplicates: HotkeyAction[][];
} {
  const invalid: HotkeyAction[] = [];
  const byCombo = new Map<string, HotkeyAction[]>();
  for (const a of HOTKEY_ACTIONS) {
    const raw = hotkeys[a];
    if (raw.trim() === '') continue; // empty: unbound
    const c = parseHotkey(raw);
    if (!c) {
      invalid.push(a);
      continue;
    }
    const k = formatHotkey(c);
    byCombo.set(k, [...(byCombo.get(k) ?? []), a]);
  }
  const duplicates = [...byCombo.values()].filter((v) => v.length > 1);
  return { invalid, duplicates };
}

/**
 * True when a keydown target is somewhere the user types, where hotkeys
 * must not fire: text-like inputs, textareas, selects, contenteditable.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') {
    const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
    return !['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file', 'image'].includes(type);
  }
  if (el.isContentEditable) return true;
  const ce = el.getAttribute?.('contenteditable');
  return ce === '' || ce === 'true' || ce === 'plaintext-only';
}
