//! The gift wallet against a real server: a gift the balance does not
//! cover is refused and shows nothing; an admin for every room credits
//! coins (a one-room admin or a viewer cannot); one user spending from
//! two rooms at once never spends more than they have; balances survive
//! a restart.

mod common;

use common::*;
use serde_json::{Value, json};
use shopcast_room::ServerSettings;
use shopcast_room::protocol::Role;

async fn credit(server: &TestServer, token: &str, user: &str, amount: u64) -> (u16, Value) {
    http_json(
        "POST",
        &server.http(&format!("/api/wallets/{user}/credit")),
        Some(token),
        Some(&json!({ "amount": amount })),
    )
    .await
}

fn gift(id: &str, count: u32) -> Value {
    json!({"type": "gift", "gift_id": id, "count": count})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gifts_are_paid_from_a_wallet_the_server_keeps() {
    let mut server = start().await;
    let admin = server.token(Role::Admin, "*", "ops");
    let mut host = joined_as(&server, "r1", Role::Host, "host").await;
    let mut v = joined_as(&server, "r1", Role::Audience, "v1").await;

    // No coins, no gift.
    send_text(&mut v, &gift("rose", 1)).await;
    let err = wait_json(&mut v, |m| m["type"] == "error").await;
    assert_eq!(err["code"], "insufficient_balance", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("you have 0"),
        "{err}"
    );

    // Only an admin for every room adds coins.
    let room_admin = server.token(Role::Admin, "r1", "r1-ops");
    assert_eq!(credit(&server, &room_admin, "v1", 25).await.0, 403);
    let viewer = server.token(Role::Audience, "r1", "v1");
    assert_eq!(credit(&server, &viewer, "v1", 25).await.0, 403);
    assert_eq!(credit(&server, &admin, "v1", 0).await.0, 400);
    let (status, body) = credit(&server, &admin, "v1", 25).await;
    assert_eq!((status, &body["balance"]), (200, &json!(25)), "{body}");

    // 2 hearts (20 coins) go through; one more (10) does not.
    send_text(&mut v, &gift("heart", 2)).await;
    let seen = wait_json(&mut host, |m| events_of(m, "gift").next().is_some()).await;
    let g = events_of(&seen, "gift").next().unwrap();
    assert_eq!(
        (g["gift_id"].as_str(), g["count"].as_u64()),
        (Some("heart"), Some(2)),
        "{g}"
    );
    send_text(&mut v, &gift("heart", 1)).await;
    let err = wait_json(&mut v, |m| m["type"] == "error").await;
    assert_eq!(err["code"], "insufficient_balance", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("you have 5"),
        "{err}"
    );

    // The same user in two rooms at once: 100 coins, 20 hearts asked
    // for, exactly 10 paid.
    let (_, body) = credit(&server, &admin, "v1", 95).await;
    assert_eq!(body["balance"], 100, "{body}");
    let mut other = joined_as(&server, "r2", Role::Audience, "v1").await;
    for _ in 0..10 {
        send_text(&mut v, &gift("heart", 1)).await;
        send_text(&mut other, &gift("heart", 1)).await;
    }
    let mut refused = 0;
    let mut answered = 0;
    // Every gift gets an answer: an error, or (later) nothing; count
    // the refusals until the balance reads 0 through a credit of 1.
    for ws in [&mut v, &mut other] {
        while let Some(m) = tokio::time::timeout(std::time::Duration::from_secs(2), next_json(ws))
            .await
            .ok()
            .flatten()
        {
            if m["type"] == "error" {
                assert_eq!(m["code"], "insufficient_balance", "{m}");
                refused += 1;
            }
            answered += 1;
        }
    }
    assert!(answered > 0);
    assert_eq!(refused, 10, "20 asked, 10 paid");
    let (_, body) = credit(&server, &admin, "v1", 1).await;
    assert_eq!(body["balance"], 1, "nothing overspent: {body}");

    // A restart keeps the balance.
    drop((v, other, host));
    let addr = server.addr;
    server.stop().await;
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let server = start_in(dir, addr, test_settings()).await;
    let (_, body) = credit(&server, &admin, "v1", 1).await;
    assert_eq!(body["balance"], 2, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_welcome_balance_is_given_once() {
    let server = start_with(ServerSettings {
        welcome_balance: 15,
        ..test_settings()
    })
    .await;
    let mut v = joined_as(&server, "r1", Role::Audience, "new").await;
    send_text(&mut v, &gift("heart", 1)).await;
    send_text(&mut v, &gift("heart", 1)).await;
    let err = wait_json(&mut v, |m| m["type"] == "error").await;
    assert!(
        err["message"].as_str().unwrap().contains("you have 5"),
        "{err}"
    );
    // Coming back does not refill it.
    drop(v);
    let mut again = joined_as(&server, "r1", Role::Audience, "new").await;
    send_text(&mut again, &gift("heart", 1)).await;
    let err = wait_json(&mut again, |m| m["type"] == "error").await;
    assert!(
        err["message"].as_str().unwrap().contains("you have 5"),
        "{err}"
    );
}
