// The one confirmation dialog (data-testid confirm-dialog, buttons
// confirm-yes / confirm-no). Nothing irreversible happens without it.

import { t, type MessageKey, type Params } from '../i18n';
import { h } from '../lib/dom';

export interface ConfirmOptions {
  title: MessageKey;
  message: MessageKey;
  params?: Params;
  /** Extra lines (plain text, e.g. destination names). */
  details?: string[];
  yes: MessageKey;
  no?: MessageKey;
  danger?: boolean;
}

export class ConfirmDialog {
  private open: { el: HTMLElement; resolve: (v: boolean) => void } | null = null;

  constructor(private readonly host: HTMLElement) {}

  get isOpen(): boolean {
    return this.open !== null;
  }

  /** Resolves true on "yes", false on "no", Escape, or a newer dialog. */
  ask(o: ConfirmOptions): Promise<boolean> {
    this.close(false);
    return new Promise<boolean>((resolve) => {
      const yes = h('button', {
        class: o.danger ? 'btn btn-danger' : 'btn btn-primary',
        testid: 'confirm-yes',
        text: t(o.yes),
        attrs: { type: 'button' },
      });
      const no = h('button', {
        class: 'btn',
        testid: 'confirm-no',
        text: t(o.no ?? 'common.cancel'),
        attrs: { type: 'button' },
      });
      const details = (o.details ?? []).map((d) => h('li', { text: d }));
      const box = h(
        'div',
        { class: 'dialog confirm', attrs: { role: 'alertdialog', 'aria-modal': 'true' } },
        h('h2', { text: t(o.title) }),
        h('p', { text: t(o.message, o.params) }),
        details.length ? h('ul', { class: 'confirm-details' }, ...details) : null,
        h('div', { class: 'dialog-buttons' }, no, yes),
      );
      const el = h('div', { class: 'modal-backdrop', testid: 'confirm-dialog' }, box);
      el.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          this.close(false);
        }
      });
      yes.addEventListener('click', () => this.close(true));
      no.addEventListener('click', () => this.close(false));
      this.open = { el, resolve };
      this.host.appendChild(el);
      // The safe answer has the focus: Enter never starts a broadcast by accident.
      no.focus();
    });
  }

  close(answer: boolean): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    o.el.remove();
    o.resolve(answer);
  }
}
