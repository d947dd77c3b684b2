// The one place that talks to the Tauri shell. Commands are the generated
// wrappers (`makeCommands`) over an `invoke` that turns every rejection into
// a `CommandError`; events are the shell's single `studio` event, fanned out
// here by `type`. Nothing else in the UI imports @tauri-apps/api, so tests
// mock this module (see ../test/fakeApi.ts).

import { invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import {
  makeCommands,
  STUDIO_EVENT,
  type CommandError,
  type CommandName,
  type ErrorCode,
  type Invoke,
  type SessionEvent,
  type StudioEventPayload,
  type StudioEventType,
} from './bindings';

export type { StudioEventPayload, StudioEventType };

/**
 * Turns whatever a rejected `invoke` carries into `{code, message}`. The
 * shell only ever rejects with a generated `CommandError`, so its code is
 * kept as sent; anything else (a missing command, a thrown string) is
 * `internal`.
 */
export function toApiError(e: unknown): CommandError {
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    const code = typeof o.code === 'string' && o.code !== '' ? (o.code as ErrorCode) : undefined;
    const message = typeof o.message === 'string' ? o.message : (code ?? 'unknown error');
    return { code: code ?? 'internal', message };
  }
  return { code: 'internal', message: String(e) };
}

export function isApiError(e: unknown): e is CommandError {
  return (
    !!e &&
    typeof e === 'object' &&
    typeof (e as CommandError).code === 'string' &&
    typeof (e as CommandError).message === 'string'
  );
}

const call: Invoke = async <T>(command: CommandName, args?: Record<string, unknown>): Promise<T> => {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
};

/** Every command of the shell, with the contract's argument names. */
export const api = makeCommands(call);
export type Api = typeof api;

export type Unlisten = () => void;

declare global {
  interface Window {
    /** Messages from the shell by `type`, and the room events they carried. */
    __ipc?: Record<string, number>;
    __ipcRoomEvents?: number;
  }
}

/**
 * Counts what crosses the IPC, for the room benchmark
 * (tests/e2e/bench_room.mjs) and for anyone debugging a busy room: two
 * additions a message, so it is always on.
 */
function countMessage(ev: SessionEvent): void {
  if (!ev || typeof ev.type !== 'string') return;
  const counts = (window.__ipc ??= {});
  counts[ev.type] = (counts[ev.type] ?? 0) + 1;
  if (ev.type === 'room') window.__ipcRoomEvents = (window.__ipcRoomEvents ?? 0) + ev.payload.events.length;
}

type Callback = (payload: unknown) => void;
const subscribers = new Map<StudioEventType, Set<Callback>>();

/** The one Tauri subscription, while anyone listens. */
let tauri: { stopped: boolean; unlisten: (() => void) | null } | null = null;

function startListening(): void {
  if (tauri) return;
  const state: { stopped: boolean; unlisten: (() => void) | null } = { stopped: false, unlisten: null };
  tauri = state;
  listen<SessionEvent>(STUDIO_EVENT, (e) => {
    countMessage(e.payload);
    if (!state.stopped) dispatchStudioEvent(e.payload);
  }).then(
    (u) => {
      // Everyone may have left before `listen` answered.
      if (state.stopped) u();
      else state.unlisten = u;
    },
    (e: unknown) => {
      // A later subscriber tries again.
      if (tauri === state) tauri = null;
      reportListenError(STUDIO_EVENT, toApiError(e));
    },
  );
}

function stopListening(): void {
  if (!tauri) return;
  tauri.stopped = true;
  tauri.unlisten?.();
  tauri = null;
}

/**
 * Subscribes to one kind of `studio` event. Returns an unsubscribe
 * function at once; it works even before the shell's `listen` resolved.
 */
export function on<K extends StudioEventType>(type: K, cb: (payload: StudioEventPayload<K>) => void): Unlisten {
  let set = subscribers.get(type);
  if (!set) {
    set = new Set();
    subscribers.set(type, set);
  }
  // A wrapper, so the same function subscribed twice unsubscribes twice.
  const wrapped: Callback = (p) => cb(p as StudioEventPayload<K>);
  set.add(wrapped);
  startListening();
  return () => {
    if (!set.delete(wrapped)) return;
    if (subscriberCount() === 0) stopListening();
  };
}

/** How many local subscribers there are (for one type, or all). */
export function subscriberCount(type?: StudioEventType): number {
  if (type) return subscribers.get(type)?.size ?? 0;
  let n = 0;
  for (const s of subscribers.values()) n += s.size;
  return n;
}

/** Hands one `studio` event to the subscribers of its type. */
export function dispatchStudioEvent(ev: SessionEvent): void {
  if (!ev || typeof ev !== 'object' || typeof ev.type !== 'string') return;
  const set = subscribers.get(ev.type);
  if (!set) return;
  const payload = 'payload' in ev ? ev.payload : null;
  for (const cb of [...set]) {
    try {
      cb(payload);
    } catch (e) {
      // One broken subscriber must not starve the others; say what failed.
      reportListenError(`${STUDIO_EVENT}:${ev.type}`, toApiError(e));
    }
  }
}

let listenErrorSink: ((name: string, err: CommandError) => void) | null = null;
/** Where a failed `listen` (or a failing subscriber) is reported; the app routes it to the status line. */
export function setListenErrorSink(sink: ((name: string, err: CommandError) => void) | null): void {
  listenErrorSink = sink;
}
function reportListenError(name: string, err: CommandError): void {
  if (listenErrorSink) listenErrorSink(name, err);
}

/** True inside the Tauri webview; false in a plain browser (e.g. `vite dev`). */
export function inShell(): boolean {
  return isTauri();
}
