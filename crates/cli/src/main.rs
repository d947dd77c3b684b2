//! The `shopcast` command: parse, call the libraries (`shopcast-media`,
//! `-gpu`, `-push`, `-room`), map errors to exit codes. Nothing is
//! decided here that a library does not decide; clap, ctrlc and the log
//! subscriber stay out of the libraries' dependencies.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd_activity;
mod cmd_broadcast;
mod cmd_catalog;
mod cmd_doctor;
mod cmd_draw;
mod cmd_lineup;
mod cmd_push;
mod cmd_report;
mod cmd_room;
mod cmd_room_status;

#[derive(Parser)]
#[command(
    name = "shopcast",
    version,
    about = "Shopcast Studio: live-commerce broadcasting"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List cameras, microphones and speakers, and watch for hot-plug.
    Devices(cmd_broadcast::DevicesArgs),
    /// Check that GStreamer's elements, a GPU adapter and WebKitGTK are
    /// installed, and say what to install if not.
    Doctor(cmd_doctor::DoctorArgs),
    /// Capture, encode, push and record.
    Broadcast(Box<cmd_broadcast::BroadcastArgs>),
    /// Print signed push and play URLs (Tencent Cloud CSS, custom, SRT).
    #[command(subcommand)]
    PushUrl(cmd_push::PushUrlCmd),
    /// Save, list and remove push destinations; keys go to the keychain.
    #[command(subcommand)]
    Dest(cmd_push::DestCmd),
    /// Run the live room server (WebSocket, audience page, REST API).
    RoomServer(cmd_room::RoomServerArgs),
    /// Mint a signed, expiring room token from a server's data folder.
    Token(cmd_room::TokenArgs),
    /// Join a room with simulated viewers (barrage, likes, gifts).
    Audience(cmd_room::AudienceArgs),
    /// Import, export and list the product catalogue (CSV, JSON).
    #[command(subcommand)]
    Catalog(cmd_catalog::CatalogCmd),
    /// Read and change a room's shared product lineup (token from
    /// SHOPCAST_TOKEN).
    Lineup(cmd_lineup::LineupArgs),
    /// Run a room's coupons, flash sales, lucky draws and lucky bags
    /// (token from SHOPCAST_TOKEN).
    Activity(cmd_activity::ActivityArgs),
    /// Check a lucky draw or lucky bag against its published record.
    #[command(subcommand)]
    Draw(cmd_draw::DrawCmd),
    /// A room's sessions and end-of-session reports (token from
    /// SHOPCAST_TOKEN).
    Report(cmd_report::ReportArgs),
    /// Pause or resume a room (token from SHOPCAST_TOKEN).
    Room(cmd_room_status::RoomArgs),
}

/// An exit status a command chose, after it printed why (a refused
/// catalogue file, a lineup conflict, a refused activity, a draw that
/// does not verify).
#[derive(Debug, thiserror::Error)]
#[error("exit status {0}")]
pub struct ExitWith(pub u8);

/// Logs to stderr, filtered by `SHOPCAST_LOG` (default `warn`), as the
/// desktop app does.
fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SHOPCAST_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> ExitCode {
    // SAFETY: the first thing main does, before any thread exists;
    // GStreamer reads these at init.
    let runtime = unsafe { shopcast_studio::apply_bundled_runtime() };
    init_logging();
    for (name, value) in &runtime {
        tracing::info!(%name, value = %value.display(), "bundled GStreamer");
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Devices(a) => cmd_broadcast::devices(a),
        Command::Doctor(a) => cmd_doctor::doctor(a),
        Command::Broadcast(a) => cmd_broadcast::broadcast(*a),
        Command::PushUrl(c) => cmd_push::push_url(c),
        Command::Dest(c) => cmd_push::dest(c),
        Command::RoomServer(a) => cmd_room::room_server(a),
        Command::Token(a) => cmd_room::token(a),
        Command::Audience(a) => cmd_room::audience(a),
        Command::Catalog(c) => cmd_catalog::catalog(c),
        Command::Lineup(a) => cmd_lineup::lineup(a),
        Command::Activity(a) => cmd_activity::activity(a),
        Command::Draw(c) => cmd_draw::draw(c),
        Command::Report(a) => cmd_report::report(a),
        Command::Room(a) => cmd_room_status::room(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The command already said why.
        Err(e) if e.downcast_ref::<ExitWith>().is_some() => {
            ExitCode::from(e.downcast_ref::<ExitWith>().map_or(1, |x| x.0))
        }
        Err(e) => {
            // One line per cause, printed once.
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
