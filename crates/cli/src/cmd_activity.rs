//! `shopcast activity`: list, create and end a room's marketing
//! activities (coupons, flash sales, lucky draws, lucky bags). The CLI
//! only turns flags into an [`ActivitySpec`]; every limit and rule is
//! the server's, and a refusal prints the server's reason. The token
//! comes from `SHOPCAST_TOKEN`, never from argv.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use shopcast_room::activity::remote::{ActivityRemote, fetch_activities};
use shopcast_room::activity::{
    ActionOutcome, Activity, ActivityOp, ActivitySpec, BagCondition, CouponSpec, Discount,
    DrawSpec, FlashSaleSpec, LuckyBagSpec,
};
use shopcast_room::bots::parse_room_url;
use shopcast_room::protocol::{ClientMsg, ErrorCode};

use crate::cmd_lineup::{EXIT_CONFLICT, token};

/// How long to wait for the room.
const WAIT: Duration = Duration::from_secs(15);

/// Exit status of a request the server refused for any other reason
/// (invalid, forbidden, not found, limit).
pub const EXIT_REFUSED: u8 = 1;

#[derive(Debug, clap::Args)]
pub struct ActivityArgs {
    /// The room: http://HOST:PORT/r/ROOM or ws://HOST:PORT/ws/ROOM.
    #[arg(long)]
    pub room: String,
    #[command(subcommand)]
    pub cmd: ActivityCmd,
}

#[derive(Debug, clap::Subcommand)]
pub enum ActivityCmd {
    /// Print the running and the newest ended activities with their
    /// counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Start a coupon viewers can claim.
    Coupon(CouponArgs),
    /// Start a flash sale on a product in the lineup.
    FlashSale(FlashSaleArgs),
    /// Start a keyword lucky draw (barrage containing the keyword
    /// enters its sender).
    Draw(DrawArgs),
    /// Start a lucky bag (follow-and-join, or a barrage keyword).
    Bag(BagArgs),
    /// End an activity now (a draw or bag draws over its entries).
    End { id: String },
}

/// What a coupon takes off: exactly one of the two.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct DiscountArgs {
    /// A fixed amount off, minor units (fen, cents).
    #[arg(long)]
    amount: Option<u64>,
    /// A percentage off, 1-100.
    #[arg(long)]
    percent: Option<u32>,
}

#[derive(Debug, clap::Args)]
pub struct CouponArgs {
    #[arg(long)]
    title: String,
    #[command(flatten)]
    discount: DiscountArgs,
    /// Smallest order it applies to, minor units (0 = any).
    #[arg(long, default_value_t = 0)]
    min_spend: u64,
    /// ISO 4217 code of the amount and the minimum (CNY, USD).
    #[arg(long)]
    currency: String,
    /// How many coupons there are.
    #[arg(long)]
    quantity: u32,
    /// How many one viewer may claim.
    #[arg(long, default_value_t = 1)]
    per_user: u32,
    /// Seconds it can be claimed for.
    #[arg(long = "duration", value_name = "SECS")]
    duration_secs: u64,
    /// The product (in the lineup) it is for.
    #[arg(long)]
    goods: Option<String>,
    /// Let muted viewers claim it too.
    #[arg(long)]
    allow_muted: bool,
}

#[derive(Debug, clap::Args)]
pub struct FlashSaleArgs {
    /// A product in the lineup.
    #[arg(long)]
    goods: String,
    /// The sale price, minor units of the product's currency.
    #[arg(long)]
    price: u64,
    /// Units on sale (at most the product's stock).
    #[arg(long)]
    quantity: u32,
    /// Units one viewer may buy.
    #[arg(long, default_value_t = 1)]
    per_user: u32,
    /// The countdown, seconds.
    #[arg(long = "duration", value_name = "SECS")]
    duration_secs: u64,
}

#[derive(Debug, clap::Args)]
pub struct DrawArgs {
    #[arg(long)]
    prize: String,
    /// Barrage containing it (ignoring case) enters its sender.
    #[arg(long)]
    keyword: String,
    #[arg(long)]
    winners: u32,
    /// The entry window, seconds; the draw runs when it closes.
    #[arg(long = "duration", value_name = "SECS")]
    duration_secs: u64,
    /// Let muted viewers enter and win.
    #[arg(long)]
    allow_muted: bool,
}

/// How a viewer joins a lucky bag: exactly one of the two.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct BagConditionArgs {
    /// Follow the host, then press join.
    #[arg(long)]
    follow: bool,
    /// Send this keyword in barrage.
    #[arg(long)]
    keyword: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct BagArgs {
    #[arg(long)]
    prize: String,
    /// Money shared by the winners, minor units (0 for a prize that is
    /// not money).
    #[arg(long, default_value_t = 0)]
    pool: u64,
    /// ISO 4217 code of the pool.
    #[arg(long)]
    currency: String,
    #[arg(long)]
    winners: u32,
    /// The entry window, seconds.
    #[arg(long = "duration", value_name = "SECS")]
    duration_secs: u64,
    #[command(flatten)]
    condition: BagConditionArgs,
    /// Let muted viewers enter and win.
    #[arg(long)]
    allow_muted: bool,
}

impl CouponArgs {
    fn spec(self) -> Result<ActivitySpec> {
        let discount = match (self.discount.amount, self.discount.percent) {
            (Some(minor), _) => Discount::Amount { minor },
            (None, Some(percent)) => Discount::Percent { percent },
            // clap's group already asks for one; kept for callers
            // that build the args by hand.
            (None, None) => bail!("give --amount or --percent"),
        };
        Ok(ActivitySpec::Coupon(CouponSpec {
            title: self.title,
            discount,
            min_spend: self.min_spend,
            currency: self.currency,
            quantity: self.quantity,
            per_user: self.per_user,
            duration_secs: self.duration_secs,
            goods_id: self.goods,
            exclude_muted: !self.allow_muted,
        }))
    }
}

