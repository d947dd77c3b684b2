// Shared by the end-to-end tests and the desktop benchmarks: app
// instances (each with private config and data folders and its own
// tauri-driver, so that a host and an assistant can run side by side),
// the CLI and a standalone room server, and page helpers.

import { spawn, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Builder, By, Capabilities, until } from 'selenium-webdriver';

export const APP = process.env.SHOPCAST_APP;
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? path.resolve('artifacts');
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
const TAURI_DRIVER =
  process.env.TAURI_DRIVER ?? path.join(os.homedir(), '.cargo/bin/tauri-driver');

assert.ok(APP && fs.existsSync(APP), `SHOPCAST_APP must name the built app (got ${APP})`);
fs.mkdirSync(ARTIFACTS, { recursive: true });

export const home = fs.mkdtempSync(path.join(os.tmpdir(), 'shopcast-e2e-'));
/** The CLI (room server, tokens, catalogue import): beside the app. */
export const CLI = process.env.SHOPCAST_CLI ?? path.join(path.dirname(APP), 'shopcast');

/** Process groups (tauri-driver, WebKitWebDriver and the apps they
 *  launched; room servers) still running: killed when node exits, so a
 *  failed test leaves nothing behind. */
const groups = new Set();
// Each run records minutes of video here: leave nothing behind.
process.on('exit', () => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(home, { recursive: true, force: true });
});

/** Spawns `cmd` as the leader of its own process group (so that its
 *  children go with it) and remembers the group until it exits. */
function spawnGroup(cmd, args, opts) {
  const proc = spawn(cmd, args, { ...opts, detached: true });
  groups.add(proc.pid);
  proc.exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.exited.then(() => groups.delete(proc.pid));
  return proc;
}

