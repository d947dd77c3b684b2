// A scriptable stand-in for ../ipc/api's `api`, used by tests via vi.mock.
// Typed as the real one (`Api`), so a command added to the contract fails
// to compile here until it is faked.

import { vi } from 'vitest';
import {
  DEFAULT_SETTINGS,
  type Activity,
  type ActivityOp,
  type AppInfo,
  type CatalogEntry,
  type CatalogProduct,
  type CropSides,
  type DoctorReport,
  type DestinationOptions,
  type DestinationView,
  type ImportFile,
  type ImportReport,
  type LayerBox,
  type LayerSource,
  type LineupItem,
  type LineupRecord,
  type LineupRequest,
  type LineupSnapshot,
  type MixerInput,
  type MixerSource,
  type ReportFormat,
  type SavedProduct,
  type Scenes,
  type SessionReport,
  type SessionSummary,
  type SessionView,
  type Settings,
} from '../ipc';
import type { Api } from '../ipc/api';

/** A saved destination's options as the session starts them. */
export const DEST_OPTIONS: DestinationOptions = { dynamic_bitrate: true, bitrate_floor_percent: 20, retry_delay_s: 2, max_retries: 25 };
import { DEFAULT_SESSION } from '../state/store';

export function session(over: Partial<SessionView> = {}): SessionView {
  return { ...DEFAULT_SESSION, ...over };
}

/** A lineup item as the shell sends it. */
export function lineupItem(over: Partial<LineupItem> = {}): LineupItem {
  return {
    goods_id: 'p1',
    name_zh: '龙井茶',
    name_en: 'Longjing Tea',
    price: 9900,
    list_price: null,
    currency: 'CNY',
    stock: 10,
    image_url: '',
    link: '',
    pinned: false,
    sold_out: false,
    explained: false,
    state: 'ready',
    ...over,
  };
}

export function snapshot(over: Partial<LineupSnapshot> = {}): LineupSnapshot {
  return { version: 0, items: [], current: null, ...over };
}

/** A catalogue product. */
export function catalogProduct(over: Partial<CatalogProduct> = {}): CatalogProduct {
  return {
    id: 'p1',
    name_zh: '龙井茶',
    name_en: 'Longjing Tea',
    names: {},
    description: '',
    price: 9900,
    currency: 'CNY',
    list_price: null,
    stock: 10,
    skus: [],
    images: [],
    link: '',
    tags: [],
    thumbnail: null,
    ...over,
  };
}

