// The start screen (phase "choosing"): Live, Rehearsal or Assistant, and
// the offer to resume a session that did not end cleanly.

import type { Ctx } from '../ctx';
import { t } from '../i18n';
import { button, field, h, placeholder, setI18n } from '../lib/dom';
import { validateRoomUrl } from '../lib/validate';
import type { ResumeOffer } from '../ipc';
import { api } from '../ipc/api';
import { renderSetupCheck } from './setupCheck';

export interface StartScreen {
  element: HTMLElement;
  setResume(offer: ResumeOffer | null): void;
  /** Runs the shell's setup check and shows what is missing, if anything. */
  checkSetup(): Promise<void>;
  update(): void;
}

export function createStartScreen(ctx: Ctx): StartScreen {
  const { store, actions, preview } = ctx;

  // ---- camera check: the warmed-up preview, before a mode is chosen ----
  const check = h('canvas', {
    class: 'start-check-canvas',
    testid: 'start-preview',
    attrs: { width: '320', height: '180' },
  }) as HTMLCanvasElement;
  const checkBox = h(
    'figure',
    { class: 'start-check' },
    check,
    h('figcaption', { class: 'hint', i18n: 'start.camera_check' }),
  );

  // ---- setup check: missing GStreamer parts, GPU or WebKitGTK ----
  const setupSlot = h('div', { class: 'setup-slot' });
  async function checkSetup(): Promise<void> {
    try {
      const report = await api.doctor();
      setupSlot.replaceChildren(renderSetupCheck(report, () => void checkSetup()) ?? '');
    } catch {
      // The check itself failing says nothing about what is installed;
      // the app goes on as before.
      setupSlot.replaceChildren();
    }
  }

  // ---- resume ----
  const resumeText = h('p', {});
  const resumeRec = h('p', { class: 'hint mono' });
  const resumeBox = h(
    'div',
    { class: 'resume', testid: 'resume-offer', attrs: { role: 'region' } },
    h('h2', { i18n: 'resume.title' }),
    resumeText,
    resumeRec,
    h(
      'div',
      { class: 'row' },
      button('resume.yes', () => void answerResume(true), { class: 'btn btn-primary', testid: 'resume-yes' }),
      button('resume.no', () => void answerResume(false), { class: 'btn', testid: 'resume-no' }),
    ),
  );
  resumeBox.hidden = true;
  async function answerResume(accept: boolean): Promise<void> {
    resumeBox.hidden = true;
    await actions.resume(accept);
  }

  // ---- live ----
  const liveUrl = h('input', { class: 'input', testid: 'live-room-url', attrs: { type: 'url', spellcheck: 'false' } });
  const liveToken = h('input', {
    class: 'input',
    testid: 'live-token',
    attrs: { type: 'password', autocomplete: 'off' },
  });
  placeholder(liveUrl, 'start.room_url_ph');
  placeholder(liveToken, 'start.token_optional_ph');
  const liveErr = h('div', { class: 'field-error' });
  liveErr.hidden = true;

  // ---- assistant ----
  const asUrl = h('input', { class: 'input', testid: 'assistant-room-url', attrs: { type: 'url', spellcheck: 'false' } });
  const asToken = h('input', {
    class: 'input',
    testid: 'assistant-token',
    attrs: { type: 'password', autocomplete: 'off' },
  });
  placeholder(asUrl, 'start.room_url_ph');
  placeholder(asToken, 'start.token_ph');
  const asErr = h('div', { class: 'field-error' });
  asErr.hidden = true;

  const busy = (b: boolean) => {
    el.classList.toggle('busy', b);
    el.querySelectorAll<HTMLButtonElement>('button.mode-go').forEach((x) => (x.disabled = b));
  };

  async function enter(mode: 'live' | 'rehearsal' | 'assistant'): Promise<void> {
    liveErr.hidden = asErr.hidden = true;
    let url: string | undefined;
    let token: string | undefined;
    if (mode === 'live') {
      const u = liveUrl.value.trim();
      if (u) {
        const e = validateRoomUrl(u);
        if (e) {
          setI18n(liveErr, e);
          liveErr.hidden = false;
          return;
        }
        url = u;
        const tk = liveToken.value.trim();
        if (tk) token = tk;
      }
    } else if (mode === 'assistant') {
      const e = validateRoomUrl(asUrl.value);
      if (e) {
        setI18n(asErr, e);
        asErr.hidden = false;
        return;
      }
      if (asToken.value.trim() === '') {
        setI18n(asErr, 'start.token_required');
        asErr.hidden = false;
        return;
      }
      url = asUrl.value.trim();
      token = asToken.value.trim();
    }
    busy(true);
    try {
      const ok = await actions.enterMode(mode, url, token);
      // Tokens are never kept in the page after use.
      if (ok) liveToken.value = asToken.value = '';
    } finally {
      busy(false);
    }
  }

  const card = (
    mode: 'live' | 'rehearsal' | 'assistant',
    titleKey: 'start.live' | 'start.rehearsal' | 'start.assistant',
    descKey: 'start.live_desc' | 'start.rehearsal_desc' | 'start.assistant_desc',
    fields: HTMLElement[],
    goKey: 'start.go_live_mode' | 'start.go_rehearsal_mode' | 'start.go_assistant_mode',
  ) =>
    h(
      'form',
      { class: `mode-card mode-${mode}`, attrs: { novalidate: true } },
      h('h2', { i18n: titleKey }),
      h('p', { class: 'desc', i18n: descKey }),
      ...fields,
      button(goKey, () => void enter(mode), { class: `btn mode-go btn-${mode}`, testid: `mode-${mode}` }),
    );

  const cards = h(
    'div',
    { class: 'mode-cards' },
    card(
      'live',
      'start.live',
      'start.live_desc',
      [field('start.room_url_optional', liveUrl), field('start.host_token', liveToken), liveErr],
      'start.go_live_mode',
    ),
    card('rehearsal', 'start.rehearsal', 'start.rehearsal_desc', [h('p', { class: 'hint', i18n: 'start.rehearsal_note' })], 'start.go_rehearsal_mode'),
    card(
      'assistant',
      'start.assistant',
      'start.assistant_desc',
      [field('start.room_url', asUrl), field('start.assistant_token', asToken), asErr],
      'start.go_assistant_mode',
    ),
  );
  cards.querySelectorAll('form').forEach((f) =>
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const go = f.querySelector<HTMLButtonElement>('button.mode-go');
      go?.click();
    }),
  );

  const el = h(
    'div',
    { class: 'start-screen', testid: 'start-screen' },
    h(
      'div',
      { class: 'start-inner' },
      h(
        'div',
        { class: 'start-head' },
        h('div', {}, h('h1', { i18n: 'start.title' }), h('p', { class: 'lead', i18n: 'start.lead' })),
        checkBox,
      ),
      setupSlot,
      resumeBox,
      cards,
    ),
  );

  function setResume(offer: ResumeOffer | null): void {
    resumeBox.hidden = !offer;
    if (!offer) return;
    const when = new Date(offer.started_ms).toLocaleString();
    setI18n(resumeText, 'resume.message', { mode: t(`mode.${offer.mode}`), when });
    if (offer.recording) setI18n(resumeRec, 'resume.recording', { path: offer.recording });
    resumeRec.hidden = !offer.recording;
  }

  function update(): void {
    el.hidden = store.session.phase !== 'choosing';
    // Only the start screen's own canvas is detached when it goes; the
    // Preview panel keeps drawing.
    if (el.hidden) preview.detach(check);
    else preview.attach(check);
    if (document.activeElement !== liveUrl && !liveUrl.value && store.settings.room_url) {
      liveUrl.value = store.settings.room_url;
    }
    if (document.activeElement !== asUrl && !asUrl.value && store.settings.room_url) {
      asUrl.value = store.settings.room_url;
    }
  }

  store.on('session', update);
  store.on('settings', update);
  update();
  return { element: el, setResume, checkSetup, update };
}
