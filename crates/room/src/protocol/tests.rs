//! Protocol round trips, and the examples in docs/protocol.md.

use super::*;

fn ident() -> Identity {
    Identity {
        id: "u1".into(),
        nick: "Mia".into(),
        avatar: String::new(),
        role: Role::Audience,
        level: 3,
        level_name: "silver".into(),
        badges: vec![],
    }
}

#[test]
fn events_round_trip_with_flat_type_tag() {
    let e = Event {
        seq: Some(7),
        ts: 1,
        body: EventBody::Barrage {
            sender: ident(),
            text: "<b>hi</b>".into(),
        },
    };
    let j = serde_json::to_value(&e).unwrap();
    assert_eq!(j["type"], "barrage");
    assert_eq!(j["seq"], 7);
    assert_eq!(j["text"], "<b>hi</b>");
    let back: Event = serde_json::from_value(j).unwrap();
    assert_eq!(back, e);
}

#[test]
fn product_explain_flattens_seed_fields() {
    let p = ProductExplain::from_request(
        ProductExplainReq {
            goods_id: "prod_001".into(),
            goods_name: "Vintage Watch".into(),
            goods_name_zh: String::new(),
            goods_name_en: String::new(),
            price: 9900,
            price_usd: 99.0,
            price_cny: 712.8,
            image_url: String::new(),
            start_timestamp: Some(1_773_321_389_000),
        },
        5,
    );
    assert_eq!(p.event_id, "evt_prod_001_1773321389000");
    let e = Event {
        seq: Some(1),
        ts: 2,
        body: EventBody::ProductExplain {
            sender: ident(),
            product: p.clone(),
        },
    };
    let j = serde_json::to_value(&e).unwrap();
    assert_eq!(j["type"], "product_explain");
    assert_eq!(j["goods_id"], "prod_001");
    let back: Event = serde_json::from_value(j).unwrap();
    assert_eq!(back, e);
    let meta: serde_json::Value = serde_json::from_str(&p.metadata_value()).unwrap();
    assert_eq!(meta["start_timestamp"], 1_773_321_389_000u64);
    let tc: serde_json::Value = serde_json::from_str(&p.tencent_custom_data()).unwrap();
    assert_eq!(tc["type"], "GOODS_ON_SHELF");
    assert_eq!(tc["eventId"], "evt_prod_001_1773321389000");
}

/// Every JSON example in docs/protocol.md parses as what it claims,
/// events and server messages round-trip field for field, and every
/// message kind has an example.
#[test]
fn protocol_doc_examples_parse() {
    use std::collections::BTreeSet;
    let doc = include_str!("../../../../docs/protocol.md");
    let blocks: Vec<&str> = doc
        .split("```json\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or(""))
        .collect();
    let server_kinds = [
        "welcome",
        "batch",
        "audience_list",
        "error",
        "lineup_reply",
        "action_reply",
    ];
    let (mut client, mut server, mut events) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let check_event = |v: &serde_json::Value, events: &mut BTreeSet<String>| {
        let e: Event =
            serde_json::from_value(v.clone()).unwrap_or_else(|err| panic!("event {v}: {err}"));
        assert_eq!(&serde_json::to_value(&e).unwrap(), v, "event fields");
        events.insert(e.body.kind().to_string());
    };
    for b in blocks {
        let v: serde_json::Value =
            serde_json::from_str(b).unwrap_or_else(|e| panic!("not JSON: {b}: {e}"));
        let kind = v["type"].as_str().map(str::to_string);
        match kind {
            None => {
                serde_json::from_value::<Identity>(v.clone()).expect("identity example");
            }
            Some(_) if v.get("ts").is_some() => check_event(&v, &mut events),
            Some(k) if server_kinds.contains(&k.as_str()) => {
                let m: ServerMsg =
                    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("server {v}: {e}"));
                assert_eq!(serde_json::to_value(&m).unwrap(), v, "server fields");
                if let Some(evs) = v["events"].as_array() {
                    for e in evs {
                        check_event(e, &mut events);
                    }
                }
                server.insert(k);
            }
            Some(k) => {
                serde_json::from_value::<ClientMsg>(v.clone())
                    .unwrap_or_else(|e| panic!("client {v}: {e}"));
                client.insert(k);
            }
        }
    }
    let want_client = [
        "hello",
        "barrage",
        "like",
        "gift",
        "follow",
        "buy",
        "claim",
        "enter",
        "card_view",
        "card_click",
        "activity",
        "product_explain",
        "set_metadata",
        "announce",
        "set_status",
        "mute",
        "unmute",
        "kick",
        "get_audience",
        "lineup",
    ];
    for k in want_client {
        assert!(
            client.contains(k),
            "docs/protocol.md lacks client message {k}"
        );
    }
    for k in server_kinds {
        assert!(
            server.contains(k),
            "docs/protocol.md lacks server message {k}"
        );
    }
    let want_events = [
        "barrage",
        "gift",
        "like",
        "follow",
        "purchase",
        "product_explain",
        "activity",
        "join",
        "leave",
        "mute",
        "kick",
        "room_status",
        "announcement",
        "broadcast",
        "gift_list_changed",
        "online_count",
        "metadata",
        "lineup",
    ];
    for k in want_events {
        assert!(events.contains(k), "docs/protocol.md lacks event {k}");
    }
}

#[test]
fn unknown_client_type_is_an_error() {
    assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"nope"}"#).is_err());
    let m: ClientMsg = serde_json::from_str(r#"{"type":"like"}"#).unwrap();
    assert_eq!(m, ClientMsg::Like { count: 1 });
}
