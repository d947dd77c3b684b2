// End to end: `shopcast-studio --rehearsal` opens straight into a
// rehearsal (for benchmarks, demos and kiosks): no start screen, the
// dock with the preview running, and the simulated audience's barrage
// once the rehearsal starts. Screenshot: $E2E_ARTIFACTS/launch-rehearsal.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { By, until } from 'selenium-webdriver';
import { AppInstance, byTestId, click, home, makeClip, previewRunning, shot, startRehearsal, waitFor } from './harness.mjs';

const app = new AppInstance('launch', path.join(home, 'launch'));

before(async () => {
  app.writeSettings(makeClip());
  await app.startDriver();
});

after(async () => {
  await app.stopDriver();
});

test('--rehearsal opens straight into a rehearsal with the simulated audience', async () => {
  const { driver } = await app.openApp(['--rehearsal']);
  try {
    await driver.wait(until.elementLocated(byTestId('start-rehearsal')), 60000, 'the rehearsal toolbar');
    await previewRunning(driver);
    const cards = await driver.findElements(byTestId('mode-rehearsal'));
    for (const c of cards) assert.equal(await c.isDisplayed(), false, 'no start screen');
    const panels = await driver.executeScript(
      'return window.__shopcast && window.__shopcast.dock ? window.__shopcast.dock.panels.length : 0',
    );
    assert.ok(panels >= 5, `${panels} panels docked`);
    await shot(driver, 'launch-rehearsal.png');

    await startRehearsal(driver);
    await waitFor(driver, 'barrage from the simulated audience', async () => {
      const els = await driver.findElements(By.css('[data-testid="barrage-list"] .barrage-item'));
      return els.length >= 3 ? els : null;
    }, 40000);
  } finally {
    await driver.quit();
  }
});
