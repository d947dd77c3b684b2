//! `shopcast push-url …` and `shopcast dest …`: push URLs and saved
//! destinations. Thin: parse, call `shopcast-push`, print.
//!
//! `push-url` is the one place a full signed URL is printed on purpose:
//! the user asked for it. Keys come from `--key-stdin` or the
//! `SHOPCAST_PUSH_KEY` variable; `--key` works for scripts, but argv is
//! visible to other users in `ps` and is kept in shell history.

use std::io::{IsTerminal, Write};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use shopcast_push::{
    DestinationKind, Destinations, Expiry, PushTarget, Secret, TencentPushProtocol, TencentStream,
};

/// Where a key comes from.
#[derive(Args)]
pub struct KeyArgs {
    /// Read the key from the first line of stdin (recommended).
    #[arg(long, conflicts_with = "key")]
    key_stdin: bool,
    /// The key itself, or set SHOPCAST_PUSH_KEY. Prefer --key-stdin:
    /// command lines show up in `ps` and shell history.
    #[arg(long, env = "SHOPCAST_PUSH_KEY", hide_env_values = true)]
    key: Option<String>,
}

impl KeyArgs {
    fn read(self, what: &'static str) -> Result<Secret> {
        read_secret(
            self.key_stdin,
            self.key,
            what,
            "--key-stdin or SHOPCAST_PUSH_KEY",
        )
    }
}

/// Where a full SRT URL (whose query is secret) comes from.
#[derive(Args)]
pub struct SrtUrlArgs {
    /// Read the srt:// URL from the first line of stdin (recommended).
    #[arg(long, conflicts_with = "url")]
    url_stdin: bool,
    /// The srt://host:port?streamid=… URL, or set SHOPCAST_PUSH_URL.
    #[arg(long, env = "SHOPCAST_PUSH_URL", hide_env_values = true)]
    url: Option<String>,
}

impl SrtUrlArgs {
    fn read(self) -> Result<Secret> {
        read_secret(
            self.url_stdin,
            self.url,
            "SRT URL",
            "--url-stdin or SHOPCAST_PUSH_URL",
        )
    }
}

/// When a signed URL expires: exactly one of the two.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct ExpiryArgs {
    /// Absolute expiry: Unix seconds, or RFC 3339 UTC (2026-01-01T00:00:00Z).
    #[arg(long)]
    expires: Option<String>,
    /// Valid for this long from now: "2h", "30m", "1day".
    #[arg(long)]
    valid_for: Option<String>,
}

impl ExpiryArgs {
    fn resolve(&self) -> Result<Expiry> {
        Ok(match (&self.expires, &self.valid_for) {
            (Some(at), _) => Expiry::parse_at(at)?,
            (None, Some(d)) => Expiry::parse_valid_for(d)?,
            (None, None) => bail!("give --expires or --valid-for"),
        })
    }
}

#[derive(Subcommand)]
pub enum PushUrlCmd {
    /// Tencent Cloud CSS push (RTMP, WebRTC, SRT) and play URLs, signed.
    Tencent {
        /// The CSS push domain, e.g. 12345.livepush.myqcloud.com.
        #[arg(long)]
        domain: String,
        #[arg(long, default_value = shopcast_push::tencent::DEFAULT_APP)]
        app: String,
        /// The StreamName.
        #[arg(long)]
        stream: String,
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        expiry: ExpiryArgs,
        /// The CSS play domain; play URLs are printed only with it.
        #[arg(long)]
        play_domain: Option<String>,
        /// The play authentication key, if play authentication is on.
        #[arg(
            long,
            env = "SHOPCAST_PLAY_KEY",
            hide_env_values = true,
            requires = "play_domain"
        )]
        play_key: Option<String>,
        /// Print one JSON object instead of labelled lines.
        #[arg(long)]
        json: bool,
    },
    /// A custom RTMP/RTMPS server plus stream key.
    Custom {
        /// rtmp://host/app or rtmps://host:443/app.
        #[arg(long)]
        server: String,
        #[command(flatten)]
        key: KeyArgs,
        #[arg(long)]
        json: bool,
    },
    /// Check an srt://host:port?streamid=… URL and print its forms.
    Srt {
        #[command(flatten)]
        url: SrtUrlArgs,
        #[arg(long)]
        json: bool,
    },
}

pub fn push_url(cmd: PushUrlCmd) -> Result<()> {
    let (lines, json) = match cmd {
        PushUrlCmd::Tencent {
            domain,
            app,
            stream,
            key,
            expiry,
            play_domain,
            play_key,
            json,
        } => {
            let expiry = expiry.resolve()?;
            let key = key.read("CSS push key")?;
            let stream = TencentStream::new(&domain, Some(&app), &stream, play_domain.as_deref())?;
            let urls = stream.sign(
                key.expose(),
                play_key.as_deref(),
                &expiry,
                SystemTime::now(),
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&urls.to_json())?);
                return Ok(());
            }
            let mut lines: Vec<(String, String)> = urls
                .labelled()
                .into_iter()
                .map(|(l, u)| (l.to_string(), u.to_string()))
                .collect();
            lines.push((
                "expires".into(),
                format!("{} (txTime {})", urls.expires_at(), urls.tx_time()),
            ));
            if urls.play().is_none() {
                eprintln!("note: pass --play-domain (and --play-key) for play URLs");
            }
            (lines, false)
        }
        PushUrlCmd::Custom { server, key, json } => {
            let key = key.read("stream key")?;
            (
                target_lines(&PushTarget::custom(&server, key.expose())?),
                json,
            )
        }
        PushUrlCmd::Srt { url, json } => {
            let url = url.read()?;
            (target_lines(&PushTarget::parse(url.expose())?), json)
        }
    };
    if json {
        let map: serde_json::Map<String, serde_json::Value> = lines
            .into_iter()
            .map(|(k, v)| (k.replace('-', "_"), v.into()))
            .collect();
        println!("{}", serde_json::to_string_pretty(&map)?);
    } else {
        let mut out = std::io::stdout().lock();
        for (label, url) in lines {
            writeln!(out, "{label}: {url}")?;
        }
    }
    Ok(())
}

