//! `shopcast lineup`: read and change a room's shared product lineup,
//! for scripts and tests. The token comes from `SHOPCAST_TOKEN`, never
//! from the command line (argv is visible to every user of the machine).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use shopcast_room::bots::parse_room_url;
use shopcast_room::lineup::LineupOp;
use shopcast_room::lineup::remote::{LineupRemote, upload_media};
use shopcast_room::protocol::LineupOutcome;

/// How long to wait for the room.
const WAIT: Duration = Duration::from_secs(15);

/// Exit status of an operation the server refused as a conflict.
pub const EXIT_CONFLICT: u8 = 3;

#[derive(Debug, clap::Args)]
pub struct LineupArgs {
    /// The room: http://HOST:PORT/r/ROOM or ws://HOST:PORT/ws/ROOM.
    #[arg(long)]
    pub room: String,
    /// The studio data folder whose catalogue `add` takes products from.
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub cmd: LineupCmd,
}

#[derive(Debug, clap::Subcommand)]
pub enum LineupCmd {
    /// Print the lineup.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a catalogue product (from --data) with its image.
    Add {
        id: String,
    },
    Remove {
        id: String,
    },
    /// Move a product to a position (0 = top).
    Move {
        id: String,
        pos: u32,
    },
    Pin {
        id: String,
    },
    Unpin {
        id: String,
    },
    /// Show this product's card to every viewer.
    Explain {
        id: String,
    },
    /// Explain the next product.
    Next,
    /// Stop explaining.
    Stop,
    /// Set the stock.
    Stock {
        id: String,
        n: u64,
    },
    /// Set the price, in minor units (fen, cents).
    Price {
        id: String,
        minor: u64,
    },
    SoldOut {
        id: String,
    },
}

/// The room token from `SHOPCAST_TOKEN` (shared by the room
/// subcommands: lineup, activity, draw, report).
pub(crate) fn token() -> Result<String> {
    match std::env::var("SHOPCAST_TOKEN") {
        Ok(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        _ => bail!("set SHOPCAST_TOKEN to a host or assistant token (it is never read from argv)"),
    }
}

pub fn lineup(args: LineupArgs) -> Result<()> {
    let token = token()?;
    let (ws_url, _room) = parse_room_url(&args.room).context("room URL")?;
    // Catalogue reads are blocking; they happen before the runtime.
    let product = match &args.cmd {
        LineupCmd::Add { id } => {
            let data = args
                .data
                .as_ref()
                .context("`add` takes the product from a catalogue: give --data DIR")?;
            let catalog = shopcast_commerce::Catalog::open(data)?;
            let p = catalog.get(id)?.with_context(|| {
                format!("no product {id:?} in the catalogue at {}", data.display())
            })?;
            let thumb = catalog.thumbnail_bytes(&p);
            Some((p, thumb))
        }
        _ => None,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let mut remote = LineupRemote::connect(&ws_url, &token, WAIT).await?;
        let op = match args.cmd {
            LineupCmd::List { json } => {
                print_lineup(remote.snapshot(), json)?;
                remote.close().await;
                return Ok(());
            }
            LineupCmd::Add { .. } => {
                let (p, thumb) = product.context("product")?;
                let image_url = match thumb {
                    Some(bytes) => upload_media(&ws_url, &token, bytes).await?,
                    None => String::new(),
                };
                LineupOp::Add {
                    product: Box::new(shopcast_studio::lineup_snapshot(&p, image_url)),
                }
            }
            LineupCmd::Remove { id } => LineupOp::Remove { goods_id: id },
            LineupCmd::Move { id, pos } => LineupOp::Move {
                goods_id: id,
                to: pos,
            },
            LineupCmd::Pin { id } => LineupOp::Pin {
                goods_id: id,
                pinned: true,
            },
            LineupCmd::Unpin { id } => LineupOp::Pin {
                goods_id: id,
                pinned: false,
            },
            LineupCmd::Explain { id } => LineupOp::Explain { goods_id: id },
            LineupCmd::Next => LineupOp::Next {},
            LineupCmd::Stop => LineupOp::StopExplaining {},
            LineupCmd::Stock { id, n } => LineupOp::SetStock {
                goods_id: id,
                stock: n,
            },
            LineupCmd::Price { id, minor } => LineupOp::SetPrice {
                goods_id: id,
                price: minor,
            },
            LineupCmd::SoldOut { id } => LineupOp::SoldOut { goods_id: id },
        };
        let (version, outcome) = remote.op(op, WAIT).await?;
        remote.close().await;
        match outcome {
            LineupOutcome::Applied => {
                println!("{version}");
                Ok(())
            }
            LineupOutcome::Conflict { reason } => {
                eprintln!("conflict: {reason}");
                Err(crate::ExitWith(EXIT_CONFLICT).into())
            }
            LineupOutcome::Refused { code, reason } => {
                bail!("refused ({code:?}): {reason}")
            }
        }
    })
}

fn print_lineup(l: &shopcast_room::lineup::LineupSnapshot, json: bool) -> Result<()> {
    if json {
        let items: Vec<serde_json::Value> = l
            .items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "goods_id": i.product.goods_id,
                    "name": i.product.name_zh,
                    "name_en": i.product.name_en,
                    "price": i.product.price,
                    "currency": i.product.currency,
                    "stock": i.product.stock,
                    "pinned": i.pinned,
                    "state": i.state.as_str(),
                })
            })
            .collect();
        let out = serde_json::json!({
            "version": l.version,
            "items": items,
            "current": l.current.as_ref().map(|c| c.goods_id.clone()),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("lineup version {}", l.version);
    for (n, i) in l.items.iter().enumerate() {
        let p = &i.product;
        println!(
            "{:>3}. {}{:<20} {:<24} {:>12} {} stock {:<6} {}",
            n,
            if i.pinned { "📌 " } else { "" },
            p.goods_id,
            p.name_zh,
            shopcast_commerce::format_price(p.price, &p.currency, "zh-CN"),
            p.currency,
            p.stock,
            i.state.as_str()
        );
    }
    Ok(())
}
