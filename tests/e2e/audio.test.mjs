// End to end: the audio mixer in the real app. The host opens the Audio
// panel in a rehearsal: the master and the microphone strip (the test
// tone) meter at once; they add a media file's sound as a strip (a
// 1 kHz clip), whose meter lights; mute it, and its meter falls while
// the microphone's does not; then switch the ear-return on while the
// headset they saved as their speaker is unplugged, and are told why it
// stays silent. The rehearsal's
// recording carries the microphone but not the muted file. Screenshots
// go to $E2E_ARTIFACTS (11-…).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { until } from 'selenium-webdriver';
import {
  byTestId, click, endAndGetRecording, home, main, makeClip, openApp, previewRunning, shot, startDriver,
  stopDriver, typeInto, waitFor, startRehearsal,
} from './harness.mjs';

before(async () => {
  // The host's saved speaker is a headset that is not plugged in now.
  main.writeSettings(makeClip(), { speaker: 'dev:Unplugged headset' });
  await startDriver();
});

after(async () => {
  await stopDriver();
});

/** A 30 s clip whose sound is a 1 kHz sine at a quarter of full scale. */
function toneClip() {
  const clip = path.join(home, 'jingle.mkv');
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:duration=30',
    '-af', 'volume=0.5', '-c:a', 'flac', clip,
  ]);
  return clip;
}

/** How much of a meter's scale its RMS bar lights, 0..1. */
const LIT = `
  const m = document.querySelector('[data-testid="' + arguments[0] + '"]');
  if (!m) return null;
  return 1 - parseFloat(m.querySelector('.meter-rms').style.width) / 100;
`;

/** The amplitude of `freq` Hz in seconds 1..3 of a file's sound (mono,
 *  48 kHz), by one DFT bin with a Hann window. */
function toneIn(file, freq) {
  const raw = execFileSync('ffmpeg', [
    '-v', 'error', '-ss', '1', '-t', '2', '-i', file, '-vn', '-ac', '1', '-ar', '48000', '-f', 'f32le', '-',
  ]);
  const x = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  let re = 0;
  let im = 0;
  let wsum = 0;
  for (let i = 0; i < x.length; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / x.length);
    const a = (2 * Math.PI * freq * i) / 48000;
    re += x[i] * w * Math.cos(a);
    im += x[i] * w * Math.sin(a);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

test('the mixer meters each strip, mutes one live, and says why the ear-return is silent', async () => {
  const jingle = toneClip();
  const { driver } = await openApp();
  try {
    await click(driver, 'mode-rehearsal');
    await previewRunning(driver);
    await driver.executeScript('window.__shopcast.dock.panels.find((p) => p.id === "audio").api.setActive()');
    await driver.wait(until.elementLocated(byTestId('mixer-strip-mic')), 10000, 'the microphone strip');
    await waitFor(driver, 'the master and the microphone metering', async () => {
      const [master, mic] = [await driver.executeScript(LIT, 'master-meter'), await driver.executeScript(LIT, 'mixer-meter-mic')];
      return master > 0.5 && mic > 0.5 ? [master, mic] : null;
    });

    // The file's sound as a strip of its own: the preview is rebuilt
    // with it, and its meter lights.
    await driver.executeScript(`
      const k = document.querySelector('[data-testid="mixer-kind"]');
      k.value = 'file';
      k.dispatchEvent(new Event('change'));
    `);
    await typeInto(driver, 'mixer-path', jingle);
    await click(driver, 'mixer-add');
    await driver.wait(until.elementLocated(byTestId('mixer-strip-file')), 20000, 'the file strip');
    await waitFor(driver, 'the file strip metering', async () => {
      const lit = await driver.executeScript(LIT, 'mixer-meter-file');
      return lit > 0.5 ? lit : null;
    }, 30000);
    await driver.sleep(500);
    await shot(driver, '11-audio-mixer.png');

    // Muted live: its meter falls, the microphone's stays.
    await click(driver, 'mixer-mute-file');
    await waitFor(driver, 'the file muted and the microphone not', async () => {
      const [file, mic] = [await driver.executeScript(LIT, 'mixer-meter-file'), await driver.executeScript(LIT, 'mixer-meter-mic')];
      return file === 0 && mic > 0.5 ? [file, mic] : null;
    });

    // The ear-return with the saved headset unplugged: it says so, in
    // words the window chose for the host's language.
    await click(driver, 'audio-monitor');
    const told = await waitFor(driver, 'the ear-return notice', async () => {
      const text = await driver.executeScript('return document.body.innerText');
      return text.includes('The ear-return is off:') ? text : null;
    });
    assert.match(told, /The ear-return is off: no speaker with id 'dev:Unplugged headset'/);
    await driver.sleep(500);
    await shot(driver, '11b-ear-return-off.png');

    // A short rehearsal: the recording carries the microphone (440 Hz)
    // and not the muted file (1 kHz).
    await startRehearsal(driver);
    await driver.sleep(4000);
    const recording = await endAndGetRecording(driver);
    const mic = toneIn(recording, 440);
    const file = toneIn(recording, 1000);
    assert.ok(mic > 0.05, `the microphone in the recording: ${mic}`);
    assert.ok(file < 0.005, `the muted file is not: ${file}`);
  } finally {
    await driver.quit();
  }
});
