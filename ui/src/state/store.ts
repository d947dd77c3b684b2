// The page's state: what the shell told us last, plus a few UI-only bits.
// Panels read it and subscribe to changes; only app.ts and the panels'
// own actions write it.

import type { PreviewStats } from '../lib/previewMeter';
import type {
  AudioLevel,
  BeautyLevels,
  DestinationView,
  DeviceView,
  Lineup,
  LutView,
  ProductCard,
  RoomEvent,
  SessionView,
  Settings,
  Stats,
} from '../types';

export interface StoreEvents {
  session: SessionView;
  settings: Settings;
  devices: DeviceView[];
  luts: LutView[];
  destinations: DestinationView[];
  stats: Stats;
  audio_level: AudioLevel;
  room_event: RoomEvent;
  room_popup: ProductCard;
  lineup: Lineup | null;
  beauty_enabled: boolean;
  preview_stats: PreviewStats;
}

type Listener<T> = (v: T) => void;

export class Emitter<E extends object> {
  private readonly map = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(k: K, cb: Listener<E[K]>): () => void {
    let set = this.map.get(k);
    if (!set) {
      set = new Set();
      this.map.set(k, set);
    }
    set.add(cb as Listener<never>);
    return () => {
      set.delete(cb as Listener<never>);
    };
  }

  emit<K extends keyof E>(k: K, v: E[K]): void {
    const set = this.map.get(k);
    if (!set) return;
    for (const cb of [...set]) (cb as Listener<E[K]>)(v);
  }
}

export const DEFAULT_SESSION: SessionView = {
  mode: null,
  phase: 'choosing',
  role: null,
  on_air_since_ms: null,
  outputs: [],
  recording: null,
  last_recording: null,
  room: { connected: false, online: 0, url: null },
  can_stream: false,
  warnings: [],
};

export const ZERO_BEAUTY: BeautyLevels = { smoothing: 0, whitening: 0, ruddy: 0, sharpen: 0 };

export const DEFAULT_SETTINGS: Settings = {
  version: 1,
  language: 'en',
  canvas: { width: 1280, height: 720, fps: 30, video_kbps: 2500 },
  beauty: { ...ZERO_BEAUTY },
  lut: { name: null, strength: 100 },
  audio: { gain_db: 0, muted: false, monitor: false },
  video: { kind: 'test' },
  microphone: null,
  speaker: null,
  hotkeys: {
    go_live: 'Ctrl+Shift+L',
    mute_mic: 'Ctrl+Shift+M',
    next_product: 'Ctrl+Shift+N',
    beauty_toggle: 'Ctrl+Shift+B',
  },
  rehearsal: { viewers: 200, barrage_per_s: 3, gifts_per_s: 0.5 },
  room_url: null,
  layout: null,
};

export class Store extends Emitter<StoreEvents> {
  session: SessionView = DEFAULT_SESSION;
  settings: Settings = DEFAULT_SETTINGS;
  /** False until `get_settings` answered: panels then show the saved values. */
  settingsLoaded = false;
  devices: DeviceView[] = [];
  luts: LutView[] = [];
  /** False until the first list arrives: an empty list before that is not "none installed". */
  lutsLoaded = false;
  destinations: DestinationView[] = [];
  stats: Stats | null = null;
  lineup: Lineup | null = null;
  previewUrl = '';
  version = '';
  /** Beauty bypass (hotkey / toggle): when false the core gets all-zero levels. */
  beautyEnabled = true;
  /** Names picked for the next go-live. `null`: every saved destination. */
  selectedDestinations: Set<string> | null = null;

  setSession(s: SessionView): void {
    this.session = s;
    this.emit('session', s);
  }

  setSettings(s: Settings): void {
    this.settings = s;
    this.emit('settings', s);
  }

  setDevices(d: DeviceView[]): void {
    this.devices = d;
    this.emit('devices', d);
  }

  setLuts(l: LutView[]): void {
    this.luts = l;
    this.lutsLoaded = true;
    this.emit('luts', l);
  }

  setDestinations(d: DestinationView[]): void {
    this.destinations = d;
    this.emit('destinations', d);
  }

  setStats(s: Stats): void {
    this.stats = s;
    this.emit('stats', s);
  }

  setLineup(l: Lineup | null): void {
    this.lineup = l;
    this.emit('lineup', l);
  }

  setBeautyEnabled(on: boolean): void {
    this.beautyEnabled = on;
    this.emit('beauty_enabled', on);
  }

  /** The destinations the next go-live uses. */
  chosenDestinations(): string[] {
    const names = this.destinations.map((d) => d.name);
    if (this.selectedDestinations === null) return names;
    return names.filter((n) => this.selectedDestinations?.has(n));
  }
}
