import { afterEach, describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import { setLanguage } from '../i18n';
import type { Check, DoctorReport } from '../ipc';
import { fake } from '../test/apiMock';
import { makeCtx } from '../test/ctx';
import { makeFakeApi } from '../test/fakeApi';
import { retranslate } from '../lib/dom';
import { renderSetupCheck } from './setupCheck';
import { createStartScreen } from './startScreen';

const ok = (requirement: Check['requirement'], found: string): Check => ({
  requirement,
  state: { state: 'ok', found },
  fix: null,
});

/** What the shell reports on Debian without the ugly plugins and with an old WebKitGTK. */
function broken(): DoctorReport {
  return {
    platform: 'linux',
    package_manager: 'apt',
    ok: false,
    install_all: 'sudo apt install gstreamer1.0-plugins-ugly libwebkit2gtk-4.1-0',
    checks: [
      ok('gstreamer', '1.22.0'),
      {
        requirement: 'h264_encoder',
        state: { state: 'missing', wanted: ['x264enc', 'nvh264enc'], detail: null },
        fix: {
          via: 'packages',
          manager: 'apt',
          packages: ['gstreamer1.0-plugins-ugly'],
          command: 'sudo apt install gstreamer1.0-plugins-ugly',
        },
      },
      ok('aac_encoder', 'avenc_aac'),
      {
        requirement: 'webkit',
        state: { state: 'too_old', found: '2.34.1', needed: '2.42.0' },
        fix: { via: 'packages', manager: 'apt', packages: ['libwebkit2gtk-4.1-0'], command: 'sudo apt install libwebkit2gtk-4.1-0' },
      },
    ],
  };
}

afterEach(() => setLanguage('en'));

describe('setup check', () => {
  it('shows nothing when everything is installed', () => {
    expect(renderSetupCheck({ ...broken(), ok: true, checks: [ok('gstreamer', '1.22.0')] }, () => {})).toBeNull();
  });

  it('names each problem and the one command that fixes them, in the chosen language', () => {
    setLanguage('zh-CN');
    const box = renderSetupCheck(broken(), () => {})!;
    const rows = [...box.querySelectorAll<HTMLElement>('[data-testid="setup-problem"]')];
    expect(rows.map((r) => r.dataset.requirement)).toEqual(['h264_encoder', 'webkit']);
    const [h264, webkit] = rows.map((r) => r.textContent ?? '');
    expect(h264).toContain('H.264 视频编码器');
    expect(h264).toContain('缺失');
    expect(h264).toContain('gstreamer1.0-plugins-ugly');
    expect(webkit).toContain('当前为 2.34.1，需要 2.42.0');
    expect(box.querySelector('[data-testid="setup-install-all"] code')!.textContent).toBe(
      'sudo apt install gstreamer1.0-plugins-ugly libwebkit2gtk-4.1-0',
    );
    // A language switch re-renders it, as every other text.
    setLanguage('ko');
    retranslate(box);
    expect(rows[0]?.textContent).toContain('H.264 비디오 인코더');
  });

  it('says what to do on Windows and macOS, and without a known package manager', () => {
    const report: DoctorReport = {
      platform: 'windows',
      package_manager: 'unknown',
      ok: false,
      install_all: null,
      checks: [
        {
          requirement: 'mp4_muxer',
          state: { state: 'missing', wanted: ['mp4mux'], detail: null },
          fix: { via: 'gstreamer_installer', url: 'https://gstreamer.freedesktop.org/download/' },
        },
        {
          requirement: 'gpu_adapter',
          state: { state: 'missing', wanted: ['Vulkan'], detail: 'no adapter' },
          fix: { via: 'graphics_driver' },
        },
        {
          requirement: 'aac_encoder',
          state: { state: 'missing', wanted: ['avenc_aac'], detail: null },
          fix: { via: 'any_package_manager', what: "GStreamer's libav plugins" },
        },
      ],
    };
    const box = renderSetupCheck(report, () => {})!;
    const text = box.textContent!;
    expect(text).toContain('Reinstall Shopcast Studio, or install the GStreamer runtime from https://gstreamer.freedesktop.org/download/');
    expect(text).toContain('Install or update your graphics driver.');
    expect(text).toContain("Install GStreamer's libav plugins with your package manager.");
    expect(box.querySelector('[data-testid="setup-install-all"]')).toBeNull();
  });

  it('appears on the start screen and checks again on request', async () => {
    fake.current = makeFakeApi();
    const api = fake.current.api;
    api.doctor.mockResolvedValueOnce(broken());
    const host = document.createElement('div');
    document.body.appendChild(host);
    const start = createStartScreen(makeCtx(host));
    host.appendChild(start.element);
    await start.checkSetup();
    const box = start.element.querySelector<HTMLElement>('[data-testid="setup-check"]')!;
    expect(box).not.toBeNull();
    // The host installs the packages and checks again: the box goes.
    start.element.querySelector<HTMLButtonElement>('[data-testid="setup-recheck"]')!.click();
    await vi.waitFor(() => expect(start.element.querySelector('[data-testid="setup-check"]')).toBeNull());
    expect(api.doctor).toHaveBeenCalledTimes(2);
    // The mode cards stay usable whatever the check says.
    expect(start.element.querySelector('[data-testid="mode-rehearsal"]')).not.toBeNull();
    host.remove();
  });
});
