//! `shopcast room-server`, `shopcast token` and `shopcast audience`: thin
//! wrappers over `shopcast-room`. Each builds its own tokio runtime and
//! stops cleanly on Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use shopcast_room::bots::{
    BotsConfig, PlanParams, TokenSource, parse_room_url, replay_trace, run_bots,
};
use shopcast_room::filter::WordFilter;
use shopcast_room::levels::LevelConfig;
use shopcast_room::protocol::Role;
use shopcast_room::token::ANY_ROOM;
use shopcast_room::{CancellationToken, EmbeddedServer, ServerConfig, TokenSigner};
/// Run the live room server.
#[derive(Debug, clap::Args)]
pub struct RoomServerArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// Data directory: the token secret (secret.key) and the SQLite
    /// database (room.sqlite3). Created if missing.
    #[arg(long)]
    pub data: PathBuf,
    /// Sensitive-word list (one word per line; `!word` rejects). The
    /// built-in list is used when absent.
    #[arg(long)]
    pub words: Option<PathBuf>,
    /// User level thresholds as JSON (see `LevelConfig`).
    #[arg(long)]
    pub levels: Option<PathBuf>,
    /// Sockets the server holds at once (default 20000).
    #[arg(long)]
    pub max_connections: Option<usize>,
    /// Sockets per client address, IPv6 per /64 (default 500).
    #[arg(long)]
    pub max_connections_per_ip: Option<usize>,
    /// A reverse proxy whose X-Forwarded-For names the client (repeat
    /// for several). Without it, behind a proxy every viewer shares the
    /// proxy's address and its per-address cap.
    #[arg(long = "trusted-proxy")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A web origin (https://shop.example.com) besides this server whose
    /// pages may open room sockets (repeat for several).
    #[arg(long = "allow-origin")]
    pub allowed_origins: Vec<String>,
    /// Coins every user's gift wallet starts with (default 0: coins are
    /// credited by an admin once paid for). For test rooms, so the
    /// simulated audience of `shopcast audience` can send gifts.
    #[arg(long, default_value_t = 0)]
    pub welcome_balance: u64,
    /// Let any valid token open a room that was never open. Without it
    /// only host and admin tokens do, and viewers who come first are
    /// told the room is not open yet. For private test servers.
    #[arg(long)]
    pub anyone_opens_rooms: bool,
    /// Keep rooms in Redis (redis://HOST:PORT[/DB]) so that several
    /// processes behind a load balancer serve the same rooms. Start them
    /// with the same --data folder (or a copy of its secret.key). A URL
    /// with a password goes in the SHOPCAST_REDIS_URL environment
    /// variable, never on the command line.
    #[arg(long, env = "SHOPCAST_REDIS_URL", hide_env_values = true)]
    pub redis: Option<String>,
}

/// Mint a room token from the server's secret.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// host, assistant, audience or admin.
    #[arg(long)]
    pub role: Role,
    /// Room name (`*` for an admin token valid in every room).
    #[arg(long)]
    pub room: String,
    /// User id.
    #[arg(long)]
    pub user: String,
    /// The server's data directory (holds the secret).
    #[arg(long)]
    pub data: PathBuf,
    /// Display name.
    #[arg(long, default_value = "")]
    pub nick: String,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 24 * 3600)]
    pub ttl: u64,
}

/// Run a simulated audience against a room.
#[derive(Debug, clap::Args)]
pub struct AudienceArgs {
    /// Room URL: http://HOST:PORT/r/ROOM or ws://HOST:PORT/ws/ROOM.
    #[arg(long)]
    pub room: String,
    /// Number of bots.
    #[arg(long, default_value_t = 20)]
    pub bots: u32,
    /// Barrage messages per second, all bots together.
    #[arg(long, default_value_t = 5.0)]
    pub rate: f64,
    /// Gift hits per second (combos included).
    #[arg(long, default_value_t = 1.0)]
    pub gifts_per_s: f64,
    /// Seed: the same seed gives the same session.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The server's data directory, to mint the bots' tokens.
    #[arg(long, default_value = "shopcast-data")]
    pub data: PathBuf,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long)]
    pub duration: Option<u64>,
    /// Record the session's trace (JSON lines) to this file.
    #[arg(long, conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Replay a recorded trace with its original timing.
    #[arg(long)]
    pub replay: Option<PathBuf>,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the tokio runtime")
}

