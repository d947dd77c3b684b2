// Desktop benchmark (not a test): the room under load. The app rehearses
// (its own simulated audience off), and `shopcast audience` drives its
// embedded room server at BENCH_LOAD_RATE client messages per second
// (barrage + likes + gift hits). Over a steady window of BENCH_SECONDS it
// measures:
//   - IPC messages per second into the page and room events per second
//     the page received, from counters the page keeps for benchmarks:
//     `window.__ipc` (messages per event name / `studio` message type)
//     and `window.__ipcRoomEvents` (room events; when absent, the count
//     of `room_event` messages: one room event each);
//   - the web view's main-thread CPU time (WebKitWebProcess, tid == pid,
//     utime+stime from /proc/PID/task/PID/stat) in ms per wall second,
//     the whole web process's CPU and the app process's CPU (which also
//     runs the embedded room server), in % of one core;
//   - the load generator's CPU, and the whole machine's busy share (other
//     builds may run on the same cores).
// Prints one JSON object (and writes it to BENCH_OUT if set).
//
//   SHOPCAST_APP=…/shopcast-studio SHOPCAST_CLI=…/shopcast \
//     BENCH_LOAD_RATE=2000 BENCH_SECONDS=60 bash tests/e2e/run.sh bench-room

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  APP, byTestId, click, confirm, dataDir, configDir, makeClip, openApp, previewStats, startDriver,
  stopDriver, waitFor, writeSettings,
} from './harness.mjs';

const CLI = process.env.SHOPCAST_CLI ?? path.join(path.dirname(APP), 'shopcast');
const rate = Number(process.env.BENCH_LOAD_RATE ?? 2000);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const rampS = Number(process.env.BENCH_RAMP_SECONDS ?? 15);
// The mix: barrage (the server takes 2/s per user), likes at a quarter of
// the barrage (the CLI's fixed ratio), gift hits for the rest.
const barrage = Number(process.env.BENCH_BARRAGE ?? rate * 0.4);
const gifts = Math.max(0, rate - barrage * 1.25);
const bots = Number(process.env.BENCH_BOTS ?? Math.ceil(barrage / 1.6));
const seed = Number(process.env.BENCH_SEED ?? 1);
const HZ = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

const cpuTicks = (statPath) => {
  const s = fs.readFileSync(statPath, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
};
const ppidOf = (pid) => {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
};
const commOf = (pid) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
/** Every live descendant of `root`. */
function descendants(root) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const pp = ppidOf(d);
      if (!kids.has(pp)) kids.set(pp, []);
      kids.get(pp).push(Number(d));
    } catch {
      // gone
    }
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    for (const k of kids.get(stack.pop()) ?? []) {
      out.push(k);
      stack.push(k);
    }
  }
  return out;
}
/** CPU ticks per thread name (comm) of `pid`. */
function threadTicks(pid) {
  const m = {};
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = fs.readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim();
      m[name] = (m[name] ?? 0) + cpuTicks(`/proc/${pid}/task/${t}/stat`);
    } catch {
      // gone
    }
  }
  return m;
}
const machineBusy = () => {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle, total };
};

function settingsForBench() {
  writeSettings(makeClip());
  const p = path.join(configDir, 'studio.json');
  const s = JSON.parse(fs.readFileSync(p, 'utf8'));
  // The app's own simulated audience would run in the app process: off.
  // (viewers: 0 makes the 1702409 planner spin: no bot is ever online to act.)
  s.rehearsal = { viewers: 1, barrage_per_s: 0, gifts_per_s: 0 };
  fs.writeFileSync(p, JSON.stringify(s, null, 2));
}

/** The room's socket URL: from the shell's app_info (SessionView.room.url),
 *  else the app's listening port that serves /r/rehearsal. */
