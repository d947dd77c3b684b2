//! The simulated audience against a real server: it runs, records a
//! trace, and the same seed gives the same trace; a trace replays.

mod common;

use std::time::Duration;

use common::*;
use shopcast_room::bots::{BotsConfig, PlanParams, TokenSource, replay_trace, run_bots};
use shopcast_room::trace::read_trace;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bots_run_record_and_replay_deterministically() {
    let s = start().await;
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