fn target_lines(t: &PushTarget) -> Vec<(String, String)> {
    let mut lines = vec![(t.protocol().to_string(), t.expose_url().to_string())];
    if t.gst_location() != t.expose_url() {
        lines.push(("gst-location".into(), t.gst_location()));
    }
    lines
}

#[derive(Subcommand)]
pub enum DestCmd {
    /// Save a destination; its secret goes to the OS keychain (or the
    /// encrypted fallback file), only a reference to the config file.
    Add {
        /// Letters, digits, '-', '_', '.'.
        name: String,
        #[command(subcommand)]
        kind: DestAddKind,
    },
    /// List saved destinations (without secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Forget a destination and delete its secret.
    Remove { name: String },
}

#[derive(Subcommand)]
pub enum DestAddKind {
    /// Tencent CSS; each broadcast signs a fresh URL.
    Tencent {
        #[arg(long)]
        domain: String,
        #[arg(long, default_value = shopcast_push::tencent::DEFAULT_APP)]
        app: String,
        #[arg(long)]
        stream: String,
        /// Push over SRT instead of RTMP.
        #[arg(long)]
        srt: bool,
        #[command(flatten)]
        expiry: ExpiryArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// A custom RTMP/RTMPS server plus stream key.
    Custom {
        #[arg(long)]
        server: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// An SRT URL; its query (streamid, passphrase) is kept as the secret.
    Srt {
        #[command(flatten)]
        url: SrtUrlArgs,
    },
}

pub fn dest(cmd: DestCmd) -> Result<()> {
    let mut dests = Destinations::open_default()?;
    match cmd {
        DestCmd::Add { name, kind } => {
            let (kind, secret) = match kind {
                DestAddKind::Tencent {
                    domain,
                    app,
                    stream,
                    srt,
                    expiry,
                    key,
                } => {
                    let expiry = expiry.resolve()?;
                    if matches!(expiry, Expiry::At(_)) {
                        eprintln!(
                            "note: a fixed --expires stops this destination working after that time; \
                             --valid-for signs a fresh URL for every broadcast"
                        );
                    }
                    let kind = DestinationKind::Tencent {
                        domain,
                        app,
                        stream,
                        expiry,
                        protocol: if srt {
                            TencentPushProtocol::Srt
                        } else {
                            TencentPushProtocol::Rtmp
                        },
                    };
                    (kind, key.read("CSS push key")?)
                }
                DestAddKind::Custom { server, key } => (
                    DestinationKind::Custom { server_url: server },
                    key.read("stream key")?,
                ),
                DestAddKind::Srt { url } => DestinationKind::srt_from_url(url.read()?.expose())?,
            };
            let backend = dests.secret_backend();
            let saved = dests.add(&name, kind, &secret, SystemTime::now())?;
            println!(
                "saved {} ({}: {}); secret in the {backend}",
                saved.name,
                saved.kind.label(),
                saved.kind.describe(),
            );
        }
        DestCmd::List { json } => {
            if json {
                println!("{}", serde_json::to_string_pretty(dests.list())?);
            } else if dests.list().is_empty() {
                println!("no saved destinations ({})", dests.path().display());
            } else {
                for d in dests.list() {
                    println!("{}\t{}\t{}", d.name, d.kind.label(), d.kind.describe());
                }
            }
        }
        DestCmd::Remove { name } => {
            dests.remove(&name)?;
            println!("removed {name}");
        }
    }
    Ok(())
}

/// The push target of a saved destination, signed as of now. For
/// `broadcast --dest NAME`.
/// A saved destination as a push output: a fresh URL, and its own
/// reconnect and dynamic bitrate settings.
pub fn resolve_dest(name: &str) -> Result<shopcast_media::PushOutput> {
    let dests = Destinations::open_default()?;
    let target = dests
        .resolve(name, SystemTime::now())
        .with_context(|| format!("destination {name:?}"))?;
    let saved = dests
        .get(name)
        .with_context(|| format!("destination {name:?}"))?;
    Ok(shopcast_media::PushOutput {
        name: name.to_string(),
        target,
        reconnect: saved.reconnect.unwrap_or_default(),
        dynamic_bitrate: saved.dynamic_bitrate,
    })
}

fn read_secret(
    from_stdin: bool,
    given: Option<String>,
    what: &'static str,
    how: &str,
) -> Result<Secret> {
    if let Some(v) = given {
        return Ok(Secret::new(v));
    }
    if !from_stdin {
        bail!("give the {what} with {how}");
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        // The CLI's own prompt, on stderr so stdout stays the URLs. The
        // terminal echoes what is pasted; pipe it in to avoid that.
        eprint!("{what}: ");
        std::io::stderr().flush().ok();
    }
    Ok(Secret::read_line(stdin.lock(), what)?)
}
