// What the user can do, each as one method: it asks for confirmation where
// the action is irreversible, calls the shell, applies the answer to the
// store, and shows any error. Panels, hotkeys and tests all go through it.

import type { ConfirmDialog } from '../components/confirm';
import type { Toaster } from '../components/toast';
import { t } from '../i18n';
import type {
  AudioSettings,
  BeautyLevels,
  CanvasSettings,
  ClientMsg,
  DestinationInput,
  DestinationOptions,
  HotkeyAction,
  LineupSnapshot,
  LutChoice,
  Mode,
  RehearsalAudience,
  SessionView,
  Settings,
  VideoChoice,
} from '../ipc';
import { api } from '../ipc/api';
import { throttle, debounce, type Throttled } from '../lib/timing';
import { ActivityActions } from './activityActions';
import { CatalogActions } from './catalogActions';
import { LineupActions } from './lineupActions';
import { MixerActions } from './mixerActions';
import { SceneActions } from './sceneActions';
import type { Store } from './store';

/** Live controls send at most ~20 updates a second. */
export const LIVE_CONTROL_MS = 50;
/** Settings are saved this long after the last change. */
export const SETTINGS_SAVE_MS = 400;

export class Actions {
  private settingsRevision = 0;
  private readonly saveLater: Throttled<[]>;
  private readonly sendBeauty: Throttled<[BeautyLevels]>;
  private readonly sendLut: Throttled<[LutChoice]>;
  private readonly sendAudio: Throttled<[AudioSettings]>;
  private readonly sendAudience: Throttled<[RehearsalAudience]>;
  /** Changes to the shared lineup (host and assistants alike). */
  readonly lineup: LineupActions;
  /** This machine's product catalogue. */
  readonly catalog: CatalogActions;
  /** The room's activities and the session reports. */
  readonly activities: ActivityActions;
  /** Scenes: switching and the preview's layer editing. */
  readonly scenes: SceneActions;
  /** The audio mixer's strips. */
  readonly mixer: MixerActions;

  constructor(
    private readonly store: Store,
    private readonly toast: Toaster,
    private readonly confirmDialog: ConfirmDialog,
  ) {
    this.lineup = new LineupActions(store, toast);
    this.catalog = new CatalogActions(toast, confirmDialog);
    this.activities = new ActivityActions(store, confirmDialog);
    this.scenes = new SceneActions(store, toast);
    this.mixer = new MixerActions(store, toast);
    this.saveLater = debounce(() => void this.saveSettingsNow(), SETTINGS_SAVE_MS);
    this.sendBeauty = throttle((b) => void this.run(api.setBeauty(b), t('beauty.title')), LIVE_CONTROL_MS);
    this.sendLut = throttle((l) => void this.run(api.setLut(l), t('beauty.lut')), LIVE_CONTROL_MS);
    this.sendAudio = throttle((a) => void this.run(api.setAudio(a), t('audio.title')), LIVE_CONTROL_MS);
    this.sendAudience = throttle(
      (a) => void this.run(api.setAudience(a), t('rehearsal.audience')),
      LIVE_CONTROL_MS,
    );
  }