export function makeFakeApi() {
  let current = session();
  // The mixer's strips as the session would keep them (ids are the
  // kind's name, numbered from the second of a kind).
  let mixer: MixerInput[] = [...DEFAULT_SETTINGS.mixer];
  const s = (over: Partial<SessionView>) => {
    current = session({ ...current, ...over });
    return Promise.resolve(current);
  };
  const api = {
    appInfo: vi.fn(
      (): Promise<AppInfo> =>
        Promise.resolve({ version: '0.1.0', session: current, preview_url: 'ws://127.0.0.1:1/preview?token=T', resume: null }),
    ),
    doctor: vi.fn(
      (): Promise<DoctorReport> =>
        Promise.resolve({ platform: 'linux', package_manager: 'apt', checks: [], ok: true, install_all: null }),
    ),
    // The tests read English; the shell's own default is zh-CN.
    getSettings: vi.fn(() => Promise.resolve<Settings>({ ...DEFAULT_SETTINGS, language: 'en', mixer })),
    saveSettings: vi.fn((settings: Settings) => Promise.resolve(settings)),
    enterMode: vi.fn((mode: 'live' | 'rehearsal' | 'assistant', _room_url: string | null, _token: string | null) =>
      s({
        mode,
        phase: 'preview',
        role: mode === 'assistant' ? 'assistant' : 'host',
        can_stream: mode !== 'assistant',
      }),
    ),
    leaveMode: vi.fn(() => s({ mode: null, phase: 'choosing', role: null, can_stream: false })),
    listDevices: vi.fn(() => Promise.resolve([])),
    listLuts: vi.fn(() => Promise.resolve([])),
    setVideo: vi.fn(() => Promise.resolve(current)),
    setCanvas: vi.fn(() => Promise.resolve(current)),
    setBeauty: vi.fn(() => Promise.resolve(null)),
    setBeautyBypass: vi.fn((bypass: boolean) => s({ beauty_bypass: bypass })),
    setLut: vi.fn(() => Promise.resolve(null)),
    setAudio: vi.fn(() => Promise.resolve(null)),
    addMixerInput: vi.fn((source: MixerSource) => {
      const same = mixer.filter((i) => i.source.kind === source.kind).length;
      const id = same ? `${source.kind}-${same + 1}` : source.kind;
      mixer = [...mixer, { id, source, gain_db: 0, muted: false, monitor: false }];
      return s({});
    }),
    removeMixerInput: vi.fn((id: string) => {
      mixer = mixer.filter((i) => i.id !== id);
      return s({});
    }),
    setMixerInput: vi.fn((input: MixerInput) => {
      mixer = mixer.map((i) => (i.id === input.id ? input : i));
      return Promise.resolve(null);
    }),
    listDestinations: vi.fn(
      (): Promise<DestinationView[]> =>
        Promise.resolve([{ name: 'main', kind: 'custom', summary: 'rtmp://h/app/***', has_secret: true, options: DEST_OPTIONS }]),
    ),
    saveDestination: vi.fn(
      (): Promise<DestinationView> => Promise.resolve({ name: 'x', kind: 'custom', summary: '', has_secret: true, options: DEST_OPTIONS }),
    ),
    removeDestination: vi.fn(() => Promise.resolve(null)),
    setDestinationOptions: vi.fn(
      (name: string, options: DestinationOptions): Promise<DestinationView> =>
        Promise.resolve({ name, kind: 'custom', summary: '', has_secret: true, options }),
    ),
    reconnectNow: vi.fn((_name: string) => s({})),
    pause: vi.fn(() => s({ paused: true })),
    resume: vi.fn(() => s({ paused: false })),
    switchScene: vi.fn((_id: string) => s({})),
    setScenes: vi.fn((_scenes: Scenes) => s({})),
    addLayer: vi.fn((_scene: string, _source: LayerSource) => s({})),
    fontFamilies: vi.fn(() => Promise.resolve(['DejaVu Serif', 'Noto Sans CJK SC'])),
    setLayerBox: vi.fn((_scene: string, _layer: string, _rect: LayerBox, _crop: CropSides, _save: boolean) =>
      Promise.resolve(null),
    ),
    goLive: vi.fn((_d: string[], _c: boolean) =>
      s({ phase: 'on_air', on_air_since_ms: Date.now(), outputs: [{ name: 'main', state: 'live', retry: null, detail: '' }] }),
    ),
    startRehearsal: vi.fn((_c: boolean) => s({ phase: 'on_air', on_air_since_ms: Date.now(), recording: '/tmp/r.mkv' })),
    endLive: vi.fn((_c: boolean) => s({ phase: 'ended', on_air_since_ms: null, last_recording: '/tmp/r.mkv', recording: null })),
    dismissSummary: vi.fn(() => s({ phase: 'preview' })),
    setAudience: vi.fn(() => Promise.resolve(null)),
    roomSend: vi.fn(() => Promise.resolve(null)),
    lineup: vi.fn((): Promise<LineupSnapshot> => Promise.resolve(snapshot())),
    lineupOp: vi.fn((_r: LineupRequest): Promise<LineupSnapshot> => Promise.resolve(snapshot())),
    lineupAdd: vi.fn((_id: string): Promise<LineupSnapshot> => Promise.resolve(snapshot())),
    lineupNext: vi.fn((): Promise<LineupSnapshot> => Promise.resolve(snapshot())),
    lineupImage: vi.fn((_url: string): Promise<string | null> => Promise.resolve(null)),
    lineupHistory: vi.fn((): Promise<LineupRecord[]> => Promise.resolve([])),
    activities: vi.fn((): Promise<Activity[]> => Promise.resolve([])),
    activityOp: vi.fn((_op: ActivityOp): Promise<string> => Promise.resolve('a1')),
    sessionReports: vi.fn((): Promise<SessionSummary[]> => Promise.resolve([])),
    sessionReport: vi.fn(
      (id: string): Promise<SessionReport> => Promise.reject({ code: 'not_found', message: `no report ${id}` }),
    ),
    reportExport: vi.fn(
      (id: string, format: ReportFormat): Promise<string> => Promise.resolve(`/data/reports/${id}.${format}`),
    ),
    catalogList: vi.fn((_q: string): Promise<CatalogEntry[]> => Promise.resolve([])),
    catalogSave: vi.fn(
      (product: CatalogProduct): Promise<SavedProduct> =>
        Promise.resolve({ entry: { product, thumbnail: null }, image_errors: [] }),
    ),
    catalogDelete: vi.fn((_id: string) => Promise.resolve(null)),
    catalogImport: vi.fn(
      (_f: ImportFile): Promise<ImportReport> => Promise.resolve({ added: 0, updated: 0, refused: [], image_errors: [] }),
    ),
    resumeSession: vi.fn(() => Promise.resolve(current)),
    confirmClose: vi.fn(() => Promise.resolve(null)),
  } satisfies Api;
  return { api, get session() { return current; }, set session(v: SessionView) { current = v; } };
}
