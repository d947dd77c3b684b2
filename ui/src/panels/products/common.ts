// Small pieces the Products panel's parts share: names in the window's
// language, prices, state and role labels, thumbnails.

import { t, type MessageKey } from '../../i18n';
import type { ItemState, Language, Role } from '../../ipc';
import { h, setText, show } from '../../lib/dom';
import { isInlineImage } from '../beauty';

/** A part of the panel: its element, a render (called at most once a frame) and a dispose. */
export interface Section {
  element: HTMLElement;
  render(): void;
  dispose?(): void;
}

/** The product's name in the window's language: Chinese for zh-CN, else English; either if one is empty. */
export function productName(p: { name_zh: string; name_en: string }, lang: Language, fallback = ''): string {
  const [first, second] = lang === 'zh-CN' ? [p.name_zh, p.name_en] : [p.name_en, p.name_zh];
  return first || second || fallback;
}

export const STATE_KEYS: Record<ItemState, MessageKey> = {
  ready: 'products.state_ready',
  explaining: 'products.state_explaining',
  explained: 'products.state_explained',
  sold_out: 'products.state_sold_out',
};

export const ROLE_KEYS: Record<Role, MessageKey> = {
  host: 'products.role_host',
  assistant: 'products.role_assistant',
  admin: 'products.role_admin',
  audience: 'products.role_audience',
};

/** A thumbnail `<img>` (only `data:` images: the CSP allows nothing else), or an empty box. */
export function thumb(cls: string, src: string | null | undefined): HTMLElement {
  const box = h('div', { class: `thumb ${cls}` });
  setThumb(box, src);
  return box;
}

export function setThumb(box: HTMLElement, src: string | null | undefined): void {
  const img = box.querySelector('img');
  if (src && isInlineImage(src)) {
    if (img) {
      if (img.getAttribute('src') !== src) img.setAttribute('src', src);
    } else {
      box.appendChild(h('img', { attrs: { src, alt: '' } }));
    }
    box.classList.remove('empty');
  } else {
    img?.remove();
    box.classList.add('empty');
  }
}

/** The server's reason a change was refused, with a close button. */
export interface RefusalBanner {
  element: HTMLElement;
  /** Shows `text`, or hides the banner for null. */
  set(text: string | null): void;
}

export function refusalBanner(testid: string, onClose: () => void): RefusalBanner {
  const text = h('span', { class: 'refusal-text' });
  const element = h(
    'div',
    { class: 'refusal', testid, attrs: { role: 'alert' } },
    text,
    h('button', {
      class: 'btn-quiet refusal-close',
      text: '×',
      attrs: { type: 'button', 'aria-label': t('common.close') },
      on: { click: onClose },
    }),
  );
  return {
    element,
    set(value) {
      setText(text, value ?? '');
      show(element, value !== null);
    },
  };
}
