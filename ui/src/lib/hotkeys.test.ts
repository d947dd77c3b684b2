import { describe, expect, it } from 'vitest';
import type { Hotkeys } from '../ipc';
import {
  actionFor,
  comboFromEvent,
  formatHotkey,
  hotkeyProblems,
  isTypingTarget,
  matches,
  parseHotkey,
  type KeyLike,
} from './hotkeys';

const key = (k: string, code: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  code,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

const HOTKEYS: Hotkeys = {
  go_live: 'Ctrl+Shift+L',
  mute_mic: 'Ctrl+Shift+M',
  next_product: 'Alt+N',
  beauty_toggle: 'F9',
};

describe('parseHotkey', () => {
  it('parses modifiers and key', () => {
    expect(parseHotkey('Ctrl+Shift+L')).toEqual({ ctrl: true, shift: true, alt: false, meta: false, key: 'L' });
    expect(parseHotkey('alt+f5')).toEqual({ ctrl: false, shift: false, alt: true, meta: false, key: 'F5' });
    expect(parseHotkey('Cmd+Space')).toMatchObject({ meta: true, key: 'Space' });
    expect(parseHotkey('Control + Option + 1')).toMatchObject({ ctrl: true, alt: true, key: '1' });
    expect(parseHotkey('CmdOrCtrl+K')).toMatchObject({ ctrl: true, key: 'K' });
    expect(parseHotkey('Ctrl++')).toMatchObject({ ctrl: true, key: '+' });
  });

  it('refuses malformed combinations', () => {
    for (const bad of ['', 'Ctrl', 'Ctrl+Shift', 'Ctrl+Ctrl+L', 'L+Ctrl', 'Ctrl+Foo', 'Ctrl+L+K', 'F25', 'Ctrl+']) {
      expect(parseHotkey(bad), bad).toBeNull();
    }
  });

  it('formats in a canonical order', () => {
    expect(formatHotkey(parseHotkey('shift+ctrl+l')!)).toBe('Ctrl+Shift+L');
    expect(formatHotkey(parseHotkey('meta+alt+shift+ctrl+up')!)).toBe('Ctrl+Alt+Shift+Meta+ArrowUp');
  });
});

describe('matching a keydown', () => {
  it('matches exact modifiers only', () => {
    const c = parseHotkey('Ctrl+Shift+L')!;
    expect(matches(key('L', 'KeyL', { ctrlKey: true, shiftKey: true }), c)).toBe(true);
    expect(matches(key('l', 'KeyL', { ctrlKey: true }), c)).toBe(false);
    expect(matches(key('L', 'KeyL', { ctrlKey: true, shiftKey: true, altKey: true }), c)).toBe(false);
  });

  it('uses the physical key for letters and digits (Shift+1 is still 1)', () => {
    expect(matches(key('!', 'Digit1', { ctrlKey: true, shiftKey: true }), parseHotkey('Ctrl+Shift+1')!)).toBe(true);
    // A non-Latin layout still reports KeyL for the L key.
    expect(matches(key('ㅣ', 'KeyL', { ctrlKey: true, shiftKey: true }), parseHotkey('Ctrl+Shift+L')!)).toBe(true);
  });

  it('finds the action for a keydown', () => {
    expect(actionFor(key('M', 'KeyM', { ctrlKey: true, shiftKey: true }), HOTKEYS)).toBe('mute_mic');
    expect(actionFor(key('n', 'KeyN', { altKey: true }), HOTKEYS)).toBe('next_product');
    expect(actionFor(key('F9', 'F9'), HOTKEYS)).toBe('beauty_toggle');
    expect(actionFor(key('x', 'KeyX'), HOTKEYS)).toBeNull();
  });

  it('builds a combo from a keydown, ignoring lone modifiers', () => {
    expect(comboFromEvent(key('Control', 'ControlLeft', { ctrlKey: true }))).toBeNull();
    const c = comboFromEvent(key('B', 'KeyB', { ctrlKey: true, shiftKey: true }));
    expect(c && formatHotkey(c)).toBe('Ctrl+Shift+B');
  });
});

describe('hotkeyProblems', () => {
  it('reports invalid and duplicate bindings; empty means unbound', () => {
    const p = hotkeyProblems({ go_live: 'Ctrl+Shift+L', mute_mic: 'shift+ctrl+l', next_product: 'Ctrl+', beauty_toggle: '' });
    expect(p.invalid).toEqual(['next_product']);
    expect(p.duplicates).toEqual([['go_live', 'mute_mic']]);
    expect(hotkeyProblems(HOTKEYS)).toEqual({ invalid: [], duplicates: [] });
  });
});

describe('isTypingTarget', () => {
  it('is true for text fields and false for sliders, checkboxes and buttons', () => {
    const text = document.createElement('input');
    const range = document.createElement('input');
    range.type = 'range';
    const check = document.createElement('input');
    check.type = 'checkbox';
    const area = document.createElement('textarea');
    const div = document.createElement('div');
    const editable = document.createElement('div');
    editable.setAttribute('contenteditable', 'true');
    expect(isTypingTarget(text)).toBe(true);
    expect(isTypingTarget(area)).toBe(true);
    expect(isTypingTarget(document.createElement('select'))).toBe(true);
    expect(isTypingTarget(editable)).toBe(true);
    expect(isTypingTarget(range)).toBe(false);
    expect(isTypingTarget(check)).toBe(false);
    expect(isTypingTarget(div)).toBe(false);
    expect(isTypingTarget(document.createElement('button'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
