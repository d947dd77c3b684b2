//! `shopcast report`: a room's sessions and one session's end-of-session
//! report, from the room server's REST API (host, assistant or admin;
//! the token comes from `SHOPCAST_TOKEN`). The CSV is the server's own
//! (`?format=csv`), so the CLI and the desktop export the same columns.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use shopcast_room::activity::remote::{fetch_report, fetch_report_csv, fetch_sessions};
use shopcast_room::bots::parse_room_url;
use shopcast_room::report::{Revenue, SessionSummary};

use crate::cmd_lineup::token;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The per-product table (one row per product and currency).
    Csv,
    /// The whole report (or the sessions list), pretty-printed.
    Json,
}

/// What to print: one session's report, or the list.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Which {
    /// A session id from `--list` (`s…`).
    #[arg(long)]
    session: Option<String>,
    /// List the room's sessions, newest first.
    #[arg(long)]
    list: bool,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The room: http://HOST:PORT/r/ROOM or ws://HOST:PORT/ws/ROOM.
    #[arg(long)]
    room: String,
    #[command(flatten)]
    which: Which,
    /// A report: json (default) or csv. The list: a table, or json.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn report(args: ReportArgs) -> Result<()> {
    let token = token()?;
    let (ws_url, _room) = parse_room_url(&args.room).context("room URL")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let text = rt.block_on(async {
        match (&args.which.session, args.format) {
            (Some(id), Some(Format::Csv)) => Ok(fetch_report_csv(&ws_url, &token, id).await?),
            (Some(id), _) => {
                let r = fetch_report(&ws_url, &token, id).await?;
                Ok(format!("{}\n", serde_json::to_string_pretty(&r)?))
            }
            (None, Some(Format::Csv)) => {
                bail!("CSV is one session's product table: give --session ID")
            }
            (None, json) => {
                let sessions = fetch_sessions(&ws_url, &token).await?;
                if json == Some(Format::Json) {
                    Ok(format!("{}\n", serde_json::to_string_pretty(&sessions)?))
                } else {
                    Ok(sessions_table(&sessions))
                }
            }
        }
    })?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            Ok(out.flush()?)
        }
    }
}

fn revenue(r: &Revenue) -> String {
    if r.is_empty() {
        return "-".into();
    }
    r.iter()
        .map(|(c, v)| format!("{} {c}", shopcast_commerce::format_price(*v, c, "zh-CN")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sessions_table(sessions: &[SessionSummary]) -> String {
    let mut s = format!(
        "{:<16} {:<17} {:<17} {:>7}  revenue\n",
        "id", "started (UTC)", "ended (UTC)", "orders"
    );
    for x in sessions {
        s.push_str(&format!(
            "{:<16} {:<17} {:<17} {:>7}  {}\n",
            x.id,
            utc_minute(x.started_at),
            x.ended_at
                .map(utc_minute)
                .unwrap_or_else(|| "running".into()),
            x.orders,
            revenue(&x.revenue)
        ));
    }
    s
}

/// `YYYY-MM-DD HH:MM` for Unix milliseconds, UTC.
fn utc_minute(ms: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms);
    // `2026-12-02T11:17:42Z` → `2026-12-02 11:17`.
    let s = humantime::format_rfc3339_seconds(t).to_string();
    s.get(..16).unwrap_or(&s).replacen('T', " ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_utc_civil_dates() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00");
        // 2000-02-29 12:34:56 UTC.
        assert_eq!(utc_minute(951_827_696_000), "2000-02-29 12:34");
        assert_eq!(utc_minute(1_764_633_600_000), "2025-12-02 00:00");
    }
}
