//! `shopcast activity` and `shopcast draw verify` against a real room
//! server: every kind of activity is created from the command line and
//! seen (with the server's counts) in `activity list --json`; refusals
//! exit non-zero with the server's reason (3 for a conflict); a real
//! draw verifies and the same record, tampered with, does not.

mod room_support;

use serde_json::Value;
use shopcast_room::activity::ActionOutcome;
use shopcast_room::activity::draw::DrawRecord;
use shopcast_room::protocol::{ClientMsg, Role};

use room_support::{Member, PATIENCE, Room, ok, shopcast, text};

fn activity(room: &Room, token: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["activity", "--room", &room.ws];
    all.extend_from_slice(args);
    shopcast(&all, Some(token))
}

/// `activity` with its arguments as one line (none has a space).
fn act(room: &Room, token: &str, line: &str) -> std::process::Output {
    activity(room, token, &line.split_whitespace().collect::<Vec<_>>())
}

fn list(room: &Room, token: &str) -> Vec<Value> {
    let out = ok(act(room, token, "list --json"));
    let v: Value = serde_json::from_str(&out).expect("list --json is JSON");
    v.as_array().expect("an array").clone()
}

fn by_id<'a>(acts: &'a [Value], id: &str) -> &'a Value {
    acts.iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed: {acts:?}"))
}

#[test]
fn every_kind_of_activity_is_created_listed_and_ended_from_the_cli() {
    let room = Room::start();
    room.add_product("tea", 12800, 50);
    let host = room.token(Role::Host, "host");
    let asst = room.token(Role::Assistant, "asst");
    let run = |token: &str, line: &str| ok(act(&room, token, line));

    let coupon = run(
        &host,
        "coupon --title 新人券 --amount 500 --min-spend 5000 --currency CNY --quantity 100 --duration 600",
    );
    let percent = run(
        &asst,
        "coupon --title 龙井九折 --percent 10 --currency CNY --quantity 20 --per-user 2 \
         --duration 600 --goods tea --allow-muted",
    );
    let sale = run(
        &host,
        "flash-sale --goods tea --price 9900 --quantity 10 --per-user 2 --duration 600",
    );
    let draw = run(
        &host,
        "draw --prize 龙井礼盒 --keyword 666 --winners 3 --duration 600",
    );
    let follow_bag = run(
        &asst,
        "bag --prize 红包 --pool 10000 --currency CNY --winners 5 --duration 600 --follow",
    );
    let keyword_bag = run(
        &host,
        "bag --prize 神秘礼盒 --currency CNY --winners 1 --duration 600 --keyword box \
         --allow-muted",
    );
    let ids = [&coupon, &percent, &sale, &draw, &follow_bag, &keyword_bag];
    for id in ids {
        assert!(id.starts_with('a'), "an activity id, not {id:?}");
    }

    // A viewer buys in the sale: the list carries the server's counts.
    let out = room.request(Role::Audience, "v1", |op_id| ClientMsg::Buy {
        op_id,
        goods_id: "tea".into(),
        quantity: 2,
        sale_id: Some(sale.clone()),
    });
    assert!(matches!(out, ActionOutcome::Done { .. }), "{out:?}");

    let acts = list(&room, &host);
    assert_eq!(acts.len(), 6, "{acts:#?}");
    let kinds: Vec<&str> = ids
        .iter()
        .map(|id| by_id(&acts, id)["spec"]["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        [
            "coupon",
            "coupon",
            "flash_sale",
            "draw",
            "lucky_bag",
            "lucky_bag"
        ]
    );
    for id in ids {
        assert_eq!(by_id(&acts, id)["phase"], "running", "{id}");
    }
    let c = &by_id(&acts, &coupon)["spec"];
    assert_eq!(
        c["discount"],
        serde_json::json!({"type": "amount", "minor": 500})
    );
    assert_eq!(c["min_spend"], 5000);
    assert_eq!(c["exclude_muted"], true);
    assert_eq!(by_id(&acts, &coupon)["remaining"], 100);
    let p = &by_id(&acts, &percent)["spec"];
    assert_eq!(
        p["discount"],
        serde_json::json!({"type": "percent", "percent": 10})
    );
    assert_eq!(p["goods_id"], "tea");
    assert_eq!(p["per_user"], 2);
    assert_eq!(p["exclude_muted"], false);
    let s = by_id(&acts, &sale);
    assert_eq!(s["spec"]["price"], 9900);
    assert_eq!(s["taken"], 2);
    assert_eq!(s["people"], 1);
    assert_eq!(s["remaining"], 8);
    let d = by_id(&acts, &draw);
    assert_eq!(d["spec"]["keyword"], "666");
    assert_eq!(d["spec"]["winners"], 3);
    assert!(d["commitment"].as_str().is_some_and(|c| c.len() == 64));
    assert!(d["seed"].is_null(), "the seed stays secret until the draw");
    assert_eq!(
        by_id(&acts, &follow_bag)["spec"]["condition"],
        serde_json::json!({"type": "follow"})
    );
    assert_eq!(by_id(&acts, &follow_bag)["spec"]["pool"], 10000);
    assert_eq!(
        by_id(&acts, &keyword_bag)["spec"]["condition"],
        serde_json::json!({"type": "keyword", "keyword": "box"})
    );

    // The table names each one.
    let table = ok(act(&room, &host, "list"));
    for id in ids {
        assert!(table.contains(id.as_str()), "{table}");
    }
    assert!(table.contains("flash_sale"), "{table}");

    // Ending prints the id; the list shows it ended by hand, with its
    // seed published.
    assert_eq!(run(&asst, &format!("end {draw}")), draw);
    let acts = list(&room, &host);
    let d = by_id(&acts, &draw);
    assert_eq!(d["phase"], "ended");
    assert_eq!(d["end_reason"], "manual");
    assert!(d["seed"].as_str().is_some_and(|s| s.len() == 64));
    room.stop();
}

