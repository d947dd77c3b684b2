// A modal dialog shell for the larger dialogs (the sessions list, a
// report): role=dialog with aria-modal and a label, Escape closes, Tab
// stays inside, and the focus goes back where it was when it closes.

import { h } from '../lib/dom';

export interface ModalOptions {
  testid: string;
  /** Extra classes for the dialog box. */
  class?: string;
  /** The element that names the dialog (its heading); it gets an id if it has none. */
  label: HTMLElement;
  /** Where the focus goes on close; by default whatever had it on open. */
  returnFocus?: HTMLElement | null;
  onClose?: () => void;
}

export interface Modal {
  backdrop: HTMLElement;
  box: HTMLElement;
  close(): void;
  readonly isOpen: boolean;
  /** Where the focus goes on close. */
  readonly returnFocus: HTMLElement | null;
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

let nextId = 0;
/** Each open dialog by its backdrop, so a newer one can take over from it. */
const byBackdrop = new WeakMap<HTMLElement, Modal>();

/** The dialog whose backdrop `el` is, if it is open. */
export function modalOf(el: Element | null): Modal | null {
  const m = el instanceof HTMLElement ? byBackdrop.get(el) : undefined;
  return m?.isOpen ? m : null;
}

/** Builds the dialog around `children` and shows it in `host` (focus it yourself once filled). */
export function openModal(host: HTMLElement, o: ModalOptions, ...children: HTMLElement[]): Modal {
  if (!o.label.id) o.label.id = `modal-label-${++nextId}`;
  const returnTo = o.returnFocus !== undefined ? o.returnFocus : (document.activeElement as HTMLElement | null);
  const box = h(
    'div',
    {
      class: `dialog ${o.class ?? ''}`.trim(),
      attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': o.label.id, tabindex: -1 },
    },
    ...children,
  );
  const backdrop = h('div', { class: 'modal-backdrop', testid: o.testid }, box);
  let open = true;

  const close = () => {
    if (!open) return;
    open = false;
    backdrop.remove();
    o.onClose?.();
    if (returnTo && returnTo.isConnected && typeof returnTo.focus === 'function') returnTo.focus();
  };

  backdrop.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest('[hidden]'));
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) {
      e.preventDefault();
      box.focus();
    } else if (e.shiftKey && (document.activeElement === first || document.activeElement === box)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });

  host.appendChild(backdrop);
  const modal: Modal = {
    backdrop,
    box,
    close,
    returnFocus: returnTo,
    get isOpen() {
      return open;
    },
  };
  byBackdrop.set(backdrop, modal);
  return modal;
}
