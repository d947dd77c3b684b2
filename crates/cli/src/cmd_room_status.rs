//! `shopcast room status paused|live`: pauses or resumes a room from a
//! script, as the studio's Pause button does. The token (host or admin)
//! comes from `SHOPCAST_TOKEN`, never from the command line.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use shopcast_room::RoomClient;
use shopcast_room::bots::parse_room_url;
use shopcast_room::client::{ClientEvent, recv_until};
use shopcast_room::protocol::{ClientMsg, EventBody, RoomStatus};

/// How long to wait for the room.
const WAIT: Duration = Duration::from_secs(15);

#[derive(Debug, clap::Args)]
pub struct RoomArgs {
    #[command(subcommand)]
    pub cmd: RoomCmd,
}

#[derive(Debug, clap::Subcommand)]
pub enum RoomCmd {
    /// Set the room's status: paused (viewers see "paused") or live.
    Status {
        #[arg(value_enum)]
        status: StatusArg,
        /// The room: http://HOST:PORT/r/ROOM or ws://HOST:PORT/ws/ROOM.
        #[arg(long)]
        room: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusArg {
    Paused,
    Live,
}

impl From<StatusArg> for RoomStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Paused => RoomStatus::Paused,
            StatusArg::Live => RoomStatus::Live,
        }
    }
}

pub fn room(args: RoomArgs) -> Result<()> {
    let RoomCmd::Status { status, room } = args.cmd;
    let token = crate::cmd_lineup::token()?;
    let (ws_url, _room) = parse_room_url(&room).context("room URL")?;
    let want = RoomStatus::from(status);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let (client, mut rx, _) = RoomClient::connect_welcomed(&ws_url, &token, WAIT).await?;
        client.send(ClientMsg::SetStatus { status: want }).await?;
        // The room answers with the status event every viewer gets, or
        // with a refusal (an assistant's or a viewer's token).
        let answer = recv_until(&mut rx, WAIT, |ev| match ev {
            ClientEvent::Event(e) => match &e.body {
                EventBody::RoomStatus { status } if *status == want => Some(Ok(())),
                _ => None,
            },
            ClientEvent::Error { code, message } => Some(Err(format!("{message} ({code:?})"))),
            _ => None,
        })
        .await;
        client.close().await;
        match answer? {
            Ok(()) => {
                println!("{}", want.as_str());
                Ok(())
            }
            Err(refused) => bail!("the room refused: {refused}"),
        }
    })
}
