// Settings (toolbar gear): language and hotkeys, saved with save_settings.

import type { Ctx } from '../ctx';
import { LANGUAGES, setLanguage, t } from '../i18n';
import { button, field, h, setI18n } from '../lib/dom';
import { comboFromEvent, formatHotkey, HOTKEY_ACTIONS, hotkeyProblems, parseHotkey } from '../lib/hotkeys';
import type { Hotkeys, Language } from '../ipc';

const LANGUAGE_NAMES: Record<Language, string> = { 'zh-CN': '简体中文', en: 'English', ko: '한국어' };

export function openSettingsDialog(ctx: Ctx, host: HTMLElement): HTMLElement {
  host.querySelector('[data-testid="settings-dialog"]')?.remove();
  const { store, actions } = ctx;
  const draft: Hotkeys = { ...store.settings.hotkeys };

  const lang = h('select', { class: 'input', testid: 'settings-language' });
  for (const l of LANGUAGES) lang.appendChild(h('option', { text: LANGUAGE_NAMES[l], attrs: { value: l } }));
  lang.value = store.settings.language;

  const updates = h('input', { testid: 'settings-updates', attrs: { type: 'checkbox' } });
  updates.checked = store.settings.check_for_updates;

  const problems = h('div', { class: 'field-error', testid: 'hotkey-error' });
  problems.hidden = true;

  const rows = HOTKEY_ACTIONS.map((action) => {
    const input = h('input', {
      class: 'input hotkey-input',
      testid: `hotkey-${action}`,
      attrs: { type: 'text', readonly: true, spellcheck: 'false' },
    });
    input.value = draft[action];
    input.dataset.i18nPlaceholder = 'settings.hotkey_ph';
    input.placeholder = t('settings.hotkey_ph');
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Tab') return;
      e.preventDefault();
      e.stopPropagation();
      if (e.key === 'Escape') {
        input.value = draft[action];
        input.blur();
        return;
      }
      if ((e.key === 'Backspace' || e.key === 'Delete') && !e.ctrlKey && !e.altKey && !e.metaKey && !e.shiftKey) {
        draft[action] = '';
        input.value = '';
        check();
        return;
      }
      const c = comboFromEvent(e);
      if (!c) return; // a lone modifier: wait for the key
      draft[action] = formatHotkey(c);
      input.value = draft[action];
      check();
    });
    const clearBtn = button(
      'settings.hotkey_clear',
      () => {
        draft[action] = '';
        input.value = '';
        check();
      },
      { class: 'btn btn-small btn-quiet' },
    );
    return h('tr', {}, h('th', { i18n: `hotkey.${action}` }), h('td', {}, input), h('td', {}, clearBtn));
  });

  function check(): boolean {
    const p = hotkeyProblems(draft);
    const msgs: string[] = [];
    for (const a of p.invalid) msgs.push(t('settings.hotkey_invalid', { action: t(`hotkey.${a}`) }));
    for (const d of p.duplicates) msgs.push(t('settings.hotkey_duplicate', { actions: d.map((a) => t(`hotkey.${a}`)).join(', ') }));
    problems.textContent = msgs.join(' ');
    problems.hidden = msgs.length === 0;
    return msgs.length === 0;
  }

  const save = button(
    'common.save',
    () => {
      if (!check()) return;
      const language = lang.value as Language;
      const hotkeys: Hotkeys = { ...draft };
      for (const a of HOTKEY_ACTIONS) {
        const c = parseHotkey(hotkeys[a]);
        if (c) hotkeys[a] = formatHotkey(c);
      }
      const check_for_updates = updates.checked;
      actions.updateSettings((s) => ({ ...s, language, hotkeys, check_for_updates }));
      actions.flushSettings();
      setLanguage(language);
      close();
    },
    { class: 'btn btn-primary', testid: 'settings-save' },
  );
  const cancel = button('common.cancel', () => close(), { class: 'btn', testid: 'settings-cancel' });
  const hint = h('p', { class: 'hint', i18n: 'settings.hotkeys_hint' });
  const box = h(
    'div',
    { class: 'dialog settings', attrs: { role: 'dialog', 'aria-modal': 'true' } },
    h('h2', { i18n: 'settings.title' }),
    field('settings.language', lang),
    h('label', { class: 'check' }, updates, h('span', { i18n: 'settings.check_updates' })),
    h('h3', { i18n: 'settings.hotkeys' }),
    hint,
    h('table', { class: 'hotkeys' }, h('tbody', {}, ...rows)),
    problems,
    h('div', { class: 'dialog-buttons' }, cancel, save),
  );
  const el = h('div', { class: 'modal-backdrop', testid: 'settings-dialog' }, box);
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });
  function close(): void {
    el.remove();
  }
  host.appendChild(el);
  setI18n(hint, 'settings.hotkeys_hint');
  lang.focus();
  return el;
}