/** SIGTERM to the group, SIGKILL after `ms`; resolves once the leader is gone. */
async function stopGroup(proc, ms = 5000) {
  if (!proc) return;
  const kill = (sig) => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // already gone
    }
  };
  if (proc.exitCode === null && proc.signalCode === null) {
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), ms);
    await proc.exited;
    clearTimeout(timer);
  }
  // Children that outlived their leader (WebKitWebDriver, an app).
  kill('SIGKILL');
  groups.delete(proc.pid);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export async function waitForPort(p, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(p, '127.0.0.1', () => {
        c.end();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${p} within ${ms} ms`);
}

/** A test clip: moving testsrc2 with a noisy skin-tone patch, so that
 *  motion and skin smoothing both show in the preview. */
export function makeClip() {
  const clip = path.join(home, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=30:d=6',
    '-f', 'lavfi', '-i', 'color=c=0xE0AC8C:s=400x200:r=30:d=6',
    '-filter_complex', '[1]noise=alls=45:allf=t+u[s];[0][s]overlay=120:80',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip,
  ]);
  return clip;
}

export async function shot(driver, name) {
  const png = await driver.takeScreenshot();
  fs.writeFileSync(path.join(ARTIFACTS, name), png, 'base64');
}

export const byTestId = (id) => By.css(`[data-testid="${id}"]`);

export async function waitFor(driver, what, fn, ms = 20000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await driver.sleep(200);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export async function click(driver, id) {
  const el = await driver.wait(until.elementLocated(byTestId(id)), 20000, `no ${id}`);
  // As a host would: a button at the foot of a docked panel may sit
  // below its fold (the Products panel's "New:" row does, whenever the
  // explained product's card grows by a line).
  await driver.executeScript('arguments[0].scrollIntoView({ block: "nearest" })', el);
  await driver.wait(until.elementIsVisible(el), 10000, `${id} not visible`);
  await el.click();
}

/** Types into an input as a host would: scroll it into view, clear it,
 *  type. */
export async function typeInto(driver, id, text) {
  const el = await driver.wait(until.elementLocated(byTestId(id)), 20000, `no ${id}`);
  await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', el);
  await driver.wait(until.elementIsVisible(el), 10000, `${id} not visible`);
  await el.clear();
  await el.sendKeys(text);
  return el;
}

export async function confirm(driver) {
  await driver.wait(until.elementLocated(byTestId('confirm-dialog')), 10000, 'no confirm dialog');
  await click(driver, 'confirm-yes');
}

/** Statistics of the preview canvas: mean luma, a hash of a coarse
 *  grid, and the roughness (mean |Δ| between horizontal neighbours) of
 *  the skin patch (the clip's 400x200 patch at 120,80 of 640x360).
 *  Pass a test id to read another canvas than the Preview panel's. */
export const CANVAS_STATS = `
  const c = document.querySelector('[data-testid="' + (arguments[0] || 'preview-canvas') + '"]');
  if (!c || !c.width || !c.height) return null;
  const g = c.getContext('2d');
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let sum = 0, n = 0, hash = 0;
  for (let y = 0; y < c.height; y += 8) for (let x = 0; x < c.width; x += 8) {
    const i = (y * c.width + x) * 4;
    const l = (d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000;
    sum += l; n++;
    hash = (hash * 31 + (l >> 3)) >>> 0;
  }
  const sx = c.width / 640, sy = c.height / 360;
  let rough = 0, m = 0;
  for (let y = Math.round(110 * sy); y < Math.round(250 * sy); y += 2)
    for (let x = Math.round(150 * sx); x < Math.round(490 * sx); x++) {
      const i = (y * c.width + x) * 4;
      rough += Math.abs(d[i] - d[i + 4]) + Math.abs(d[i + 1] - d[i + 5]);
      m++;
    }
  return { w: c.width, h: c.height, mean: sum / n, hash, rough: rough / m / 2 };
`;

/** Waits (up to 30 s) until the preview has drawn a few frames. */
export const previewRunning = (driver) =>
  waitFor(driver, 'preview frames', async () => {
    const s = await previewStats(driver);
    return s && s.frames > 5 ? s : null;
  }, 30000);

export const previewStats = (driver) =>
  driver.executeScript('return window.__shopcast ? window.__shopcast.previewStats() : null');

/** Settings the app starts with: a 640x360 canvas (this 2-core machine
 *  runs WebKit, lavapipe and the encoder at once), the clip as the
 *  source, the test tone, and a busy simulated audience. */
export function defaultSettings(clip) {
  return {
    version: 1,
    language: 'en',
    canvas: { width: 640, height: 360, fps: 30, video_kbps: 1200 },
    beauty: { smoothing: 0, whitening: 0, ruddy: 0, sharpen: 0 },
    lut: { name: null, strength: 100 },
    audio: { gain_db: 0, muted: false, monitor: false },
    video: { kind: 'file', path: clip },
    microphone: 'test',
    speaker: null,
    hotkeys: {
      go_live: 'Ctrl+Shift+L',
      mute_mic: 'Ctrl+Shift+M',
      next_product: 'Ctrl+Shift+N',
      beauty_toggle: 'Ctrl+Shift+B',
    },
    rehearsal: { viewers: 20, barrage_per_s: 8, gifts_per_s: 1 },
    room_url: null,
    layout: null,
  };
}

/**
 * One copy of the app: its own config and data folders and its own
 * tauri-driver, which launches the app (through WebKitWebDriver) with
 * those folders in its environment. Each instance's driver listens on
 * its own free port and drives WebKitWebDriver on its own native port,
 * so two instances (a host and an assistant) run side by side, each
 * with one session at a time.
 */
export class AppInstance {
  /** `dir` holds `config/` and `data/` (by default `home/NAME`); `env`
   *  is added to the app's environment. */
  constructor(name, dir = path.join(home, name), env = {}) {
    this.name = name;
    this.env = env;
    this.configDir = path.join(dir, 'config');
    this.dataDir = path.join(dir, 'data');
    fs.mkdirSync(this.configDir, { recursive: true });
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.port = null;
    this.proc = null;
  }

  /** Writes studio.json: `defaultSettings(clip)` with `patch` over it. */
  writeSettings(clip, patch = {}) {
    const settings = { ...defaultSettings(clip), ...patch };
    fs.writeFileSync(path.join(this.configDir, 'studio.json'), JSON.stringify(settings, null, 2));
  }

  /** Starts this instance's tauri-driver (in its own process group). */
  async startDriver() {
    assert.equal(this.proc, null, `${this.name}: tauri-driver is already running`);
    this.port = await freePort();
    const nativePort = await freePort();
    this.proc = spawnGroup(
      TAURI_DRIVER,
      ['--port', String(this.port), '--native-port', String(nativePort), '--native-driver', WEBKIT_DRIVER],
      {
        env: {
          ...process.env,
          SHOPCAST_CONFIG_DIR: this.configDir,
          SHOPCAST_DATA_DIR: this.dataDir,
          SHOPCAST_SECRET_BACKEND: 'file',
          ...this.env,
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    await waitForPort(this.port, 20000);
  }

  /** A WebDriver session: launches the app with `args`. `t0` is when
   *  it was asked for. */
  async openApp(args = []) {
    assert.ok(this.proc, `${this.name}: startDriver() first`);
    const caps = new Capabilities();
    caps.set('tauri:options', { application: APP, args });
    caps.setBrowserName('wry');
    const t0 = Date.now();
    const driver = await new Builder()
      .usingServer(`http://127.0.0.1:${this.port}/`)
      .withCapabilities(caps)
      .build();
    await driver.manage().setTimeouts({ implicit: 0, script: 20000 });
    return { driver, t0 };
  }

  /** Stops tauri-driver and whatever it launched; resolves once gone. */
  async stopDriver() {
    const proc = this.proc;
    this.proc = null;
    await stopGroup(proc);
  }
}

/** The instance of the single-window tests and the benchmarks. */
export const main = new AppInstance('main', home);
export const configDir = main.configDir;
export const dataDir = main.dataDir;
export const writeSettings = (clip) => main.writeSettings(clip);
export const startDriver = () => main.startDriver();
export const openApp = () => main.openApp();
export const stopDriver = () => main.stopDriver();

/** `shopcast ARGS…` (the CLI): its stdout, trimmed. Throws with its
 *  stderr when it fails. */
export function cli(args, opts = {}) {
  assert.ok(fs.existsSync(CLI), `SHOPCAST_CLI must name the built CLI (got ${CLI}): cargo build -p shopcast-cli`);
  try {
    return execFileSync(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000, ...opts }).toString().trim();
  } catch (e) {
    throw new Error(`shopcast ${args.join(' ')} failed (${e.status}): ${e.stderr}`);
  }
}

/** A standalone room server (`shopcast room-server`) on a free loopback
 *  port with its own data folder (its token key and rooms). `token()`
 *  mints a token with that key; `stop()` ends it and waits. */
export async function startRoomServer() {
  const dir = fs.mkdtempSync(path.join(home, 'room-'));
  const roomPort = await freePort();
  const proc = spawnGroup(CLI, ['room-server', '--listen', `127.0.0.1:${roomPort}`, '--data', dir], {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20000)));
  const stop = () => stopGroup(proc);
  try {
    await waitForPort(roomPort, 20000);
  } catch (e) {
    await stop();
    throw new Error(`the room server did not listen on 127.0.0.1:${roomPort}: ${stderr}`);
  }
  return {
    port: roomPort,
    dir,
    /** The room's page, as a host types it: `http://127.0.0.1:PORT/r/ROOM`. */
    url: (room) => `http://127.0.0.1:${roomPort}/r/${room}`,
    /** A token signed by this server's key. */
    token: ({ role, room, user, nick = '' }) =>
      cli(['token', '--role', role, '--room', room, '--user', user, '--nick', nick, '--data', dir]),
    log: () => stderr,
    stop,
  };
}