async function roomUrl(driver, appPid) {
  try {
    const url = await driver.executeAsyncScript(
      'const done = arguments[arguments.length - 1];' +
        "window.__TAURI_INTERNALS__.invoke('app_info').then((i) => done(i.session.room.url), () => done(null));",
    );
    if (url) return url;
  } catch {
    // fall through
  }
  const ss = execFileSync('ss', ['-Hltnp']).toString().split('\n');
  for (const line of ss) {
    if (!line.includes(`pid=${appPid},`)) continue;
    const port = /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (!port) continue;
    try {
      const r = await fetch(`http://127.0.0.1:${port}/r/rehearsal`);
      if (r.ok) return `ws://127.0.0.1:${port}/ws/rehearsal`;
    } catch {
      // not HTTP
    }
  }
  throw new Error('could not find the rehearsal room');
}

const COUNTERS =
  'return { t: performance.now(), ipc: Object.assign({}, window.__ipc || {}),' +
  ' room: window.__ipcRoomEvents === undefined ? null : window.__ipcRoomEvents }';

settingsForBench();
await startDriver();
const { driver } = await openApp();
const out = {
  app: APP, cli: CLI, load_rate_planned: rate, barrage_per_s: barrage, likes_msgs_per_s: barrage / 4,
  gift_hits_per_s: gifts, bots, seed, ramp_s: rampS, window_s: seconds,
};
let load;
try {
  await waitFor(driver, 'the page', async () => (await previewStats(driver)) ?? null, 60000);
  await click(driver, 'mode-rehearsal');
  await click(driver, 'start-rehearsal');
  await confirm(driver);
  await driver.findElement(byTestId('rehearsal-banner'));
  const appPid = Number(execFileSync('pgrep', ['-n', '-f', APP]).toString().trim());
  const web = descendants(appPid).filter((p) => commOf(p).startsWith('WebKitWebProces'));
  if (web.length !== 1) throw new Error(`expected one WebKitWebProcess under ${appPid}, got ${web}`);
  const webPid = web[0];
  out.room_url = await roomUrl(driver, appPid);

  const loadOut = [];
  // BENCH_LOAD_RATE=0: no load at all, for the idle rehearsal's baseline.
  if (rate > 0) load = spawn(CLI, [
    'audience', '--room', out.room_url, '--bots', String(bots), '--rate', String(barrage),
    '--gifts-per-s', String(gifts), '--seed', String(seed),
    '--data', path.join(dataDir, 'rehearsal-room'), '--duration', String(rampS + seconds),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  load?.stdout.on('data', (d) => loadOut.push(d));
  load?.stderr.on('data', (d) => process.stderr.write(d));
  const loadDone = load ? new Promise((r) => load.on('exit', (code) => r(code))) : Promise.resolve(null);
  const loadStart = Date.now();
  await driver.sleep(rampS * 1000);

  const sample = async () => ({
    wall: Date.now(),
    page: await driver.executeScript(COUNTERS),
    webMain: cpuTicks(`/proc/${webPid}/task/${webPid}/stat`),
    web: cpuTicks(`/proc/${webPid}/stat`),
    app: cpuTicks(`/proc/${appPid}/stat`),
    load: load ? cpuTicks(`/proc/${load.pid}/stat`) : 0,
    machine: machineBusy(),
    appThreads: threadTicks(appPid),
  });
  const a = await sample();
  out.page_counters_at_window_start = a.page;
  const per10 = [];
  let prev = a;
  for (let i = 0; i < Math.round(seconds / 10); i++) {
    await driver.sleep(10_000);
    const s = {
      wall: Date.now(),
      webMain: cpuTicks(`/proc/${webPid}/task/${webPid}/stat`),
      web: cpuTicks(`/proc/${webPid}/stat`),
      app: cpuTicks(`/proc/${appPid}/stat`),
    };
    const dt = (s.wall - prev.wall) / 1000;
    per10.push({
      web_main_ms_per_s: Math.round(((s.webMain - prev.webMain) * 1000) / HZ / dt),
      web_cpu_pct: Math.round(((s.web - prev.web) * 100) / HZ / dt),
      app_cpu_pct: Math.round(((s.app - prev.app) * 100) / HZ / dt),
    });
    prev = s;
  }
  const b = await sample();
  const wall = (b.wall - a.wall) / 1000;
  const pageS = (b.page.t - a.page.t) / 1000;
  const names = new Set([...Object.keys(a.page.ipc), ...Object.keys(b.page.ipc)]);
  const byName = {};
  let ipc = 0;
  for (const n of names) {
    const d = (b.page.ipc[n] ?? 0) - (a.page.ipc[n] ?? 0);
    byName[n] = Math.round((d / pageS) * 10) / 10;
    ipc += d;
  }
  const roomEv = b.page.room === null
    ? (b.page.ipc.room_event ?? 0) - (a.page.ipc.room_event ?? 0)
    : b.page.room - a.page.room;
  const r1 = (x) => Math.round(x * 10) / 10;
  out.window_wall_s = r1(wall);
  out.ipc_msgs_per_s = r1(ipc / pageS);
  out.ipc_msgs_per_s_by_name = byName;
  out.room_events_received_per_s = r1(roomEv / pageS);
  out.room_events_counter = b.page.room === null ? 'room_event messages' : '__ipcRoomEvents';
  out.web_main_thread_ms_per_s = r1(((b.webMain - a.webMain) * 1000) / HZ / wall);
  out.web_process_cpu_pct = r1(((b.web - a.web) * 100) / HZ / wall);
  out.app_process_cpu_pct = r1(((b.app - a.app) * 100) / HZ / wall);
  out.load_generator_cpu_pct = r1(((b.load - a.load) * 100) / HZ / wall);
  const mt = b.machine.total - a.machine.total;
  out.machine_busy_pct_of_all_cores = r1((100 * (mt - (b.machine.idle - a.machine.idle))) / mt);
  // The app's busiest threads over the window (% of one core, by name;
  // threads that ended during the window are missed).
  out.app_threads_cpu_pct = Object.fromEntries(
    Object.entries(b.appThreads)
      .map(([n, v]) => [n, r1(((v - (a.appThreads[n] ?? 0)) * 100) / HZ / wall)])
      .filter(([, v]) => v >= 1)
      .sort((x, y) => y[1] - x[1]),
  );
  out.loadavg = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  out.per_10s = per10;
  out.preview = await previewStats(driver);
  // What the shell says about the room at the end (connected, online,
  // warnings such as a room disconnect).
  try {
    out.session_at_end = await driver.executeAsyncScript(
      'const done = arguments[arguments.length - 1];' +
        "window.__TAURI_INTERNALS__.invoke('app_info').then((i) => done({ room: i.session.room," +
        ' warnings: i.session.warnings }), (e) => done({ error: String(e) }));',
    );
  } catch (e) {
    out.session_at_end = { error: String(e) };
  }

  // The load stops sending at ramp + window; its bots then close one by
  // one, which is slow while the room is busy: end the rehearsal (the
  // room server goes with it) and collect the report.
  await driver.sleep(Math.max(0, loadStart + (rampS + seconds) * 1000 + 1000 - Date.now()));
  const loadS = (Date.now() - loadStart) / 1000;
  await click(driver, 'end-live');
  await confirm(driver);
  const code = await Promise.race([loadDone, driver.sleep(120_000).then(() => 'timeout')]);
  out.load_exit = code;
  if (load) try {
    const rep = JSON.parse(Buffer.concat(loadOut).toString());
    out.load_report = rep;
    // Client messages sent: likes carry 1–5 each (mean 3), gifts 1 each.
    const msgs = rep.barrage + rep.gift_hits + rep.likes / 3 + rep.purchases + rep.follows;
    out.load_sent_msgs_per_s_approx = r1(msgs / (rampS + seconds - 1));
    out.load_wall_s = r1(loadS);
  } catch (e) {
    out.load_report_error = String(e);
  }
} finally {
  if (load && load.exitCode === null) load.kill('SIGKILL');
  await driver.quit();
  stopDriver();
}
const json = JSON.stringify(out, null, 2);
if (process.env.BENCH_OUT) fs.writeFileSync(process.env.BENCH_OUT, json + '\n');
console.log(json);