  /** Awaits `p`; on failure shows the error and resolves `undefined`. */
  async run<T>(p: Promise<T>, context?: string): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      this.toast.error(e, context);
      return undefined;
    }
  }

  private session(s: SessionView | undefined): SessionView | undefined {
    if (s) this.store.setSession(s);
    return s;
  }

  // ---- settings ----

  /** Changes the settings now and saves them shortly (debounced). */
  updateSettings(change: (s: Settings) => Settings): void {
    const next = change(this.store.settings);
    this.settingsRevision++;
    this.store.setSettings(next);
    this.saveLater();
  }

  /** Saves pending settings at once (e.g. before the window closes). */
  flushSettings(): void {
    this.saveLater.flush();
  }

  private async saveSettingsNow(): Promise<void> {
    if (!this.store.settingsLoaded) {
      // Saving defaults over settings we could not read would lose them.
      this.toast.show(t('settings.not_loaded'), 'warn');
      return;
    }
    const rev = this.settingsRevision;
    const stored = await this.run(api.saveSettings(this.store.settings), t('settings.title'));
    // Take the stored copy unless the user changed something meanwhile.
    if (stored && rev === this.settingsRevision) this.store.setSettings(stored);
  }

  // ---- modes ----

  async enterMode(mode: Mode, roomUrl?: string, token?: string): Promise<boolean> {
    const s = await this.run(api.enterMode(mode, roomUrl ?? null, token ?? null), t('start.title'));
    if (!s) return false;
    this.session(s);
    if (mode === 'live' && roomUrl !== undefined && roomUrl !== this.store.settings.room_url) {
      this.updateSettings((st) => ({ ...st, room_url: roomUrl }));
    }
    void this.afterModeEntered();
    return true;
  }

  /** Loads what the chosen mode's panels need. */
  async afterModeEntered(): Promise<void> {
    const s = this.store.session;
    const jobs: Promise<unknown>[] = [
      this.refreshDevices(),
      this.refreshLuts(),
      this.refreshLineup(),
      this.activities.refresh(),
    ];
    if (s.can_stream && s.role !== 'assistant') jobs.push(this.refreshDestinations());
    await Promise.all(jobs);
    if (!s.can_stream) return; // an assistant has no stream controls: the core refuses them
    // Re-apply the saved live controls so the core matches what the panels
    // show. The bypass is the session's own state, so it is left alone.
    this.sendBeauty(this.store.settings.beauty);
    this.sendLut(this.store.settings.lut);
    this.sendAudio(this.store.settings.audio);
  }

  async leaveMode(): Promise<void> {
    this.session(await this.run(api.leaveMode(), t('toolbar.leave')));
  }

  async resume(accept: boolean): Promise<void> {
    const s = this.session(await this.run(api.resumeSession(accept), t('resume.title')));
    if (s && s.mode) void this.afterModeEntered();
  }

  // ---- lists ----

  async refreshDevices(): Promise<void> {
    const d = await this.run(api.listDevices(), t('sources.title'));
    if (d) this.store.setDevices(d);
  }

  async refreshLuts(): Promise<void> {
    const l = await this.run(api.listLuts(), t('beauty.lut'));
    if (l) this.store.setLuts(l);
  }

  async refreshDestinations(): Promise<void> {
    const d = await this.run(api.listDestinations(), t('output.destinations'));
    if (d) this.store.setDestinations(d);
  }

  /**
   * Loads the lineup. A load error is shown in the Products panel (it
   * says why), not as a toast. `force`: after a (re)connect, take the
   * answer whatever its version.
   */
  refreshLineup(force = true): Promise<void> {
    return this.lineup.refresh(force);
  }

  nextProduct(): Promise<LineupSnapshot | undefined> {
    return this.lineup.next();
  }

  // ---- sources and canvas ----

  async setVideo(video: VideoChoice): Promise<boolean> {
    const s = this.session(await this.run(api.setVideo(video), t('sources.video')));
    if (!s) return false;
    this.updateSettings((st) => ({ ...st, video }));
    return true;
  }

  setMicrophone(id: string | null): void {
    this.updateSettings((st) => ({ ...st, microphone: id }));
  }

  setSpeaker(id: string | null): void {
    this.updateSettings((st) => ({ ...st, speaker: id }));
  }

  async setCanvas(canvas: CanvasSettings): Promise<boolean> {
    const s = this.session(await this.run(api.setCanvas(canvas), t('output.canvas')));
    if (!s) return false;
    this.updateSettings((st) => ({ ...st, canvas }));
    return true;
  }

  // ---- live controls (throttled, persisted) ----

  setBeauty(levels: BeautyLevels): void {
    this.updateSettings((st) => ({ ...st, beauty: levels }));
    this.sendBeauty(levels);
    // Moving a level while bypassed means "show me": turn beauty back on.
    if (this.store.session.beauty_bypass && !this.liftingBypass) {
      // Once, however many slider steps arrive before the answer.
      this.liftingBypass = true;
      void this.setBeautyBypass(false).finally(() => (this.liftingBypass = false));
    }
  }
  private liftingBypass = false;

  /**
   * beauty_toggle: the session bypasses beauty (zero levels in the core)
   * and keeps the saved levels; the page only ever asks it to.
   * Resolves whether beauty is bypassed afterwards.
   */
  async toggleBeauty(): Promise<boolean> {
    return this.setBeautyBypass(!this.store.session.beauty_bypass);
  }

  private async setBeautyBypass(bypass: boolean): Promise<boolean> {
    this.session(await this.run(api.setBeautyBypass(bypass), t('beauty.title')));
    return this.store.session.beauty_bypass;
  }

  setLut(lut: LutChoice): void {
    this.updateSettings((st) => ({ ...st, lut }));
    this.sendLut(lut);
  }

  setAudio(audio: AudioSettings): void {
    this.updateSettings((st) => ({ ...st, audio }));
    this.sendAudio(audio);
  }

  /**
   * The "mute microphone" hotkey: the microphone's strip, so a product
   * video or music keeps playing; the master when there is no microphone
   * strip. Returns whether it is muted now.
   */
  toggleMute(): boolean {
    const mic = this.store.settings.mixer.find((i) => i.source.kind === 'microphone');
    if (mic) {
      this.mixer.setInput({ ...mic, muted: !mic.muted });
      return !mic.muted;
    }
    const a = this.store.settings.audio;
    this.setAudio({ ...a, muted: !a.muted });
    return !a.muted;
  }

  setAudience(audience: RehearsalAudience): void {
    this.updateSettings((st) => ({ ...st, rehearsal: audience }));
    if (this.store.session.mode === 'rehearsal') this.sendAudience(audience);
  }

  // ---- destinations ----

  async saveDestination(input: DestinationInput): Promise<boolean> {
    const v = await this.run(api.saveDestination(input), t('output.destinations'));
    if (!v) return false;
    await this.refreshDestinations();
    return true;
  }

  async removeDestination(name: string): Promise<void> {
    const ok = await this.confirmDialog.ask({
      title: 'output.remove_title',
      message: 'output.remove_message',
      params: { name },
      yes: 'output.remove',
      danger: true,
    });
    if (!ok) return;
    const r = await this.run(api.removeDestination(name).then(() => true), t('output.destinations'));
    if (r) {
      this.store.selectedDestinations?.delete(name);
      await this.refreshDestinations();
    }
  }

  /** One destination's dynamic bitrate and reconnect options. */
  async setDestinationOptions(name: string, options: DestinationOptions): Promise<void> {
    const v = await this.run(api.setDestinationOptions(name, options), t('output.destinations'));
    if (v) await this.refreshDestinations();
  }

  /** Pause on air: the room shows "paused", the slate, the microphone off. */
  async pauseBroadcast(): Promise<void> {
    const view = await this.run(api.pause(), t('output.pause'));
    if (view) this.store.setSession(view);
  }

  /** Back from a pause. */
  async resumeBroadcast(): Promise<void> {
    const view = await this.run(api.resume(), t('output.resume'));
    if (view) this.store.setSession(view);
  }

  /** "Reconnect now": a destination in backoff tries again at once. */
  async reconnectNow(name: string): Promise<void> {
    const view = await this.run(api.reconnectNow(name), t('output.reconnect_now'));
    if (view) this.store.setSession(view);
  }

  // ---- going live ----

  /** The Go Live button and hotkey: confirm, then `go_live` with `confirmed: true`. */
  async requestGoLive(): Promise<boolean> {
    const s = this.store.session;
    if (s.mode === 'rehearsal') return this.requestStartRehearsal();
    if (s.mode !== 'live' || !s.can_stream || s.phase !== 'preview') return false;
    const names = this.store.chosenDestinations();
    if (names.length === 0) {
      this.toast.show(t('output.no_destination'), 'error');
      return false;
    }
    const ok = await this.confirmDialog.ask({
      title: 'golive.title',
      message: 'golive.message',
      params: { n: names.length },
      details: names,
      yes: 'golive.yes',
      danger: true,
    });
    if (!ok) return false;
    return !!this.session(await this.run(api.goLive(names, true), t('golive.title')));
  }

  async requestStartRehearsal(): Promise<boolean> {
    const s = this.store.session;
    if (s.mode !== 'rehearsal' || s.phase !== 'preview') return false;
    const ok = await this.confirmDialog.ask({
      title: 'rehearsal.start_title',
      message: 'rehearsal.start_message',
      yes: 'rehearsal.start',
    });
    if (!ok) return false;
    const started = this.session(await this.run(api.startRehearsal(true), t('rehearsal.start')));
    if (started) this.sendAudience(this.store.settings.rehearsal);
    return !!started;
  }

  async requestEnd(): Promise<boolean> {
    const s = this.store.session;
    if (!s.can_stream || (s.phase !== 'on_air' && s.phase !== 'starting')) return false;
    const rehearsal = s.mode === 'rehearsal';
    const ok = await this.confirmDialog.ask({
      title: rehearsal ? 'end.title_rehearsal' : 'end.title',
      message: rehearsal ? 'end.message_rehearsal' : 'end.message',
      yes: rehearsal ? 'end.yes_rehearsal' : 'end.yes',
      danger: !rehearsal,
    });
    if (!ok) return false;
    return !!this.session(await this.run(api.endLive(true), t('end.title')));
  }

  async dismissSummary(): Promise<void> {
    this.session(await this.run(api.dismissSummary(), t('summary.title')));
  }

  // ---- room ----

  async roomSend(msg: ClientMsg): Promise<boolean> {
    const r = await this.run(api.roomSend(msg).then(() => true), t('room.send'));
    return r === true;
  }

  async moderate(kind: 'mute' | 'kick', userId: string, nick: string): Promise<boolean> {
    if (kind === 'kick') {
      const ok = await this.confirmDialog.ask({
        title: 'moderation.kick_title',
        message: 'moderation.kick_message',
        params: { nick },
        yes: 'moderation.kick',
        danger: true,
      });
      if (!ok) return false;
      return this.roomSend({ type: 'kick', user_id: userId, reason: 'moderator' });
    }
    return this.roomSend({ type: 'mute', user_id: userId, duration_secs: 600 });
  }

  // ---- window ----

  /** The shell says the window is closing while on air: ask, then close. */
  async closeRequested(): Promise<void> {
    const ok = await this.confirmDialog.ask({
      title: 'close.title',
      message: 'close.message',
      yes: 'close.yes',
      danger: true,
    });
    if (!ok) return;
    this.flushSettings();
    await this.run(api.confirmClose(), t('close.title'));
  }

  // ---- hotkeys ----

  async hotkey(action: HotkeyAction): Promise<void> {
    switch (action) {
      case 'go_live':
        if (this.confirmDialog.isOpen) return;
        await this.requestGoLive();
        return;
      case 'mute_mic':
        this.toast.status(t(this.toggleMute() ? 'audio.muted_now' : 'audio.unmuted_now'));
        return;
      case 'next_product':
        await this.nextProduct();
        return;
      case 'beauty_toggle': {
        const bypassed = await this.toggleBeauty();
        this.toast.status(t(bypassed ? 'beauty.off_now' : 'beauty.on_now'));
        return;
      }
    }
  }
}
