//! Server settings (user-facing knobs with production defaults) and the
//! resolved config that starts a server.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::admission::ConnCaps;
use crate::filter::WordFilter;
use crate::levels::LevelConfig;
use crate::limits::Limits;
use crate::protocol::GiftInfo;

pub const DEFAULT_TICK: Duration = Duration::from_millis(100);
pub const DEFAULT_REPLAY_CAPACITY: usize = 4096;
pub const DEFAULT_MAX_BARRAGE_PER_TICK: usize = 50;
pub const DEFAULT_CLIENT_QUEUE: usize = 64;
pub const DEFAULT_MAX_LAG_EVENTS: usize = 20_000;

/// Everything tunable about the room server.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Fan-out interval: events are batched and sent once per tick.
    pub tick: Duration,
    /// Events kept in memory per room for resume.
    pub replay_capacity: usize,
    /// Audience barrage per tick above which barrage is sampled.
    pub max_barrage_per_tick: usize,
    /// Frames queued per connection before it counts as lagging.
    pub client_queue: usize,
    /// Never-drop events held for a lagging connection before it is
    /// closed (it can resume from its last seq).
    pub max_lag_events: usize,
    pub combo_batch: u32,
    pub combo_idle_ms: u64,
    pub like_interval_ms: u64,
    pub online_interval_ms: u64,
    pub kick_ban_secs: u64,
    pub guest_token_ttl_secs: u64,
    /// Coins a user's wallet starts with the first time the server sees
    /// them (0 in production: coins are bought; rehearsal gives its
    /// simulated viewers seed money).
    pub welcome_balance: u64,
    /// Guest tokens per minute per client IP (burst 2× this).
    pub guest_tokens_per_min: f64,
    pub ping_interval: Duration,
    /// No frame from the client for this long closes the connection.
    pub idle_timeout: Duration,
    /// Time to send `hello` when the URL has no token.
    pub auth_timeout: Duration,
    pub max_rooms: usize,
    /// A room with nobody in it and nothing running (no live session,
    /// no activity, nothing unsaved) leaves memory after this long; the
    /// next visitor loads it back from the store.
    pub room_idle_unload: Duration,
    /// Whether any valid token may open a room that does not exist yet.
    /// Off on a public server, where only host and admin tokens open
    /// rooms (anyone else is told the room is not open, 4004); on for a
    /// private one (rehearsal's, where simulated viewers may beat the
    /// host's own connection to the room).
    pub anyone_opens_rooms: bool,
    /// Sockets in total, per client address and per user.
    pub conn_caps: ConnCaps,
    /// A frame the client's TCP does not take within this closes the
    /// connection as a slow consumer (4008); it can resume.
    pub write_timeout: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the
    /// per-address caps and the guest-token rate).
    pub trusted_proxies: Vec<IpAddr>,
    /// Web origins besides the server's own whose pages may open sockets
    /// (for an audience page embedded in a shop's site).
    pub allowed_origins: Vec<String>,
    pub limits: Limits,
    pub levels: LevelConfig,
    pub words: WordFilter,
    pub default_gifts: Vec<GiftInfo>,
}

fn gift(id: &str, name: &str, value: u64) -> GiftInfo {
    GiftInfo {
        id: id.into(),
        name: name.into(),
        value,
        effect_url: format!("/static/effects/{id}.json"),
    }
}

/// The catalogue a fresh server starts with.
pub fn default_gifts() -> Vec<GiftInfo> {
    vec![
        gift("rose", "Rose", 1),
        gift("heart", "Heart", 10),
        gift("star", "Star", 50),
        gift("rocket", "Rocket", 1000),
    ]
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            tick: DEFAULT_TICK,
            replay_capacity: DEFAULT_REPLAY_CAPACITY,
            max_barrage_per_tick: DEFAULT_MAX_BARRAGE_PER_TICK,
            client_queue: DEFAULT_CLIENT_QUEUE,
            max_lag_events: DEFAULT_MAX_LAG_EVENTS,
            combo_batch: 20,
            combo_idle_ms: 1000,
            like_interval_ms: 1000,
            online_interval_ms: 1000,
            kick_ban_secs: 600,
            guest_token_ttl_secs: 2 * 3600,
            welcome_balance: 0,
            guest_tokens_per_min: 10.0,
            ping_interval: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(45),
            auth_timeout: Duration::from_secs(10),
            max_rooms: 10_000,
            room_idle_unload: Duration::from_secs(300),
            anyone_opens_rooms: false,
            conn_caps: ConnCaps::default(),
            write_timeout: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
            allowed_origins: Vec::new(),
            limits: Limits::default(),
            levels: LevelConfig::default(),
            words: WordFilter::default_list(),
            default_gifts: default_gifts(),
        }
    }
}

/// What `shopcast room-server` and rehearsal start a server with.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Holds `secret.key` and `room.sqlite3`.
    pub data_dir: PathBuf,
    pub settings: ServerSettings,
    /// Redis mode (`--redis redis://HOST:PORT`): rooms are kept in Redis
    /// and served by any of the processes that share it. `None`: SQLite
    /// in `data_dir`, one process. Never logged: it may hold a password.
    pub redis: Option<String>,
}

impl ServerConfig {
    pub fn new(listen: SocketAddr, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen,
            data_dir: data_dir.into(),
            settings: ServerSettings::default(),
            redis: None,
        }
    }
}

/// Creates the data folder (and any missing parents) readable by its
/// owner only: it holds the token secret and every room's records. A
/// folder that already exists keeps the mode its owner gave it.
pub fn create_data_dir(dir: &std::path::Path) -> crate::error::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|source| crate::error::RoomError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn a_new_data_folder_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        super::create_data_dir(&dir).unwrap();
        for d in [tmp.path().join("a"), dir] {
            let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", d.display());
        }
    }
}