impl BagArgs {
    fn spec(self) -> ActivitySpec {
        let condition = match self.condition.keyword {
            Some(keyword) => BagCondition::Keyword { keyword },
            None => BagCondition::Follow,
        };
        ActivitySpec::LuckyBag(LuckyBagSpec {
            prize: self.prize,
            pool: self.pool,
            currency: self.currency,
            winners: self.winners,
            duration_secs: self.duration_secs,
            condition,
            exclude_muted: !self.allow_muted,
        })
    }
}

/// The operation a create or end subcommand asks for; `None` for `list`.
fn op_of(cmd: ActivityCmd) -> Result<Option<ActivityOp>> {
    let spec = match cmd {
        ActivityCmd::List { .. } => return Ok(None),
        ActivityCmd::End { id } => return Ok(Some(ActivityOp::End { activity_id: id })),
        ActivityCmd::Coupon(a) => a.spec()?,
        ActivityCmd::FlashSale(a) => ActivitySpec::FlashSale(FlashSaleSpec {
            goods_id: a.goods,
            price: a.price,
            quantity: a.quantity,
            per_user: a.per_user,
            duration_secs: a.duration_secs,
        }),
        ActivityCmd::Draw(a) => ActivitySpec::Draw(DrawSpec {
            prize: a.prize,
            keyword: a.keyword,
            winners: a.winners,
            duration_secs: a.duration_secs,
            exclude_muted: !a.allow_muted,
        }),
        ActivityCmd::Bag(a) => a.spec(),
    };
    Ok(Some(ActivityOp::Create { spec }))
}

/// The wire name of an error code (`invalid_argument`), as scripts and
/// the protocol docs spell it.
fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{code:?}"))
}

pub fn activity(args: ActivityArgs) -> Result<()> {
    let token = token()?;
    let (ws_url, _room) = parse_room_url(&args.room).context("room URL")?;
    let list_json = match &args.cmd {
        ActivityCmd::List { json } => Some(*json),
        _ => None,
    };
    let op = op_of(args.cmd)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let Some(op) = op else {
            // A REST read: listing does not join the room (and so does
            // not show up in its online count).
            let acts = fetch_activities(&ws_url, &token).await?;
            return print_activities(&acts, list_json.unwrap_or(false));
        };
        let mut remote = ActivityRemote::connect(&ws_url, &token, WAIT).await?;
        let outcome = remote
            .send(|op_id| ClientMsg::Activity { op_id, op }, WAIT)
            .await;
        remote.close().await;
        match outcome? {
            ActionOutcome::Done { activity_id, .. } => {
                println!("{}", activity_id.unwrap_or_default());
                Ok(())
            }
            ActionOutcome::Refused { code, reason } => {
                let exit = if code == ErrorCode::Conflict {
                    EXIT_CONFLICT
                } else {
                    EXIT_REFUSED
                };
                eprintln!("refused ({}): {reason}", code_name(code));
                Err(crate::ExitWith(exit).into())
            }
        }
    })
}

/// What the table's "what" column shows for an activity.
fn describe(spec: &ActivitySpec) -> String {
    match spec {
        ActivitySpec::Coupon(c) => {
            let off = match c.discount {
                Discount::Amount { minor } => {
                    shopcast_commerce::format_price(minor, &c.currency, "zh-CN")
                }
                Discount::Percent { percent } => format!("{percent}%"),
            };
            format!("{} (-{off})", c.title)
        }
        ActivitySpec::FlashSale(f) => format!("{} at {}", f.goods_id, f.price),
        ActivitySpec::Draw(d) => format!("{} [{}]", d.prize, d.keyword),
        ActivitySpec::LuckyBag(b) => match &b.condition {
            BagCondition::Follow => format!("{} [follow]", b.prize),
            BagCondition::Keyword { keyword } => format!("{} [{keyword}]", b.prize),
        },
    }
}

fn print_activities(acts: &[Activity], json: bool) -> Result<()> {
    if json {
        // The server's own shape, so scripts see what clients see.
        println!("{}", serde_json::to_string_pretty(acts)?);
        return Ok(());
    }
    let now = shopcast_room::token::now_ms();
    println!(
        "{:<6} {:<10} {:<28} {:>7} {:>7} {:>9}  state",
        "id", "kind", "what", "taken", "people", "remaining"
    );
    for a in acts {
        let state = if a.is_running() {
            format!("running, {} s left", a.ends_at.saturating_sub(now) / 1000)
        } else {
            let why = a
                .end_reason
                .and_then(|r| serde_json::to_value(r).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let winners: Vec<&str> = a.winners.iter().map(|w| w.nick.as_str()).collect();
            if a.spec.draws() && winners.is_empty() {
                format!("ended ({why}), no winners")
            } else if a.spec.draws() {
                format!("ended ({why}), winners: {}", winners.join(", "))
            } else {
                format!("ended ({why})")
            }
        };
        println!(
            "{:<6} {:<10} {:<28} {:>7} {:>7} {:>9}  {state}",
            a.id,
            a.spec.kind(),
            describe(&a.spec),
            a.taken,
            a.people,
            a.remaining
                .map(|r| r.to_string())
                .unwrap_or_else(|| "-".into()),
        );
    }
    Ok(())
}
