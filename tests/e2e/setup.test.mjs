// End to end: the start screen's setup check in the real app. The app
// runs against a GStreamer whose plugin folder lacks x264 and both RTMP
// plugins (a copy of the system's, less three files, with its own
// registry), as on a machine without gstreamer1.0-plugins-ugly and -bad.
// The start screen names both missing parts in the window's language,
// with the one apt command that installs them, and the app still opens
// with its mode cards. Screenshot:
// $E2E_ARTIFACTS/setup-missing.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { until } from 'selenium-webdriver';
import { AppInstance, CANVAS_STATS, byTestId, home, shot, waitFor } from './harness.mjs';

const REMOVED = ['libgstx264.so', 'libgstrtmp.so', 'libgstrtmp2.so'];
const plugins = path.join(home, 'partial-plugins');

function partialPluginFolder() {
  const system = execFileSync('pkg-config', ['--variable=pluginsdir', 'gstreamer-1.0']).toString().trim();
  const all = fs.readdirSync(system).filter((f) => f.endsWith('.so'));
  for (const f of REMOVED) assert.ok(all.includes(f), `${f} must be installed for this test to remove it`);
  fs.mkdirSync(plugins, { recursive: true });
  for (const f of all) if (!REMOVED.includes(f)) fs.symlinkSync(path.join(system, f), path.join(plugins, f));
}

partialPluginFolder();
const app = new AppInstance('setup', path.join(home, 'setup'), {
  GST_PLUGIN_SYSTEM_PATH: plugins,
  GST_REGISTRY: path.join(home, 'setup-registry.bin'),
});

before(async () => {
  await app.startDriver();
});

after(async () => {
  await app.stopDriver();
});

test('a machine without x264 and RTMP is told what to install, and the app still opens', async () => {
  const { driver } = await app.openApp();
  try {
    const box = await driver.wait(until.elementLocated(byTestId('setup-check')), 60000, 'no setup check');
    const problems = await driver.executeScript(`
      return [...document.querySelectorAll('[data-testid="setup-problem"]')].map((li) => li.dataset.requirement);
    `);
    assert.deepEqual(problems, ['h264_encoder', 'rtmp_sink']);
    const text = await box.getText();
    // The shell's default language is Chinese.
    assert.match(text, /H\.264 视频编码器/);
    assert.match(text, /RTMP 推流输出/);
    const command = await driver.findElement(byTestId('setup-install-all')).getText();
    assert.match(command, /sudo apt install gstreamer1\.0-plugins-ugly gstreamer1\.0-plugins-bad/);
    // Still usable: the mode cards are there, and the camera check shows
    // the preview, which encodes nothing (only going on air needs the
    // encoder, and says so).
    for (const mode of ['mode-live', 'mode-rehearsal', 'mode-assistant']) {
      assert.ok(await driver.findElement(byTestId(mode)).isEnabled(), `${mode} usable`);
    }
    await waitFor(driver, 'the camera check on the start screen', async () => {
      const s = await driver.executeScript(CANVAS_STATS, 'start-preview');
      return s && s.w >= 320 && s.mean > 20 ? s : null;
    }, 30000);
    await shot(driver, 'setup-missing.png');
  } finally {
    await driver.quit();
  }
});
