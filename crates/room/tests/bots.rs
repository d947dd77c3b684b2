//! The simulated audience against a real server: it runs, records a
//! trace, and the same seed gives the same trace; a trace replays; bots
//! take part in activities and the server counts them.

mod common;

use std::time::Duration;

use common::*;
use shopcast_room::activity::remote::{ActivityRemote, fetch_activities};
use shopcast_room::activity::{
    ActionOutcome, Activity, ActivityOp, ActivitySpec, CouponSpec, Discount, DrawSpec,
    FlashSaleSpec,
};
use shopcast_room::bots::{BotsConfig, PlanParams, TokenSource, replay_trace, run_bots};
use shopcast_room::lineup::remote::LineupRemote;
use shopcast_room::lineup::{LineupOp, ProductSnapshot};
use shopcast_room::protocol::{ClientMsg, LineupOutcome, Role};
use shopcast_room::trace::{BotAction, read_trace};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bots_run_record_and_replay_deterministically() {
    let s = start_with(gifting()).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = |room: &str, record: Option<std::path::PathBuf>| BotsConfig {
        ws_url: s.ws_url(room),
        tokens: TokenSource::Signer {
            signer: s.signer.clone(),
            room: room.into(),
        },
        params: PlanParams::new(6, 6.0, 6.0),
        seed: 11,
        duration: Some(Duration::from_millis(2500)),
        record,
    };
    let (t1, t2) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    let r1 = run_bots(cfg("r1", Some(t1.clone())), CancellationToken::new())
        .await
        .unwrap();
    assert!(r1.joins >= 6, "{r1:?}");
    assert!(r1.barrage > 0 && r1.gift_hits > 0, "{r1:?}");
    assert!(r1.events_received > 0, "bots hear the room: {r1:?}");

    // Same seed, same trace.
    let r2 = run_bots(cfg("r2", Some(t2.clone())), CancellationToken::new())
        .await
        .unwrap();
    let (h1, e1) = read_trace(&t1).unwrap();
    let (h2, e2) = read_trace(&t2).unwrap();
    assert_eq!(h1, h2);
    assert_eq!(e1, e2);
    assert_eq!(
        (r1.barrage, r1.gift_hits, r1.likes, r1.joins),
        (r2.barrage, r2.gift_hits, r2.likes, r2.joins)
    );

    // Replay does the same actions again.
    let tokens = TokenSource::Signer {
        signer: s.signer.clone(),
        room: "r3".into(),
    };
    let r3 = replay_trace(&t1, &s.ws_url("r3"), &tokens, CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(
        (
            r3.barrage,
            r3.gift_hits,
            r3.likes,
            r3.purchases,
            r3.joins,
            r3.leaves
        ),
        (
            r1.barrage,
            r1.gift_hits,
            r1.likes,
            r1.purchases,
            r1.joins,
            r1.leaves
        )
    );
}

const BOTS: u32 = 5;

fn product(goods_id: &str) -> LineupOp {
    LineupOp::Add {
        product: Box::new(ProductSnapshot {
            goods_id: goods_id.into(),
            name_zh: "茶".into(),
            name_en: "Tea".into(),
            price: 2000,
            list_price: None,
            currency: "CNY".into(),
            stock: 50,
            image_url: String::new(),
            link: String::new(),
        }),
    }
}

fn coupon() -> ActivitySpec {
    ActivitySpec::Coupon(CouponSpec {
        title: "5 off".into(),
        discount: Discount::Amount { minor: 500 },
        min_spend: 0,
        currency: "CNY".into(),
        quantity: 20,
        per_user: 1,
        // Bots answer within the first 60% of a window.
        duration_secs: 8,
        goods_id: None,
        exclude_muted: true,
    })
}

fn sale(goods_id: &str) -> ActivitySpec {
    ActivitySpec::FlashSale(FlashSaleSpec {
        goods_id: goods_id.into(),
        price: 990,
        quantity: 20,
        per_user: 1,
        duration_secs: 8,
    })
}

/// A host that sets up a room: a product in the lineup, activities.
struct Host {
    lineup: LineupRemote,
    acts: ActivityRemote,
}

impl Host {
    async fn join(s: &TestServer, room: &str, goods_id: &str) -> Self {
        let (ws, token) = (s.ws_url(room), s.token(Role::Host, room, "host"));
        let mut lineup = LineupRemote::connect(&ws, &token, PATIENCE).await.unwrap();
        let acts = ActivityRemote::connect(&ws, &token, PATIENCE)
            .await
            .unwrap();
        let (_, out) = lineup.op(product(goods_id), PATIENCE).await.unwrap();
        assert_eq!(out, LineupOutcome::Applied);
        Self { lineup, acts }
    }

    async fn create(&mut self, spec: ActivitySpec) -> String {
        let out = self
            .acts
            .send(
                |op_id| ClientMsg::Activity {
                    op_id,
                    op: ActivityOp::Create { spec },
                },
                PATIENCE,
            )
            .await
            .unwrap();
        match out {
            ActionOutcome::Done {
                activity_id: Some(id),
                ..
            } => id,
            other => panic!("not created: {other:?}"),
        }
    }
}

/// Polls the room's activities (REST, as any viewer may read them)
/// until `done` holds for them.
async fn activities_until(
    s: &TestServer,
    room: &str,
    what: &str,
    done: impl Fn(&[Activity]) -> bool,
) -> Vec<Activity> {
    let token = s.token(Role::Audience, room, "watcher");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let acts = fetch_activities(&s.ws_url(room), &token).await.unwrap();
        if done(&acts) {
            return acts;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {acts:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn get<'a>(acts: &'a [Activity], id: &str) -> &'a Activity {
    acts.iter().find(|a| a.id == id).expect("activity listed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bot_claims_buys_and_enters_and_a_replay_does_it_again() {
    const TEA: &str = "tea";
    let s = start_with(gifting()).await;
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("acts.jsonl");

    // A coupon and a flash sale the bots find in their welcome.
    let mut host = Host::join(&s, "acts", TEA).await;
    let coupon_id = host.create(coupon()).await;
    let sale_id = host.create(sale(TEA)).await;

    let mut params = PlanParams::new(BOTS, 1.0, 0.0).with_activities(1.0, 1.0);
    // Everyone stays, and buys only in the sale, so the counts are exact.
    params.churn_per_s = 0.0;
    params.purchases_per_s = 0.0;
    let cfg = |room: &str| BotsConfig {
        ws_url: s.ws_url(room),
        tokens: TokenSource::Signer {
            signer: s.signer.clone(),
            room: room.into(),
        },
        params: params.clone(),
        seed: 5,
        duration: None,
        record: Some(trace.clone()),
    };
    let cancel = CancellationToken::new();
    let bots = tokio::spawn(run_bots(cfg("acts"), cancel.clone()));

    // Once every bot is in, a draw they see start, and a product
    // explained: each bot looks at its card.
    let online_url = s.http("/api/rooms/acts/online");
    let host_token = s.token(Role::Host, "acts", "host");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let (_, v) = http_json("GET", &online_url, Some(&host_token), None).await;
        let bots_in = v["audience"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|u| u["id"].as_str().is_some_and(|id| id.starts_with("bot_")))
            .count();
        if bots_in == BOTS as usize {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "bots joining: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let draw_id = host
        .create(ActivitySpec::Draw(DrawSpec {
            prize: "A teapot".into(),
            keyword: "teapot888".into(),
            winners: 2,
            duration_secs: 6,
            exclude_muted: true,
        }))
        .await;
    let (_, out) = host
        .lineup
        .op(
            LineupOp::Explain {
                goods_id: TEA.into(),
            },
            PATIENCE,
        )
        .await
        .unwrap();
    assert_eq!(out, LineupOutcome::Applied);

    // The server counts one claim, one unit and one entry per bot; the
    // draw ends on time and picks its winners among them.
    let acts = activities_until(&s, "acts", "every bot to take part", |acts| {
        let (c, f, d) = (
            get(acts, &coupon_id),
            get(acts, &sale_id),
            get(acts, &draw_id),
        );
        c.taken == BOTS && f.taken == BOTS && !d.is_running()
    })
    .await;
    cancel.cancel();
    let report = bots.await.unwrap().unwrap();
    let (c, f, d) = (
        get(&acts, &coupon_id),
        get(&acts, &sale_id),
        get(&acts, &draw_id),
    );
    assert_eq!((c.people, c.remaining), (BOTS, Some(20 - BOTS)), "{c:?}");
    assert_eq!((f.people, f.remaining), (BOTS, Some(20 - BOTS)), "{f:?}");
    assert_eq!(d.people, BOTS, "every bot entered by keyword: {d:?}");
    assert_eq!(d.winners.len(), 2, "{d:?}");
    assert!(d.winners.iter().all(|w| w.user_id.starts_with("bot_")));
    assert!(d.seed.is_some());

    assert_eq!(
        (report.claims, report.sale_buys),
        (BOTS.into(), BOTS.into()),
        "{report:?}"
    );
    assert!(report.entries >= BOTS.into(), "{report:?}");
    assert!(
        report.card_views >= BOTS.into(),
        "a card per bot: {report:?}"
    );
    assert!(report.claims_accepted <= report.claims, "{report:?}");
    assert!(
        report.claims_accepted + report.purchases_accepted > 0,
        "{report:?}"
    );
    assert_eq!(
        report.errors_received, 0,
        "the server refused something: {report:?}"
    );

    // The trace holds the reactions; replayed into a room whose ids
    // differ (the sale is a1 there, the coupon a2), they find the
    // activity of their kind.
    let (_, entries) = read_trace(&trace).unwrap();
    let sent = |f: &dyn Fn(&ClientMsg) -> bool| {
        entries
            .iter()
            .filter(|e| matches!(&e.action, BotAction::Send { msg } if f(msg)))
            .count()
    };
    assert_eq!(
        sent(&|m| matches!(m, ClientMsg::Claim { .. })),
        BOTS as usize
    );
    assert_eq!(
        sent(&|m| matches!(
            m,
            ClientMsg::Buy {
                sale_id: Some(_),
                ..
            }
        )),
        BOTS as usize
    );
    let mut other = Host::join(&s, "again", TEA).await;
    let sale_b = other.create(sale(TEA)).await;
    let coupon_b = other.create(coupon()).await;
    assert_eq!((sale_b.as_str(), coupon_b.as_str()), ("a1", "a2"));
    assert_eq!((coupon_id.as_str(), sale_id.as_str()), ("a1", "a2"));
    let tokens = TokenSource::Signer {
        signer: s.signer.clone(),
        room: "again".into(),
    };
    let replay = tokio::spawn({
        let ws = s.ws_url("again");
        let trace = trace.clone();
        async move { replay_trace(&trace, &ws, &tokens, CancellationToken::new()).await }
    });
    let acts = activities_until(&s, "again", "the replay to claim and buy", |acts| {
        get(acts, &coupon_b).taken == BOTS && get(acts, &sale_b).taken == BOTS
    })
    .await;
    assert_eq!(get(&acts, &coupon_b).people, BOTS);
    let r = replay.await.unwrap().unwrap();
    assert_eq!((r.claims, r.sale_buys), (BOTS.into(), BOTS.into()), "{r:?}");
    host.acts.close().await;
    other.acts.close().await;
}
