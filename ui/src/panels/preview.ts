// Preview: the program picture from the preview socket, drawn into a canvas.

import { t } from '../i18n';
import { h, setI18n, setText, show } from '../lib/dom';
import type { PreviewConnState } from '../preview/previewClient';
import { LayerEditor } from '../preview/layerEditor';
import { Subs, type PanelDef } from './panel';
import { sceneBar } from './sceneBar';

/** How long the panel listens for the first frame to clear its status;
 *  after that the readout's tick does it. */
const FIRST_FRAME_STATUS_MS = 120_000;

export const previewPanel: PanelDef = {
  id: 'preview',
  title: 'panel.preview',
  create(ctx) {
    const subs = new Subs();
    const canvas = h('canvas', {
      class: 'preview-canvas',
      testid: 'preview-canvas',
      attrs: { width: 640, height: 360, 'aria-label': t('panel.preview') },
    });
    const status = h('div', { class: 'preview-status' });
    const readout = h('div', { class: 'preview-readout' });
    const badge = h('div', { class: 'preview-badge' });
    const editor = new LayerEditor(ctx, canvas);
    const el = h(
      'div',
      { class: 'preview' },
      h('div', { class: 'preview-stage' }, canvas, editor.element, status, badge, readout),
      sceneBar(ctx, subs),
    );
    const redraw = () => editor.render();
    subs.add(ctx.store.on('settings', redraw));
    subs.add(ctx.store.on('session', redraw));
    const resized = new ResizeObserver(redraw);
    resized.observe(canvas);
    subs.add(() => resized.disconnect());
    redraw();

    const client = ctx.preview;
    client.attach(canvas);

    // An assistant has no stream: the last frame of a stopped preview
    // would look live, so the panel says so instead.
    const isAssistant = () => ctx.store.session.role === 'assistant';

    const renderState = (s: PreviewConnState) => {
      if (isAssistant()) return;
      const map = {
        idle: 'preview.idle',
        connecting: 'preview.connecting',
        open: 'preview.waiting',
        closed: 'preview.reconnecting',
      } as const;
      setI18n(status, map[s]);
      const hasFrames = client.stats().frames > 0;
      show(status, s !== 'open' || !hasFrames);
    };
    renderState(client.state);
    subs.add(client.onState(renderState));
    // "Waiting for the first frame" goes with that frame, not at the
    // readout's next tick (up to half a second over a running picture).
    let disposed = false;
    void client.whenFirstDrawn(FIRST_FRAME_STATUS_MS).then((drawn) => {
      if (drawn && !disposed) renderState(client.state);
    });
    subs.add(() => {
      disposed = true;
    });

    const renderBadge = () => {
      const s = ctx.store.session;
      const assistant = isAssistant();
      canvas.hidden = assistant;
      show(readout, !assistant);
      if (assistant) {
        setI18n(status, 'preview.assistant');
        show(status, true);
      } else if (status.dataset.i18n === 'preview.assistant') {
        renderState(client.state);
      }
      if (s.mode === 'rehearsal') {
        setI18n(badge, s.phase === 'on_air' ? 'preview.badge_rehearsing' : 'preview.badge_rehearsal');
        badge.className = 'preview-badge badge-rehearsal';
        show(badge, true);
      } else if (s.mode === 'live' && s.phase === 'on_air') {
        setI18n(badge, 'toolbar.on_air');
        badge.className = 'preview-badge badge-onair';
        show(badge, true);
      } else {
        show(badge, false);
      }
    };
    renderBadge();
    subs.add(ctx.store.on('session', renderBadge));

    subs.interval(() => {
      if (isAssistant()) return;
      const st = client.stats();
      if (st.frames > 0 && client.state === 'open') show(status, false);
      const size = client.lastSize ? `${client.lastSize.width}×${client.lastSize.height} · ` : '';
      setText(readout, `${size}${st.fps.toFixed(1)} fps · ${st.latency_ms} ms`);
    }, 500);

    return {
      element: el,
      dispose() {
        subs.dispose();
        client.detach(canvas);
      },
    };
  },
};
