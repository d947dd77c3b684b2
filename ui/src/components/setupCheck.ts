// The start screen's setup check: what the shell's start-up check
// (`doctor`, the same as `shopcast doctor`) found missing, in the
// window's language, with the command that installs it. Nothing here
// decides what is missing or which package fixes it; the report says.

import type { MessageKey } from '../i18n';
import type { Check, DoctorReport, Requirement } from '../ipc';
import { button, h } from '../lib/dom';

const REQUIREMENT_KEY: Record<Requirement, MessageKey> = {
  gstreamer: 'setup.req.gstreamer',
  h264_encoder: 'setup.req.h264_encoder',
  aac_encoder: 'setup.req.aac_encoder',
  flv_muxer: 'setup.req.flv_muxer',
  rtmp_sink: 'setup.req.rtmp_sink',
  matroska_muxer: 'setup.req.matroska_muxer',
  mp4_muxer: 'setup.req.mp4_muxer',
  video_convert: 'setup.req.video_convert',
  audio_convert: 'setup.req.audio_convert',
  gpu_adapter: 'setup.req.gpu_adapter',
  webkit: 'setup.req.webkit',
  assets: 'setup.req.assets',
};

/** A command line the host can select and copy. */
function command(text: string, testid: string): HTMLElement {
  const code = h('code', { class: 'mono', text });
  const copy = button(
    'setup.copy',
    () => {
      void navigator.clipboard?.writeText(text).catch(() => undefined);
    },
    { class: 'btn btn-small' },
  );
  return h('div', { class: 'setup-command', testid }, code, copy);
}

function problem(c: Check): HTMLElement {
  const state =
    c.state.state === 'too_old'
      ? h('span', { i18n: 'setup.too_old', i18nParams: { found: c.state.found, needed: c.state.needed } })
      : h('span', { i18n: 'setup.missing' });
  let fix: HTMLElement | null = null;
  switch (c.fix?.via) {
    case 'packages':
      // The combined command below installs everything; each row names its packages.
      fix = h('span', { class: 'hint mono', text: c.fix.packages.join(' ') });
      break;
    case 'any_package_manager':
      fix = h('span', { class: 'hint', i18n: 'setup.fix_any', i18nParams: { what: c.fix.what } });
      break;
    case 'gstreamer_installer':
      fix = h('span', { class: 'hint', i18n: 'setup.fix_installer', i18nParams: { url: c.fix.url } });
      break;
    case 'graphics_driver':
      fix = h('span', { class: 'hint', i18n: 'setup.fix_driver' });
      break;
    case 'reinstall':
      fix = h('span', { class: 'hint', i18n: 'setup.fix_reinstall' });
      break;
    case undefined:
      break;
  }
  return h(
    'li',
    { testid: 'setup-problem', attrs: { 'data-requirement': c.requirement } },
    h('strong', { i18n: REQUIREMENT_KEY[c.requirement] }),
    ' ',
    state,
    fix ? h('br', {}) : null,
    fix,
  );
}

/** The box for a report with problems, or null when everything is there. */
export function renderSetupCheck(report: DoctorReport, recheck: () => void): HTMLElement | null {
  if (report.ok) return null;
  const problems = report.checks.filter((c) => c.state.state !== 'ok');
  return h(
    'section',
    { class: 'setup-check', testid: 'setup-check', attrs: { role: 'alert' } },
    h('h2', { i18n: 'setup.title' }),
    h('p', { i18n: 'setup.lead' }),
    h('ul', {}, ...problems.map(problem)),
    report.install_all
      ? h('p', { class: 'hint', i18n: 'setup.install_all' })
      : null,
    report.install_all ? command(report.install_all, 'setup-install-all') : null,
    h('div', { class: 'row' }, button('setup.recheck', recheck, { class: 'btn', testid: 'setup-recheck' })),
  );
}