#[test]
fn refused_activities_exit_non_zero_with_the_servers_reason() {
    let room = Room::start();
    room.add_product("tea", 12800, 50);
    let host = room.token(Role::Host, "host");
    let viewer = room.token(Role::Audience, "v1");

    let o = act(
        &room,
        &host,
        "draw --prize p --keyword k --winners 0 --duration 60",
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("invalid_argument"), "{err}");
    assert!(err.contains("winners must be 1-100"), "{err}");

    let o = act(
        &room,
        &host,
        "flash-sale --goods nope --price 1 --quantity 1 --duration 60",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("nope is not in the lineup"),
        "{}",
        text(&o.stderr)
    );

    // A second sale on the same product is a conflict: exit 3.
    let sale = "flash-sale --goods tea --price 1 --quantity 1 --duration 60";
    let first = ok(act(&room, &host, sale));
    let o = act(&room, &host, sale);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(&format!("flash sale {first} is already running on tea")),
        "{}",
        text(&o.stderr)
    );

    // A bad currency, an unknown id, an ended activity.
    let o = act(
        &room,
        &host,
        "coupon --title t --amount 1 --currency yuan --quantity 1 --duration 60",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("ISO 4217"), "{}", text(&o.stderr));
    let o = act(&room, &host, "end a99");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no activity a99"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(ok(activity(&room, &host, &["end", &first])), first);
    let o = activity(&room, &host, &["end", &first]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("already ended"),
        "{}",
        text(&o.stderr)
    );

    // A viewer may list but not create.
    let o = act(
        &room,
        &viewer,
        "draw --prize p --keyword k --winners 1 --duration 60",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("forbidden"), "{}", text(&o.stderr));
    // clap refuses a coupon with two discounts before anything is sent.
    let o = act(
        &room,
        &host,
        "coupon --title t --amount 1 --percent 5 --currency CNY --quantity 1 --duration 60",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    // No token: told where it comes from.
    let o = shopcast(&["activity", "--room", &room.page, "list"], None);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("SHOPCAST_TOKEN"),
        "{}",
        text(&o.stderr)
    );

    // Nothing refused was created: only the one sale, now ended.
    let acts = list(&room, &viewer);
    assert_eq!(acts.len(), 1, "{acts:#?}");
    assert_eq!(acts[0]["id"], first.as_str());
    assert_eq!(acts[0]["phase"], "ended");
    room.stop();
}

