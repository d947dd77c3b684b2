//! `shopcast draw verify`: recompute a published lucky draw or lucky
//! bag from its record (a file, or fetched from the room) with
//! `shopcast_room::activity::draw::verify`. Checking needs no trust in
//! the server: only hashing is involved.

use std::path::PathBuf;

use anyhow::{Context, Result};
use shopcast_room::activity::draw::{DrawRecord, verify};
use shopcast_room::activity::remote::fetch_draw;
use shopcast_room::bots::parse_room_url;

/// Exit status of a record that does not check out.
pub const EXIT_MISMATCH: u8 = 1;

#[derive(Debug, clap::Subcommand)]
pub enum DrawCmd {
    /// Check that a draw's winners follow from its committed seed.
    Verify(VerifyArgs),
}

/// Where the record comes from: a file, or a room and an activity id.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct RecordSource {
    /// A DrawRecord as JSON (as `GET …/activities/ID/draw` returns it).
    #[arg(long)]
    file: Option<PathBuf>,
    /// The room: http://HOST:PORT/r/ROOM or ws://HOST:PORT/ws/ROOM
    /// (the record is public: no token).
    #[arg(long, requires = "id")]
    room: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    source: RecordSource,
    /// The activity id (with --room).
    #[arg(long, requires = "room")]
    id: Option<String>,
}

pub fn draw(cmd: DrawCmd) -> Result<()> {
    match cmd {
        DrawCmd::Verify(a) => draw_verify(a),
    }
}

fn load(a: VerifyArgs) -> Result<DrawRecord> {
    if let Some(path) = &a.source.file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return serde_json::from_str(&text)
            .with_context(|| format!("{} is not a draw record", path.display()));
    }
    let (Some(room), Some(id)) = (a.source.room, a.id) else {
        anyhow::bail!("give --file RECORD.json, or --room URL with --id ID");
    };
    let (ws_url, _room) = parse_room_url(&room).context("room URL")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(fetch_draw(&ws_url, &id))?)
}

fn draw_verify(a: VerifyArgs) -> Result<()> {
    let record = load(a)?;
    match verify(&record) {
        Ok(()) => {
            println!(
                "ok: {} entrants, winners {}",
                record.entrants.len(),
                if record.winners.is_empty() {
                    "(none)".to_string()
                } else {
                    record.winners.join(", ")
                }
            );
            Ok(())
        }
        Err(e) => {
            eprintln!("draw {} does not verify: {e}", record.activity_id);
            Err(crate::ExitWith(EXIT_MISMATCH).into())
        }
    }
}