/** When the app's process started (epoch ms), from /proc: the moment a
 *  host's double-click would have launched it. */
export function appStartedAt() {
  const pid = execFileSync('pgrep', ['-n', '-f', APP]).toString().trim();
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 22 (starttime, clock ticks since boot); the name in field 2
  // may hold spaces, so count from its closing parenthesis.
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const hz = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
  // /proc/stat's btime is whole seconds; uptime is to the hundredth.
  const bootedAt = Date.now() - Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
  return bootedAt + (ticks * 1000) / hz;
}

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
const RTMP_MODULE = [
  '/usr/lib/nginx/modules/ngx_rtmp_module.so',
  '/usr/lib64/nginx/modules/ngx_rtmp_module.so',
].find((p) => fs.existsSync(p));

/** nginx with the RTMP module on a free loopback port, recording every
 *  published stream (as crates/testkit's NginxRtmp). Its pid, logs,
 *  temp files and recordings live in a private folder; `stop()` kills
 *  it and waits for it to go. */
export async function startNginxRtmp() {
  assert.ok(NGINX, 'nginx is not installed (apt-get install nginx-light libnginx-mod-rtmp)');
  assert.ok(RTMP_MODULE, 'the nginx RTMP module is not installed (libnginx-mod-rtmp)');
  const rtmpPort = await freePort();
  const dir = fs.mkdtempSync(path.join(home, 'nginx-'));
  for (const d of ['rec', 'logs', 'tmp']) fs.mkdirSync(path.join(dir, d));
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `load_module ${RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:${rtmpPort};
    chunk_size 4096;
    application live {
      live on;
      record all;
      record_path ${dir}/rec;
      record_unique on;
    }
  }
}
`,
  );
  const errorLog = () => {
    try {
      return fs.readFileSync(path.join(dir, 'logs/error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  let proc;
  let stderr = '';
  let exited;
  const launch = () => {
    proc = spawn(NGINX, ['-p', `${dir}/`, '-c', conf, '-e', `${dir}/logs/error.log`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    exited = new Promise((resolve) => proc.once('exit', resolve));
  };
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  };
  const listen = async () => {
    try {
      await waitForPort(rtmpPort, 10000);
    } catch (e) {
      await stop();
      throw new Error(`nginx did not listen on 127.0.0.1:${rtmpPort}: ${stderr}\n${errorLog()}`);
    }
  };
  launch();
  await listen();
  return {
    port: rtmpPort,
    /** `rtmp://127.0.0.1:PORT/live/STREAM`. */
    url: (stream) => `rtmp://127.0.0.1:${rtmpPort}/live/${stream}`,
    /** The .flv recordings nginx wrote. */
    recordings: () =>
      fs.readdirSync(path.join(dir, 'rec')).filter((f) => f.endsWith('.flv')).map((f) => path.join(dir, 'rec', f)),
    errorLog,
    stop,
    /** Starts it again on the same port (after `stop()`). */
    restart: async () => {
      await stop();
      launch();
      await listen();
    },
  };
}

/** ffprobe: the first video stream's codec and the frames decoded (all
 *  of a file, or `seconds` of a live URL), bounded by `timeoutMs`. */
export function probeVideo(input, { seconds = null, timeoutMs = 60000 } = {}) {
  const args = ['-v', 'error'];
  if (/^rtmps?:/.test(input)) args.push('-rw_timeout', '15000000');
  if (seconds !== null) args.push('-read_intervals', `%+${seconds}`);
  args.push(
    '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', input,
  );
  const out = execFileSync('ffprobe', args, { timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const s = JSON.parse(out.toString()).streams?.[0] ?? {};
  return { codec: s.codec_name ?? null, width: s.width ?? 0, height: s.height ?? 0, frames: Number(s.nb_read_frames ?? 0) };
}

/** Starts a rehearsal as the host does (Start, then confirm) and waits
 *  for its banner. */
export async function startRehearsal(driver) {
  await click(driver, 'start-rehearsal');
  await confirm(driver);
  await driver.wait(until.elementLocated(byTestId('rehearsal-banner')), 20000, 'banner');
}

/** Ends the broadcast as the host does (End, then confirm) and returns
 *  the recording path the summary names. */
export async function endAndGetRecording(driver, ms = 30000) {
  await click(driver, 'end-live');
  await confirm(driver);
  const recEl = await driver.wait(until.elementLocated(byTestId('last-recording')), 30000);
  return waitFor(driver, 'the recording path', async () => {
    const t = (await recEl.getText()).trim();
    return t.length > 0 ? t : null;
  }, ms);
}
