// The one typed wrapper over the Tauri shell (docs/desktop-api.md).
// Nothing else in the UI imports @tauri-apps/api, so tests mock this module.

import { invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type {
  ApiError,
  AppInfo,
  AudioLevel,
  AudioSettings,
  BeautyLevels,
  Canvas,
  DestinationInput,
  DestinationView,
  DeviceView,
  ErrorCode,
  HotkeyAction,
  Lineup,
  LutChoice,
  LutView,
  Mode,
  ProductCard,
  RehearsalAudience,
  RoomClientMsg,
  RoomEvent,
  SessionView,
  Settings,
  Stats,
  VideoChoice,
} from './types';

const ERROR_CODES: readonly ErrorCode[] = [
  'invalid',
  'forbidden',
  'state',
  'not_found',
  'io',
  'media',
  'room',
  'push',
  'internal',
];

/** Turns whatever a rejected `invoke` carries into `{code, message}`. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    const code = typeof o.code === 'string' ? o.code : undefined;
    const message =
      typeof o.message === 'string' ? o.message : code ? code : 'unknown error';
    if (code && (ERROR_CODES as readonly string[]).includes(code)) {
      return { code: code as ErrorCode, message };
    }
    return { code: 'internal', message };
  }
  if (typeof e === 'string') return { code: 'internal', message: e };
  return { code: 'internal', message: String(e) };
}

export function isApiError(e: unknown): e is ApiError {
  return (
    !!e &&
    typeof e === 'object' &&
    typeof (e as ApiError).code === 'string' &&
    typeof (e as ApiError).message === 'string'
  );
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

/** Every command of the shell. Args are passed exactly as the contract names them. */
export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  getSettings: () => call<Settings>('get_settings'),
  saveSettings: (settings: Settings) => call<Settings>('save_settings', { settings }),
  enterMode: (mode: Mode, room_url?: string, token?: string) => {
    const args: Record<string, unknown> = { mode };
    if (room_url !== undefined) {
      args.room_url = room_url;
      // Tauri matches command arguments in camelCase unless the command says
      // `rename_all = "snake_case"`; the contract's snake_case name is sent,
      // and the camelCase twin so either shell build finds it (extra keys are
      // ignored).
      args.roomUrl = room_url;
    }
    if (token !== undefined) args.token = token;
    return call<SessionView>('enter_mode', args);
  },
  leaveMode: () => call<SessionView>('leave_mode'),
  listDevices: () => call<DeviceView[]>('list_devices'),
  listLuts: () => call<LutView[]>('list_luts'),
  setVideo: (video: VideoChoice) => call<SessionView>('set_video', { video }),
  setCanvas: (canvas: Canvas) => call<SessionView>('set_canvas', { canvas }),
  setBeauty: (beauty: BeautyLevels) => call<void>('set_beauty', { beauty }),
  setLut: (lut: LutChoice) => call<void>('set_lut', { lut }),
  setAudio: (audio: AudioSettings) => call<void>('set_audio', { audio }),
  listDestinations: () => call<DestinationView[]>('list_destinations'),
  saveDestination: (input: DestinationInput) =>
    call<DestinationView>('save_destination', { input }),
  removeDestination: (name: string) => call<void>('remove_destination', { name }),
  goLive: (destinations: string[], confirmed: boolean) =>
    call<SessionView>('go_live', { destinations, confirmed }),
  startRehearsal: (confirmed: boolean) => call<SessionView>('start_rehearsal', { confirmed }),
  endLive: (confirmed: boolean) => call<SessionView>('end_live', { confirmed }),
  dismissSummary: () => call<SessionView>('dismiss_summary'),
  setAudience: (audience: RehearsalAudience) => call<void>('set_audience', { audience }),
  roomSend: (msg: RoomClientMsg) => call<void>('room_send', { msg }),
  lineup: () => call<Lineup>('lineup'),
  lineupNext: () => call<Lineup>('lineup_next'),
  resumeSession: (accept: boolean) => call<SessionView>('resume_session', { accept }),
  confirmClose: () => call<void>('confirm_close'),
};

export type Api = typeof api;

/** Event names and payloads (docs/desktop-api.md, "Events"). */
export interface EventMap {
  session: SessionView;
  stats: Stats;
  audio_level: AudioLevel;
  room_event: RoomEvent;
  room_popup: ProductCard;
  devices: DeviceView[];
  close_requested: null;
  hotkey: { action: HotkeyAction };
}
export type EventName = keyof EventMap;

export type Unlisten = () => void;

/**
 * Subscribes to a shell event. Returns an unsubscribe function right away;
 * calling it before `listen` resolved still unsubscribes.
 */
export function on<K extends EventName>(name: K, cb: (payload: EventMap[K]) => void): Unlisten {
  let done = false;
  let un: (() => void) | null = null;
  listen<EventMap[K]>(name, (e) => {
    if (!done) cb(e.payload);
  }).then(
    (u) => {
      if (done) u();
      else un = u;
    },
    (e: unknown) => {
      reportListenError(name, toApiError(e));
    },
  );
  return () => {
    done = true;
    if (un) {
      un();
      un = null;
    }
  };
}

let listenErrorSink: ((name: string, err: ApiError) => void) | null = null;
/** Where a failed `listen` is reported (the app routes it to the status line). */
export function setListenErrorSink(sink: (name: string, err: ApiError) => void): void {
  listenErrorSink = sink;
}
function reportListenError(name: string, err: ApiError): void {
  if (listenErrorSink) listenErrorSink(name, err);
}

/** True inside the Tauri webview; false in a plain browser (e.g. `vite dev`). */
export function inShell(): boolean {
  return isTauri();
}
