// Types of the desktop shell's API, mirrored from docs/desktop-api.md.
// Field names are snake_case, exactly as the shell sends them.

export type Mode = 'live' | 'rehearsal' | 'assistant';
export type Phase = 'choosing' | 'preview' | 'starting' | 'on_air' | 'ending' | 'ended';
export type Role = 'host' | 'assistant';
export type Language = 'zh-CN' | 'en' | 'ko';

export type ErrorCode =
  | 'invalid'
  | 'forbidden'
  | 'state'
  | 'not_found'
  | 'io'
  | 'media'
  | 'room'
  | 'push'
  | 'internal';

/** What every command rejects with. Messages never contain secrets. */
export interface ApiError {
  code: ErrorCode;
  message: string;
}

export type OutputState = 'connecting' | 'live' | 'reconnecting' | 'failed' | 'stopped';

export interface OutputView {
  name: string;
  state: OutputState | string;
  detail: string;
}

export interface RoomView {
  connected: boolean;
  online: number;
  url: string | null;
}

export interface SessionView {
  mode: Mode | null;
  phase: Phase;
  role: Role | null;
  on_air_since_ms: number | null;
  outputs: OutputView[];
  recording: string | null;
  last_recording: string | null;
  room: RoomView;
  can_stream: boolean;
  warnings: string[];
}

export interface Canvas {
  width: number;
  height: number;
  fps: number;
  video_kbps: number;
}

export interface BeautyLevels {
  smoothing: number;
  whitening: number;
  ruddy: number;
  sharpen: number;
}

export interface LutChoice {
  name: string | null;
  strength: number;
}

export interface AudioSettings {
  gain_db: number;
  muted: boolean;
  monitor: boolean;
}

export type VideoChoice =
  | { kind: 'test' }
  | { kind: 'camera'; id: string }
  | { kind: 'screen'; id: string | null }
  | { kind: 'file'; path: string }
  | { kind: 'image'; path: string };

export interface Hotkeys {
  go_live: string;
  mute_mic: string;
  next_product: string;
  beauty_toggle: string;
}
export type HotkeyAction = keyof Hotkeys;

export interface RehearsalAudience {
  viewers: number;
  barrage_per_s: number;
  gifts_per_s: number;
}

export interface Settings {
  version: 1;
  language: Language;
  canvas: Canvas;
  beauty: BeautyLevels;
  lut: LutChoice;
  audio: AudioSettings;
  video: VideoChoice;
  microphone: string | null;
  speaker: string | null;
  hotkeys: Hotkeys;
  rehearsal: RehearsalAudience;
  room_url: string | null;
  layout: unknown | null;
}

export interface DeviceView {
  id: string;
  name: string;
  kind: 'camera' | 'microphone' | 'speaker';
}

export interface LutView {
  name: string;
  thumbnail: string;
}

export type DestinationKind = 'tencent' | 'custom' | 'srt';

export interface DestinationView {
  name: string;
  kind: DestinationKind;
  summary: string;
  has_secret: boolean;
}

export type DestinationInput =
  | {
      kind: 'tencent';
      name: string;
      push_domain: string;
      app: string;
      stream: string;
      key: string | null;
      valid_hours: number;
    }
  | { kind: 'custom'; name: string; url: string; stream_key: string | null }
  | { kind: 'srt'; name: string; url: string; passphrase: string | null };

export interface OutputStats {
  name: string;
  kbps: number;
  state: string;
}

export interface Stats {
  fps: number;
  dropped: number;
  video_kbps: number;
  cpu_percent: number;
  audio_rms_db: number | null;
  audio_peak_db: number | null;
  outputs: OutputStats[];
}

export interface ResumeOffer {
  mode: Mode;
  started_ms: number;
  recording: string | null;
}

export interface ProductView {
  goods_id: string;
  name: string;
  price_cents: number;
  image_url: string | null;
}

export interface Lineup {
  products: ProductView[];
  current: number | null;
}

export interface AppInfo {
  version: string;
  session: SessionView;
  preview_url: string;
  resume: ResumeOffer | null;
}

export interface AudioLevel {
  rms_db: number;
  peak_db: number;
}

// ---- Room protocol (docs/protocol.md) ----

export interface Badge {
  type: string;
  name: string;
  color?: string;
  icon_url?: string;
}

export interface Identity {
  id: string;
  nick: string;
  avatar?: string;
  role: 'audience' | 'assistant' | 'host' | 'admin' | string;
  level?: number;
  level_name?: string;
  badges?: Badge[];
}

/**
 * A room event as forwarded by the shell's `room_event`. The desktop API
 * names the discriminant `kind`; the room protocol's wire form names it
 * `type`. Both are accepted (see `lib/roomEvents.ts`).
 */
export interface RoomEvent {
  seq?: number;
  ts?: number;
  kind?: string;
  type?: string;
  [field: string]: unknown;
}

/**
 * A product pop-up (`room_popup`). The API leaves its exact shape to the
 * room protocol's `product_explain` fields; the UI reads what it finds.
 */
export interface ProductCard {
  goods_id?: string;
  goods_name?: string;
  goods_name_zh?: string;
  goods_name_en?: string;
  name?: string;
  price?: number;
  price_cents?: number;
  start_timestamp?: number;
  [field: string]: unknown;
}

/** Client messages for `room_send` (docs/protocol.md, "Client → server"). */
export type RoomClientMsg =
  | { type: 'barrage'; text: string }
  | { type: 'announce'; text: string }
  | { type: 'mute'; user_id: string; duration_secs: number }
  | { type: 'unmute'; user_id: string }
  | { type: 'kick'; user_id: string; reason: string }
  | { type: 'get_audience' }
  | { type: string; [field: string]: unknown };
