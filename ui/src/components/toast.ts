// Toasts and the status line: every command error lands here, with its
// code and message (messages never hold secrets).

import { t, type MessageKey } from '../i18n';
import type { ErrorCode } from '../ipc';
import { isApiError } from '../ipc/api';
import { h, setText } from '../lib/dom';

export type ToastKind = 'error' | 'warn' | 'info';

// Typed by the generated `ErrorCode`: a new code fails to compile until it has words.
const ERROR_KEYS: Record<ErrorCode, MessageKey> = {
  invalid: 'error.invalid',
  forbidden: 'error.forbidden',
  state: 'error.state',
  not_found: 'error.not_found',
  io: 'error.io',
  media: 'error.media',
  room: 'error.room',
  push: 'error.push',
  conflict: 'error.conflict',
  internal: 'error.internal',
};

export class Toaster {
  readonly element: HTMLElement;
  readonly statusLine: HTMLElement;
  private readonly list: HTMLElement;

  constructor(private readonly lifetimeMs = 8000) {
    this.list = h('div', { class: 'toasts', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.element = this.list;
    this.statusLine = h('div', { class: 'status-line', testid: 'status-line' });
  }

  show(text: string, kind: ToastKind = 'info'): HTMLElement {
    const close = h('button', {
      class: 'toast-close',
      text: '×',
      attrs: { type: 'button', 'aria-label': t('common.close') },
    });
    const item = h('div', { class: `toast toast-${kind}` }, h('span', { class: 'toast-text', text }), close);
    const remove = () => item.remove();
    close.addEventListener('click', remove);
    this.list.appendChild(item);
    while (this.list.children.length > 5) this.list.firstElementChild?.remove();
    // Errors stay twice as long; every toast can be closed at once.
    if (this.lifetimeMs > 0) setTimeout(remove, kind === 'error' ? this.lifetimeMs * 2 : this.lifetimeMs);
    this.status(text, kind);
    return item;
  }

  status(text: string, kind: ToastKind = 'info'): void {
    setText(this.statusLine, text);
    this.statusLine.className = `status-line status-${kind}`;
  }

  /** Shows a command failure (`{code, message}` or anything else thrown). */
  error(e: unknown, context?: string): void {
    this.show(describeError(e, context), 'error');
  }
}

export function describeError(e: unknown, context?: string): string {
  const prefix = context ? `${context}: ` : '';
  if (isApiError(e)) {
    // A code this page does not know yet is shown as the shell named it.
    const key: MessageKey | undefined = ERROR_KEYS[e.code];
    const label = key ? t(key) : e.code;
    return `${prefix}${label} — ${e.message}`;
  }
  if (e instanceof Error) return `${prefix}${e.message}`;
  return `${prefix}${String(e)}`;
}
