// Desktop benchmark (not a test): cold start (the app's process start, from
// /proc, to the page drawing its first preview frame),
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
  appStartedAt, byTestId, click, confirm, makeClip, openApp, previewStats, startDriver, stopDriver,
  waitFor, writeSettings,
} from './harness.mjs';

const minutes = Number(process.env.BENCH_MINUTES ?? 10);
// BENCH_CLOSE=preview,stats,… closes those panels once the rehearsal runs,
// to split the memory growth between the preview's decode path (no canvas
// attached: frames still arrive, none is decoded) and the room panels.
const closePanels = (process.env.BENCH_CLOSE ?? '').split(',').filter(Boolean);

/** RSS and PSS (KiB) summed over the processes matching `pattern`. PSS
 *  splits shared pages (libwebkit2gtk, libLLVM, GTK are mapped by the app
 *  and by WebKit's processes alike) among the processes sharing them, so
 *  it is the figure that adds up across processes; RSS counts them once
 *  per process. */
function memKiB(pattern) {
  let pids = [];
  try {
    pids = execFileSync('pgrep', ['-f', pattern]).toString().trim().split('\n').filter(Boolean);
  } catch {
    return { rss: 0, pss: 0 };
  }
  const total = { rss: 0, pss: 0 };
  for (const pid of pids) {
    try {
      const r = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total.rss += Number(/^Rss:\s+(\d+)/m.exec(r)?.[1] ?? 0);
      total.pss += Number(/^Pss:\s+(\d+)/m.exec(r)?.[1] ?? 0);
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
  // The first frame shows on the start screen's camera check; the page
  // stamps when it drew it, and /proc says when the app started.
  const first = await waitFor(driver, 'first preview frame', async () => {
    const s = await previewStats(driver);
    return s && s.first_frame_at_ms ? s : null;
  }, 60000);
  const launched = appStartedAt();
  out.cold_start_to_first_preview_ms = Math.round(first.first_frame_at_ms - launched);
  out.webdriver_session_to_first_preview_ms = first.first_frame_at_ms - t0;
  out.page_loaded_after_launch_ms = Math.round(
    (await driver.executeScript('return performance.timeOrigin')) - launched,
  );
  const nav = await driver.executeScript(
    "const n = performance.getEntriesByType('navigation')[0];" +
      'return n ? { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd } : null',
  );
  if (nav) {
    out.page_dom_content_loaded_after_launch_ms = out.page_loaded_after_launch_ms + Math.round(nav.dcl);
    out.page_load_event_after_launch_ms = out.page_loaded_after_launch_ms + Math.round(nav.load);
  }
  // The page's own startup marks (ui/src/app.ts), from launch.
  const marks = await driver.executeScript(
    "return performance.getEntriesByType('mark').filter((m) => m.name.startsWith('shopcast:'))" +
      '.map((m) => [m.name, m.startTime])',
  );
  out.page_marks_after_launch_ms = Object.fromEntries(
    marks.map(([name, t]) => [name.slice(9), out.page_loaded_after_launch_ms + Math.round(t)]),
  );
  await click(driver, 'mode-rehearsal');
  await click(driver, 'start-rehearsal');
  await confirm(driver);
  await driver.findElement(byTestId('rehearsal-banner'));
  if (closePanels.length) {
    out.closed_panels = await driver.executeScript(
      'const ids = arguments[0]; const d = window.__shopcast.dock;' +
        'const hit = d.panels.filter((p) => ids.includes(p.id)); hit.forEach((p) => p.api.close());' +
        'return hit.map((p) => p.id);',
      closePanels,
    );
  }
  const samples = [];
  const end = Date.now() + minutes * 60_000;
  while (Date.now() < end) {
    await driver.sleep(10_000);
    const s = await previewStats(driver);
    samples.push({
      fps: s.fps,
      latency_ms: s.latency_ms,
      app_rss_mib: memKiB('shopcast-studio').rss / 1024,
      webkit_rss_mib: memKiB('WebKit(Web|Network)Process').rss / 1024,
      web_rss_mib: memKiB('WebKitWebProcess').rss / 1024,
      network_rss_mib: memKiB('WebKitNetworkProcess').rss / 1024,
    });
  }
  const mean = (k) => samples.reduce((a, s) => a + s[k], 0) / samples.length;
  const sorted = (k) => samples.map((s) => s[k]).sort((a, b) => a - b);
  out.preview_fps_mean = mean('fps');
  out.preview_fps_min = sorted('fps')[0];
  out.preview_latency_ms_mean = mean('latency_ms');
  out.preview_latency_ms_p90 = sorted('latency_ms')[Math.floor(samples.length * 0.9)];
  // Growth over the run: the app's RSS once a minute.
  const perMinute = samples.filter((_, i) => i % 6 === 5);
  out.rss_app_mib_per_minute = perMinute.map((x) => Math.round(x.app_rss_mib));
  out.rss_webkit_mib_per_minute = perMinute.map((x) => Math.round(x.webkit_rss_mib));
  out.rss_web_mib_per_minute = perMinute.map((x) => Math.round(x.web_rss_mib));
  out.rss_network_mib_per_minute = perMinute.map((x) => Math.round(x.network_rss_mib));
  const app = memKiB('shopcast-studio');
  const webkit = memKiB('WebKit(Web|Network)Process');
  out.rss_app_mib = app.rss / 1024;
  out.rss_webkit_mib = webkit.rss / 1024;
  out.rss_total_mib = (app.rss + webkit.rss) / 1024;
  out.pss_app_mib = app.pss / 1024;
  out.pss_total_mib = (app.pss + webkit.pss) / 1024;
  await click(driver, 'end-live');
  await confirm(driver);
} finally {
  await driver.quit();
  stopDriver();
}
console.log(JSON.stringify(out, null, 2));