/// Starts a 1-second draw, has the members send its keyword and waits
/// (polling the list) until the server has drawn it.
fn short_draw(room: &Room, host: &str, keyword: &str, members: &[Member]) -> String {
    let id = ok(activity(
        room,
        host,
        &[
            "draw",
            "--prize",
            "茶",
            "--keyword",
            keyword,
            "--winners",
            "3",
            "--duration",
            "1",
        ],
    ));
    room.rt.block_on(async {
        for (m, _) in members {
            m.send(ClientMsg::Barrage {
                text: format!("{keyword}!"),
            })
            .await
            .expect("barrage");
        }
    });
    // The entry window is the server's; the test only waits for it.
    let polls = PATIENCE.as_millis() / 100;
    for _ in 0..polls {
        if by_id(&list(room, host), &id)["phase"] == "ended" {
            return id;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("draw {id} did not end");
}

#[test]
fn draw_verify_passes_a_real_draw_and_fails_a_tampered_record() {
    let room = Room::start();
    let host = room.token(Role::Host, "host");
    let members: Vec<_> = (0..5)
        .map(|i| room.member(Role::Audience, &format!("v{i}")))
        .collect();
    // A busy machine may let the 1 s window close before the barrage
    // arrives; a draw with fewer than two winners cannot show a swap,
    // so it is run again with a fresh keyword.
    let mut record = None;
    for attempt in 0..5 {
        let id = short_draw(&room, &host, &format!("lucky{attempt}"), &members);
        let r: DrawRecord = room
            .rt
            .block_on(shopcast_room::activity::remote::fetch_draw(&room.ws, &id))
            .expect("draw record");
        if r.winners.len() >= 2 {
            record = Some(r);
            break;
        }
    }
    let record = record.expect("no draw got two entrants in five tries");
    assert_eq!(record.wanted, 3);

    let dir = tempfile::tempdir().expect("dir");
    let write = |name: &str, r: &DrawRecord| {
        let p = dir.path().join(name);
        std::fs::write(&p, serde_json::to_vec_pretty(r).expect("json")).expect("write");
        p.to_str().expect("utf-8 path").to_string()
    };
    let good = write("good.json", &record);
    let out = ok(shopcast(&["draw", "verify", "--file", &good], None));
    assert!(
        out.starts_with(&format!(
            "ok: {} entrants, winners {}",
            record.entrants.len(),
            record.winners.join(", ")
        )),
        "{out}"
    );
    // The fetching form needs no token: anyone may check a draw.
    let out = ok(shopcast(
        &[
            "draw",
            "verify",
            "--room",
            &room.page,
            "--id",
            &record.activity_id,
        ],
        None,
    ));
    assert!(out.starts_with("ok: "), "{out}");

    let mut swapped = record.clone();
    swapped.winners.swap(0, 1);
    let o = shopcast(
        &["draw", "verify", "--file", &write("swapped.json", &swapped)],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("the winners differ"),
        "{}",
        text(&o.stderr)
    );

    let mut reseeded = record.clone();
    let flipped = if reseeded.seed.starts_with('0') {
        "1"
    } else {
        "0"
    };
    reseeded.seed.replace_range(0..1, flipped);
    let o = shopcast(
        &["draw", "verify", "--file", &write("seed.json", &reseeded)],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("does not hash to the commitment"),
        "{}",
        text(&o.stderr)
    );

    // No record at all: an error, not a pass.
    let missing = dir.path().join("missing.json");
    let o = shopcast(
        &["draw", "verify", "--file", missing.to_str().unwrap_or("")],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    // A file and a room together are refused by clap.
    let o = shopcast(
        &[
            "draw", "verify", "--file", &good, "--room", &room.page, "--id", "a1",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    room.stop();
}
