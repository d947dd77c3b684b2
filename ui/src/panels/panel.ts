// A dock panel's content: its root element and a dispose that unsubscribes
// every listener (panels are created when opened and disposed when closed).

import type { Ctx } from '../ctx';
import { h, show } from '../lib/dom';
import type { MessageKey } from '../i18n';
import type { PanelId } from '../lib/layout';

export interface PanelInstance {
  element: HTMLElement;
  dispose(): void;
}

export interface PanelDef {
  id: PanelId;
  title: MessageKey;
  create(ctx: Ctx): PanelInstance;
}

/** Collects unsubscribe functions and runs them all on dispose. */
export class Subs {
  private readonly fns: (() => void)[] = [];
  add(...fns: (() => void)[]): void {
    this.fns.push(...fns);
  }
  interval(fn: () => void, ms: number): void {
    const h = setInterval(fn, ms);
    this.fns.push(() => clearInterval(h));
  }
  dispose(): void {
    for (const f of this.fns.splice(0)) f();
  }
}


/**
 * Wraps a panel's controls so they are disabled, with a note saying why,
 * when the session cannot stream (assistant mode: the host's studio owns
 * video, audio and effects).
 */
export function streamGate(ctx: Ctx, subs: Subs, body: HTMLElement, ...children: HTMLElement[]): void {
  const note = h('div', { class: 'notice', testid: 'gate-note' }, h('p', { i18n: 'gate.assistant' }));
  const set = h('fieldset', { class: 'plain' }, ...children);
  body.append(note, set);
  const render = () => {
    const gated = ctx.store.session.mode !== null && !ctx.store.session.can_stream;
    set.disabled = gated;
    set.classList.toggle('gated', gated);
    show(note, gated);
  };
  render();
  subs.add(ctx.store.on('session', render));
}
