// The page's state: what the shell told us last, plus a few UI-only bits.
// Panels read it and subscribe to changes; only app.ts and the panels'
// own actions write it.

import {
  DEFAULT_SETTINGS,
  type AudioLevel,
  type DestinationView,
  type DeviceView,
  type LineupSnapshot,
  type LutView,
  type SessionView,
  type Settings,
  type StatsView,
} from '../ipc';
import type { PreviewStats } from '../lib/previewMeter';
import { ActivityStore } from './activities';
import { LineupStore } from './lineup';

export interface StoreEvents {
  session: SessionView;
  settings: Settings;
  devices: DeviceView[];
  luts: LutView[];
  destinations: DestinationView[];
  stats: StatsView;
  audio_level: AudioLevel;
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
    // A wrapper, so one function subscribed twice needs two unsubscribes.
    const wrapped = ((v: E[K]) => cb(v)) as Listener<never>;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  /** How many listeners there are (for one event, or all): tests check panels let go. */
  listenerCount(k?: keyof E): number {
    if (k !== undefined) return this.map.get(k)?.size ?? 0;
    let n = 0;
    for (const set of this.map.values()) n += set.size;
    return n;
  }

  emit<K extends keyof E>(k: K, v: E[K]): void {
    const set = this.map.get(k);
    if (!set) return;
    for (const cb of [...set]) (cb as Listener<E[K]>)(v);
  }
}

/** What the page assumes until `app_info` answers: no mode chosen yet. */
export const DEFAULT_SESSION: SessionView = {
  rev: 0,
  mode: null,
  phase: 'choosing',
  role: null,
  on_air_since_ms: null,
  outputs: [],
  recording: null,
  last_recording: null,
  room: { connected: false, online: 0, url: null },
  can_stream: false,
  beauty_bypass: false,
  paused: false,
  warnings: [],
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
  stats: StatsView | null = null;
  /** The shared lineup and its activity feed (it tells its own subscribers). */
  readonly lineupStore = new LineupStore();
  /** The room's activities (it tells its own subscribers). */
  readonly activityStore = new ActivityStore();
  previewUrl = '';
  version = '';
  /** Names picked for the next go-live. `null`: every saved destination. */
  selectedDestinations: Set<string> | null = null;

  setSession(s: SessionView): void {
    // A command's answer can arrive after a newer event's view.
    if (this.session && s.rev < this.session.rev) return;
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

  setStats(s: StatsView): void {
    this.stats = s;
    this.emit('stats', s);
  }

  /** The lineup on screen; null until it loaded. */
  get lineup(): LineupSnapshot | null {
    return this.lineupStore.snapshot;
  }

  /** Takes a newer lineup (`force`: whatever its version). */
  setLineup(l: LineupSnapshot, force = false): boolean {
    return this.lineupStore.applySnapshot(l, force);
  }

  /** The destinations the next go-live uses. */
  chosenDestinations(): string[] {
    const names = this.destinations.map((d) => d.name);
    if (this.selectedDestinations === null) return names;
    return names.filter((n) => this.selectedDestinations?.has(n));
  }
}
