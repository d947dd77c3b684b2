// The scene bar under the preview: one button per scene (the active one
// lit; click or Alt+1 … Alt+9 to switch) and the fade between scenes.

import { t } from '../i18n';
import { LIMITS, type Scene } from '../ipc';
import { clear, h } from '../lib/dom';
import type { Ctx } from '../ctx';
import type { Subs } from './panel';

/** Fades offered, in ms, within what the session accepts. */
const FADES_MS = [0, 300, 500, 1000].filter((ms) => ms >= LIMITS.scene_fade_ms.min && ms <= LIMITS.scene_fade_ms.max);

export function sceneName(s: Scene): string {
  if (s.name) return s.name;
  if (s.starter) return t(`scenes.starter_${s.starter}`);
  return s.id;
}

/** Alt+1 … Alt+9: the n-th scene, or null for any other key. */
export function sceneHotkey(e: Pick<KeyboardEvent, 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'code'>): number | null {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return null;
  const m = /^Digit([1-9])$/.exec(e.code);
  return m ? Number(m[1]) : null;
}

export function sceneBar(ctx: Ctx, subs: Subs): HTMLElement {
  const { store, actions } = ctx;
  const buttons = h('div', { class: 'scene-buttons', testid: 'scene-buttons', attrs: { role: 'group' } });
  const fade = h('select', { class: 'input input-small', testid: 'scene-fade', attrs: { 'aria-label': t('scenes.fade') } });
  for (const ms of FADES_MS) {
    fade.appendChild(h('option', { text: ms === 0 ? t('scenes.cut') : t('scenes.fade_ms', { ms }), attrs: { value: ms } }));
  }
  fade.addEventListener('change', () => {
    const scenes = store.settings.scenes;
    void actions.scenes.save({ ...scenes, fade_ms: Number(fade.value) });
  });
  const el = h('div', { class: 'scene-bar', testid: 'scene-bar' }, buttons, fade);

  // Buttons are made again only when the scenes' names change, so a
  // switch keeps the button the host just pressed (and its focus).
  let drawn = '';
  const render = () => {
    const s = store.settings.scenes;
    el.hidden = store.session.role === 'assistant';
    const names = s.list.map((scene) => `${scene.id}\u0000${sceneName(scene)}`).join('\u0001');
    if (names !== drawn) {
      drawn = names;
      clear(buttons);
      s.list.forEach((scene, i) => {
        const b = h('button', {
          class: 'btn btn-small scene-button',
          testid: `scene-${scene.id}`,
          text: sceneName(scene),
          attrs: { title: `${sceneName(scene)} (Alt+${i + 1})` },
        });
        b.dataset.scene = scene.id;
        b.addEventListener('click', () => void actions.scenes.switchTo(scene.id));
        buttons.appendChild(b);
      });
    }
    for (const b of buttons.querySelectorAll<HTMLButtonElement>('.scene-button')) {
      const on = b.dataset.scene === s.active;
      b.classList.toggle('active', on);
      b.setAttribute('aria-pressed', String(on));
    }
    fade.value = String(s.fade_ms);
  };
  render();
  subs.add(store.on('settings', render));
  subs.add(store.on('session', render));
  const onKey = (e: KeyboardEvent) => {
    const n = sceneHotkey(e);
    if (n === null || store.session.role === 'assistant') return;
    e.preventDefault();
    void actions.scenes.switchToNth(n);
  };
  window.addEventListener('keydown', onKey);
  subs.add(() => window.removeEventListener('keydown', onKey));
  return el;
}