pub fn room_server(args: RoomServerArgs) -> Result<()> {
    let mut cfg = ServerConfig::new(args.listen, &args.data);
    if let Some(w) = &args.words {
        cfg.settings.words = WordFilter::from_file(w)?;
    }
    if let Some(l) = &args.levels {
        let text =
            std::fs::read_to_string(l).with_context(|| format!("reading {}", l.display()))?;
        cfg.settings.levels = LevelConfig::from_json(&text)?;
    }
    if let Some(n) = args.max_connections {
        cfg.settings.conn_caps.total = n;
    }
    if let Some(n) = args.max_connections_per_ip {
        cfg.settings.conn_caps.per_ip = n;
    }
    cfg.settings.trusted_proxies = args.trusted_proxies;
    cfg.settings.allowed_origins = args.allowed_origins;
    cfg.settings.welcome_balance = args.welcome_balance;
    cfg.settings.anyone_opens_rooms = args.anyone_opens_rooms;
    if let Some(url) = args.redis {
        if std::env::var("SHOPCAST_REDIS_URL").ok().as_deref() != Some(url.as_str())
            && redis_url_has_password(&url)
        {
            bail!(
                "--redis holds a password, and the command line is readable by every user of \
                 this machine; put the URL in SHOPCAST_REDIS_URL instead"
            );
        }
        cfg.redis = Some(url);
    }
    runtime()?.block_on(async move {
        let (addr, handle) = EmbeddedServer::start(cfg).await?;
        println!("room server listening on http://{addr}");
        println!("audience page: http://{addr}/r/ROOM");
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        eprintln!("shutting down…");
        handle.shutdown().await?;
        Ok(())
    })
}

/// `redis://:pw@host`, `redis://user:pw@host`.
fn redis_url_has_password(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.password().is_some())
}

pub fn token(args: TokenArgs) -> Result<()> {
    if args.room == ANY_ROOM && args.role != Role::Admin {
        bail!("--room '*' is only for admin tokens");
    }
    let signer = TokenSigner::load_or_create(&args.data)?;
    let now = shopcast_room::token::now_unix();
    let token = signer.mint(&shopcast_room::Claims {
        user: args.user.clone(),
        room: args.room.clone(),
        role: args.role,
        nick: args.nick,
        time: now,
        expire: args.ttl,
    })?;
    eprintln!(
        "{} token for user {:?} in room {:?}, valid for {} s",
        args.role.as_str(),
        args.user,
        args.room,
        args.ttl
    );
    // The token goes on the last line of stdout, alone, for scripts.
    println!("{token}");
    Ok(())
}

pub fn audience(args: AudienceArgs) -> Result<()> {
    let (ws_url, room) = parse_room_url(&args.room)?;
    let signer = TokenSigner::load_or_create(&args.data)
        .with_context(|| format!("loading the server secret from {}", args.data.display()))?;
    let tokens = TokenSource::Signer { signer, room };
    runtime()?.block_on(async move {
        let cancel = CancellationToken::new();
        let c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                c.cancel();
            }
        });
        let report = match &args.replay {
            Some(trace) => replay_trace(trace, &ws_url, &tokens, cancel).await?,
            None => {
                let cfg = BotsConfig {
                    ws_url,
                    tokens,
                    params: PlanParams::new(args.bots, args.rate, args.gifts_per_s),
                    seed: args.seed,
                    duration: args.duration.map(Duration::from_secs),
                    record: args.record.clone(),
                };
                run_bots(cfg, cancel).await?
            }
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
        Ok(())
    })
}
