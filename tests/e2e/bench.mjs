// Desktop benchmark (not a test): cold start to first preview frame,
// preview fps and capture-to-screen latency as the page measures them,
// and the app's memory after a long rehearsal. Prints one JSON object.
//
//   SHOPCAST_APP=…/release/shopcast-studio BENCH_MINUTES=10 \
//     bash tests/e2e/run.sh bench
//
// RSS is summed over the app and its WebKit helper processes (the web
// view runs in WebKitWebProcess), read from /proc.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import {
  byTestId, click, confirm, makeClip, openApp, previewStats, startDriver, stopDriver,
  waitFor, writeSettings,
} from './harness.mjs';

const minutes = Number(process.env.BENCH_MINUTES ?? 10);

function rssKiB(pattern) {
  let pids = [];
  try {
    pids = execFileSync('pgrep', ['-f', pattern]).toString().trim().split('\n').filter(Boolean);
  } catch {
    return 0;
  }
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      // The process ended between pgrep and the read.
    }
  }
  return total;
}

writeSettings(makeClip());
await startDriver();
const { driver, t0 } = await openApp();
const out = { minutes };
try {
  await click(driver, 'mode-rehearsal');
  await waitFor(driver, 'first preview frame', async () => {
    const s = await previewStats(driver);
    return s && s.frames > 0 ? s : null;
  }, 60000);
  out.cold_start_to_first_preview_ms = Date.now() - t0;
  await click(driver, 'start-rehearsal');
  await confirm(driver);
  await driver.findElement(byTestId('rehearsal-banner'));
  const samples = [];
  const end = Date.now() + minutes * 60_000;
  while (Date.now() < end) {
    await driver.sleep(10_000);
    const s = await previewStats(driver);
    samples.push({ fps: s.fps, latency_ms: s.latency_ms });
  }
  const mean = (k) => samples.reduce((a, s) => a + s[k], 0) / samples.length;
  const sorted = (k) => samples.map((s) => s[k]).sort((a, b) => a - b);
  out.preview_fps_mean = mean('fps');
  out.preview_fps_min = sorted('fps')[0];
  out.preview_latency_ms_mean = mean('latency_ms');
  out.preview_latency_ms_p90 = sorted('latency_ms')[Math.floor(samples.length * 0.9)];
  out.rss_app_kib = rssKiB('shopcast-studio');
  out.rss_webkit_kib = rssKiB('WebKit(Web|Network)Process');
  out.rss_total_mib = (out.rss_app_kib + out.rss_webkit_kib) / 1024;
  await click(driver, 'end-live');
  await confirm(driver);
} finally {
  await driver.quit();
  stopDriver();
}
console.log(JSON.stringify(out, null, 2));
