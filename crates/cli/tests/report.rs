//! `shopcast report` against a real room server: a session (live, one
//! order, ended) is listed; its CSV has the server's header (`COLUMNS`)
//! and the order's figures; its JSON parses as a `SessionReport`;
//! `--out` writes the same bytes; viewers and unknown sessions are
//! refused.

mod room_support;

use serde_json::Value;
use shopcast_room::activity::ActionOutcome;
use shopcast_room::client::ClientEvent;
use shopcast_room::protocol::{ClientMsg, EventBody, Role, RoomStatus};
use shopcast_room::report::SessionReport;
use shopcast_room::report::csv::COLUMNS;

use room_support::{PATIENCE, Room, ok, shopcast, text, wait_for};

fn report(room: &Room, token: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["report", "--room", &room.page];
    all.extend_from_slice(args);
    shopcast(&all, Some(token))
}

/// The host sets the room's status and waits to see it applied.
fn set_status(room: &Room, host: &mut room_support::Member, status: RoomStatus) {
    room.rt.block_on(async {
        host.0
            .send(ClientMsg::SetStatus { status })
            .await
            .expect("send");
        wait_for(&mut host.1, |e| {
            matches!(e, ClientEvent::Event(ev)
                if ev.body == EventBody::RoomStatus { status })
        })
        .await;
    });
}

#[test]
fn report_lists_sessions_and_exports_the_servers_csv_and_json() {
    let room = Room::start();
    let host_token = room.token(Role::Host, "host");
    let mut host = room.member(Role::Host, "host");
    set_status(&room, &mut host, RoomStatus::Live);
    room.add_product("tea", 12800, 50);
    let out = room.request(Role::Audience, "v1", |op_id| ClientMsg::Buy {
        op_id,
        goods_id: "tea".into(),
        quantity: 2,
        sale_id: None,
    });
    assert!(matches!(out, ActionOutcome::Done { .. }), "{out:?}");
    set_status(&room, &mut host, RoomStatus::Ended);

    // The session is saved at the room's next tick: poll the list.
    let mut session = None;
    for _ in 0..PATIENCE.as_millis() / 100 {
        let out = ok(report(&room, &host_token, &["--list", "--format", "json"]));
        let v: Value = serde_json::from_str(&out).expect("list is JSON");
        if let Some(s) = v.as_array().and_then(|a| a.first())
            && !s["ended_at"].is_null()
        {
            session = Some(s.clone());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let session = session.expect("the session was never saved as ended");
    let id = session["id"].as_str().expect("id").to_string();
    assert_eq!(session["orders"], 1);
    assert_eq!(session["revenue"]["CNY"], 25600);
    let table = ok(report(&room, &host_token, &["--list"]));
    assert!(table.lines().any(|l| l.starts_with(&id)), "{table}");

    let csv = ok(report(
        &room,
        &host_token,
        &["--session", &id, "--format", "csv"],
    ));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(COLUMNS.join(",").as_str()));
    let row: Vec<&str> = lines
        .find(|l| l.starts_with("tea,"))
        .unwrap_or_else(|| panic!("no tea row: {csv}"))
        .split(',')
        .collect();
    let col = |name: &str| row[COLUMNS.iter().position(|c| *c == name).expect("column")];
    assert_eq!(col("name"), "商品tea");
    assert_eq!(col("orders"), "1");
    assert_eq!(col("units"), "2");
    assert_eq!(col("revenue_minor"), "25600");
    assert_eq!(col("currency"), "CNY");

    let json = ok(report(
        &room,
        &host_token,
        &["--session", &id, "--format", "json"],
    ));
    let r: SessionReport = serde_json::from_str(&json).expect("a SessionReport");
    assert_eq!(r.summary.id, id);
    assert_eq!(r.headline.orders, 1);
    assert_eq!(r.headline.units, 2);
    let tea = r
        .products
        .iter()
        .find(|p| p.goods_id == "tea")
        .expect("tea");
    assert_eq!(tea.units, 2);
    // JSON is the default format.
    let default = ok(report(&room, &host_token, &["--session", &id]));
    assert_eq!(default, json);

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("tea.csv");
    let o = report(
        &room,
        &host_token,
        &[
            "--session",
            &id,
            "--format",
            "csv",
            "--out",
            file.to_str().expect("path"),
        ],
    );
    assert_eq!(ok(o), "", "--out prints nothing");
    let written = std::fs::read_to_string(&file).expect("written");
    assert_eq!(written.trim(), csv);

    // Refusals: a viewer, an unknown session, a list as CSV, no token.
    let viewer = room.token(Role::Audience, "v1");
    let o = report(&room, &viewer, &["--list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("403"), "{}", text(&o.stderr));
    let o = report(&room, &host_token, &["--session", "s1", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no session s1"),
        "{}",
        text(&o.stderr)
    );
    let o = report(&room, &host_token, &["--list", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("--session"), "{}", text(&o.stderr));
    let o = shopcast(&["report", "--room", &room.page, "--list"], None);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("SHOPCAST_TOKEN"),
        "{}",
        text(&o.stderr)
    );
    room.stop();
}
