// The desktop contract as the rest of the page sees it: every type, the
// constant tables and the preview socket's control words the Rust side
// generates into `bindings.ts`. Modules
// import these from here, never from the generated file, so a rename in
// the bindings is fixed in one place. The shell itself (commands, events,
// `@tauri-apps/api`) is `./api`.

export type * from './bindings';
export { CANVAS_PRESETS, DEFAULT_SETTINGS, LIMITS, MIXER_KINDS, NEW_TEXT_LOOK, PREVIEW_PAUSE, PREVIEW_RESUME } from './bindings';

import type { Hotkeys } from './bindings';

/** A hotkey's action: one of the settings' hotkey names. */
export type HotkeyAction = keyof Hotkeys;
