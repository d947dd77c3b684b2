// DOM building without markup strings. Text always goes in as text nodes
// (room strings are untrusted), attributes never carry `style` or inline
// handlers (the CSP forbids both); styles go through CSSOM or classes.

import { t, type MessageKey, type Params } from '../i18n';

export type Child = Node | string | number | null | undefined | false;

export interface Opts {
  class?: string;
  testid?: string;
  attrs?: Record<string, string | number | boolean | null | undefined>;
  /** Translated text: sets textContent and `data-i18n` so a language switch updates it. */
  i18n?: MessageKey;
  i18nParams?: Params;
  /** Plain text (untrusted is fine): set as textContent. */
  text?: string;
  title?: MessageKey;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[K]) => void }>;
}

const FORBIDDEN_ATTR = /^(on|style$|srcdoc$)/i;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  opts: Opts = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (opts.class) el.className = opts.class;
  if (opts.testid) el.dataset.testid = opts.testid;
  if (opts.attrs) {
    for (const [k, v] of Object.entries(opts.attrs)) {
      if (FORBIDDEN_ATTR.test(k)) throw new Error(`attribute ${k} is not allowed`);
      if (v === null || v === undefined || v === false) continue;
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  if (opts.i18n) {
    el.dataset.i18n = opts.i18n;
    if (opts.i18nParams) el.dataset.i18nParams = JSON.stringify(opts.i18nParams);
    el.textContent = t(opts.i18n, opts.i18nParams);
  } else if (opts.text !== undefined) {
    el.textContent = opts.text;
  }
  if (opts.title) {
    el.dataset.i18nTitle = opts.title;
    el.title = t(opts.title);
  }
  if (opts.on) {
    for (const [k, fn] of Object.entries(opts.on)) {
      if (fn) el.addEventListener(k, fn as EventListener);
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Sets an element's text (untrusted allowed). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Sets an element's translated text and remembers the key. */
export function setI18n(el: HTMLElement, key: MessageKey, params?: Params): void {
  el.dataset.i18n = key;
  if (params) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params);
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A labelled form row. */
export function field(labelKey: MessageKey, control: HTMLElement, hint?: HTMLElement): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h(
    'div',
    { class: 'field' },
    h('label', { i18n: labelKey, attrs: { for: id } }),
    control,
    hint ?? null,
  );
}

export function button(
  labelKey: MessageKey,
  onClick: (ev: MouseEvent) => void,
  opts: { class?: string; testid?: string; title?: MessageKey } = {},
): HTMLButtonElement {
  return h('button', {
    class: opts.class ?? 'btn',
    testid: opts.testid,
    i18n: labelKey,
    title: opts.title,
    attrs: { type: 'button' },
    on: { click: onClick },
  });
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

/** Re-translates every `data-i18n` element under `root`. */
export function retranslate(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    const key = el.dataset.i18n as MessageKey;
    const params = el.dataset.i18nParams ? (JSON.parse(el.dataset.i18nParams) as Params) : undefined;
    el.textContent = t(key, params);
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-title]').forEach((el) => {
    el.title = t(el.dataset.i18nTitle as MessageKey);
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-placeholder]').forEach((el) => {
    (el as HTMLInputElement).placeholder = t(el.dataset.i18nPlaceholder as MessageKey);
  });
}

export function placeholder(el: HTMLInputElement | HTMLTextAreaElement, key: MessageKey): void {
  el.dataset.i18nPlaceholder = key;
  el.placeholder = t(key);
}

/** Schedules `fn` for the next animation frame, once, however often it is asked. */
export function frameBatcher(fn: () => void): () => void {
  let scheduled = false;
  const raf: (cb: () => void) => unknown =
    typeof requestAnimationFrame === 'function'
      ? (cb) => requestAnimationFrame(() => cb())
      : (cb) => setTimeout(cb, 16);
  return () => {
    if (scheduled) return;
    scheduled = true;
    raf(() => {
      scheduled = false;
      fn();
    });
  };
}
