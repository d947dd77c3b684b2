//! The event log stops taking writes (another process holds SQLite's
//! write lock, as a backup tool or a stray shell can): `/api/health`
//! says so, a gift is refused with a reason instead of being accepted
//! and lost, barrage sent meanwhile is held back rather than shown with
//! a seq a restart would reuse, and once writes work again it all goes
//! out in order.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use shopcast_room::protocol::Role;

const ROOM: &str = "r1";

async fn health(server: &TestServer) -> (u16, Value) {
    http_json("GET", &server.http("/api/health"), None, None).await
}

/// Barrage texts with their seqs from every batch until `until` holds.
async fn barrage_until(
    ws: &mut Ws,
    seen: &mut Vec<(String, u64)>,
    until: impl Fn(&[(String, u64)]) -> bool,
) {
    while !until(seen) {
        let v = wait_json(ws, |v| v["type"] == "batch").await;
        for e in events_of(&v, "barrage") {
            seen.push((
                e["text"].as_str().unwrap_or_default().to_string(),
                e["seq"].as_u64().unwrap_or_default(),
            ));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_writes_fail_nothing_is_accepted_and_lost() {
    let server = start_with(gifting()).await;
    let mut host = joined_as(&server, ROOM, Role::Host, "host").await;
    let mut viewer = joined_as(&server, ROOM, Role::Audience, "v1").await;
    assert_eq!(health(&server).await, (200, Value::String("ok".into())));
    let mut seen = Vec::new();
    send_text(&mut viewer, &json!({"type": "barrage", "text": "before"})).await;
    barrage_until(&mut host, &mut seen, |s| {
        s.iter().any(|(t, _)| t == "before")
    })
    .await;

    // Another connection takes the write lock and keeps it.
    let locker = rusqlite::Connection::open(server.dir.path().join("room.sqlite3")).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    send_text(&mut viewer, &json!({"type": "barrage", "text": "during"})).await;
    let failing = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let (status, body) = health(&server).await;
            if status == 503 {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("health reports the failing store");
    assert_eq!(failing["status"], "degraded", "{failing}");
    assert!(
        failing["store"]["since_ms"].as_u64().unwrap() > 0,
        "{failing}"
    );
    assert!(
        failing["store"]["error"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{failing}"
    );

    // A gift now is refused, with the reason.
    send_text(
        &mut viewer,
        &json!({"type": "gift", "gift_id": "rose", "count": 1}),
    )
    .await;
    let err = wait_json(&mut viewer, |v| v["type"] == "error").await;
    assert_eq!(err["code"], "internal", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("cannot save"),
        "{err}"
    );
    // The unsaved barrage has not gone out (the viewer's refusal came
    // after the failed save, so it would have by now).
    let early = tokio::time::timeout(Duration::from_secs(1), async {
        let mut s = seen.clone();
        barrage_until(&mut host, &mut s, |s| s.iter().any(|(t, _)| t == "during")).await;
    })
    .await;
    assert!(early.is_err(), "a barrage went out before it was saved");

    // Writes work again: the held barrage goes out, in order, and a
    // gift is taken.
    locker.execute_batch("COMMIT").unwrap();
    drop(locker);
    barrage_until(&mut host, &mut seen, |s| {
        s.iter().any(|(t, _)| t == "during")
    })
    .await;
    let seq = |text: &str| seen.iter().find(|(t, _)| t == text).unwrap().1;
    assert_eq!(seq("during"), seq("before") + 1, "{seen:?}");
    tokio::time::timeout(Duration::from_secs(30), async {
        while health(&server).await.0 != 200 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("health is ok again");
    send_text(
        &mut viewer,
        &json!({"type": "gift", "gift_id": "rose", "count": 1}),
    )
    .await;
    wait_json(&mut host, |v| events_of(v, "gift").next().is_some()).await;
}
