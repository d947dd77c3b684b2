// Sources: the video input (test pattern, camera, screen, media file,
// image), the microphone and the speaker. Refreshes on hot-plug.

import { language, t } from '../i18n';
import { button, clear, field, h, placeholder, setI18n, show } from '../lib/dom';
import type { DeviceView, VideoChoice } from '../ipc';
import { streamGate, Subs, type PanelDef } from './panel';
import { sceneLayers } from './sceneLayers';

type Kind = VideoChoice['kind'];
const KINDS: Kind[] = ['test', 'camera', 'screen', 'file', 'image'];

export function isOnAirPhase(phase: string): boolean {
  return phase === 'starting' || phase === 'on_air' || phase === 'ending';
}

export const sourcesPanel: PanelDef = {
  id: 'sources',
  title: 'panel.sources',
  create(ctx) {
    const { store, actions } = ctx;
    const subs = new Subs();

    const kindSel = h('select', { class: 'input', testid: 'video-kind' });
    for (const k of KINDS) kindSel.appendChild(h('option', { i18n: `sources.kind_${k}`, attrs: { value: k } }));
    const cameraSel = h('select', { class: 'input', testid: 'camera-select' });
    const noCamera = h(
      'div',
      { class: 'notice' },
      h('p', { i18n: 'sources.no_camera' }),
      h(
        'div',
        { class: 'row' },
        button('sources.use_test', () => pick('test', true), { class: 'btn btn-small' }),
        button('sources.use_file', () => pick('file', false), { class: 'btn btn-small' }),
        button('sources.use_image', () => pick('image', false), { class: 'btn btn-small' }),
      ),
    );
    const pathInput = h('input', { class: 'input', testid: 'video-path', attrs: { type: 'text', spellcheck: 'false' } });
    const cameraRow = field('sources.camera', cameraSel);
    const pathRow = field('sources.path', pathInput);
    const screenNote = h('p', { class: 'hint', i18n: 'sources.screen_hint' });
    const lockedNote = h('p', { class: 'hint warn', i18n: 'sources.locked_on_air' });
    const applyBtn = button('sources.apply', () => void apply(), { class: 'btn btn-primary', testid: 'video-apply' });
    const current = h('p', { class: 'hint' });

    const micSel = h('select', { class: 'input', testid: 'mic-select' });
    const spkSel = h('select', { class: 'input', testid: 'speaker-select' });
    micSel.addEventListener('change', () => actions.setMicrophone(micSel.value === '' ? null : micSel.value));
    spkSel.addEventListener('change', () => actions.setSpeaker(spkSel.value === '' ? null : spkSel.value));

    const el = h('div', { class: 'panel-body sources' });
    streamGate(ctx, subs, el,
      h('h3', { i18n: 'sources.video' }),
      field('sources.kind', kindSel),
      cameraRow,
      noCamera,
      pathRow,
      screenNote,
      h('div', { class: 'row' }, applyBtn),
      current,
      lockedNote,
      sceneLayers(ctx, subs),
      h('h3', { i18n: 'sources.audio_devices' }),
      field('sources.microphone', micSel),
      field('sources.speaker', spkSel),
      h(
        'div',
        { class: 'row' },
        button('sources.refresh', () => void actions.refreshDevices(), { class: 'btn btn-small' }),
      ),
    );

    const cameras = (): DeviceView[] => store.devices.filter((d) => d.kind === 'camera');

    function pick(kind: Kind, applyNow: boolean): void {
      kindSel.value = kind;
      layout();
      if (applyNow) void apply();
      else pathInput.focus();
    }

    function choice(): VideoChoice | null {
      const kind = kindSel.value as Kind;
      switch (kind) {
        case 'test':
          return { kind };
        case 'screen':
          return { kind, id: null };
        case 'camera':
          return cameraSel.value ? { kind, id: cameraSel.value } : null;
        case 'file':
        case 'image': {
          const path = pathInput.value.trim();
          if (!path) return null;
          // The main source always loops: it must keep running.
          return kind === 'file' ? { kind, path, once: false } : { kind, path };
        }
      }
      return null;
    }

    async function apply(): Promise<void> {
      const c = choice();
      if (!c) {
        ctx.toast.show(t(kindSel.value === 'camera' ? 'sources.no_camera' : 'sources.path_required'), 'error');
        return;
      }
      await actions.setVideo(c);
    }

    function layout(): void {
      const kind = kindSel.value as Kind;
      const hasCams = cameras().length > 0;
      show(cameraRow, kind === 'camera' && hasCams);
      show(noCamera, kind === 'camera' && !hasCams);
      show(pathRow, kind === 'file' || kind === 'image');
      if (kind === 'file') placeholder(pathInput, 'sources.path_file_ph');
      if (kind === 'image') placeholder(pathInput, 'sources.path_image_ph');
      show(screenNote, kind === 'screen');
      const locked = isOnAirPhase(store.session.phase);
      applyBtn.disabled = locked || (kind === 'camera' && !hasCams);
      kindSel.disabled = locked;
      show(lockedNote, locked);
    }

    let filledFor = '';
    function fillDevices(): void {
      const v = store.settings.video;
      // Rebuild the lists only when something they show changed (an open
      // dropdown would otherwise close on unrelated settings saves).
      const key = JSON.stringify([store.devices, store.settings.microphone, store.settings.speaker, v, language()]);
      if (key === filledFor) {
        layout();
        return;
      }
      filledFor = key;
      const keepCam = cameraSel.value || (v.kind === 'camera' ? v.id : '');
      clear(cameraSel);
      for (const d of cameras()) cameraSel.appendChild(h('option', { text: d.name, attrs: { value: d.id } }));
      if (keepCam && cameras().some((d) => d.id === keepCam)) cameraSel.value = keepCam;

      const fillAudio = (sel: HTMLSelectElement, kind: 'microphone' | 'speaker', value: string | null) => {
        clear(sel);
        sel.appendChild(h('option', { i18n: 'sources.default_device', attrs: { value: '' } }));
        for (const d of store.devices.filter((x) => x.kind === kind)) {
          sel.appendChild(h('option', { text: d.name, attrs: { value: d.id } }));
        }
        if (kind === 'microphone') {
          sel.appendChild(h('option', { i18n: 'sources.test_tone', attrs: { value: 'test' } }));
          sel.appendChild(h('option', { i18n: 'sources.no_audio', attrs: { value: 'none' } }));
        }
        const want = value ?? '';
        if ([...sel.options].some((o) => o.value === want)) sel.value = want;
        else if (value) {
          // The saved device is unplugged: say so rather than pretend.
          sel.appendChild(h('option', { i18n: 'sources.missing_device', attrs: { value: want } }));
          sel.value = want;
        }
      };
      fillAudio(micSel, 'microphone', store.settings.microphone);
      fillAudio(spkSel, 'speaker', store.settings.speaker);
      layout();
    }

    function fromSettings(): void {
      const v = store.settings.video;
      if (document.activeElement !== kindSel) kindSel.value = v.kind;
      if ((v.kind === 'file' || v.kind === 'image') && document.activeElement !== pathInput) pathInput.value = v.path;
      const desc =
        v.kind === 'camera'
          ? (cameras().find((d) => d.id === v.id)?.name ?? v.id)
          : v.kind === 'file' || v.kind === 'image'
            ? v.path
            : t(`sources.kind_${v.kind}`);
      setI18n(current, 'sources.current', { source: desc });
      fillDevices();
    }

    kindSel.addEventListener('change', layout);
    fromSettings();
    subs.add(
      store.on('devices', fillDevices),
      store.on('settings', fromSettings),
      store.on('session', layout),
    );
    return { element: el, dispose: () => subs.dispose() };
  },
};
