// What the host does to the audio mixer: a strip's gain, mute and
// monitor change live (on air too); adding or removing a strip rebuilds
// the preview, which the session refuses on air. The store's copy
// follows a fader at once; the session has the last word.

import type { Toaster } from '../components/toast';
import { t } from '../i18n';
import type { MixerInput, MixerSource } from '../ipc';
import { api } from '../ipc/api';
import { throttle, type Throttled } from '../lib/timing';
import type { Store } from './store';

/** A dragged fader reaches the program at most this often. */
export const FADER_SEND_MS = 50;

export class MixerActions {
  /** One throttle per strip, so two faders moved together both land. */
  private readonly senders = new Map<string, Throttled<[MixerInput]>>();

  constructor(
    private readonly store: Store,
    private readonly toast: Toaster,
  ) {}

  private async run<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      this.toast.error(e, t('audio.mixer'));
      return undefined;
    }
  }

  /** A strip's gain, mute or monitor. */
  setInput(input: MixerInput): void {
    const mixer = this.store.settings.mixer.map((i) => (i.id === input.id ? input : i));
    this.store.setSettings({ ...this.store.settings, mixer });
    let send = this.senders.get(input.id);
    if (!send) {
      send = throttle((i: MixerInput) => void this.run(api.setMixerInput(i)), FADER_SEND_MS);
      this.senders.set(input.id, send);
    }
    send(input);
  }

  async add(source: MixerSource): Promise<boolean> {
    const view = await this.run(api.addMixerInput(source));
    if (!view) return false;
    this.store.setSession(view);
    await this.reload();
    return true;
  }

  async remove(id: string): Promise<boolean> {
    const view = await this.run(api.removeMixerInput(id));
    if (!view) return false;
    this.senders.get(id)?.cancel();
    this.senders.delete(id);
    this.store.setSession(view);
    await this.reload();
    return true;
  }

  private async reload(): Promise<void> {
    const settings = await this.run(api.getSettings());
    if (settings) this.store.setSettings({ ...this.store.settings, mixer: settings.mixer });
  }
}
