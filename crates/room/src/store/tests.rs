//! The store against a real SQLite file in a temp dir.
use super::*;
use crate::protocol::EventBody;

#[tokio::test]
async fn state_and_log_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (s, th) = Store::open(dir.path()).unwrap();
        let mut st = RoomState {
            seq: 2,
            status: RoomStatus::Live,
            announcement: "hi".into(),
            ..Default::default()
        };
        st.metadata.version = 1;
        st.metadata.entries.insert("k".into(), "v".into());
        let ev = |seq| Event {
            seq: Some(seq),
            ts: 9,
            body: EventBody::Announcement { text: "x".into() },
        };
        let rows = [1, 2]
            .into_iter()
            .map(|s| (s, 9, serde_json::to_string(&ev(s)).unwrap()))
            .collect();
        let w = TickWrite {
            events: rows,
            state: Some(st),
            points: vec![("u".into(), 5), ("u".into(), 7)],
            moderation: vec![
                ("bad".into(), "mute", u64::MAX / 4),
                ("worse".into(), "mute", u64::MAX),
                ("gone".into(), "ban", u64::MAX),
            ],
            ..Default::default()
        };
        s.append("r", w).await.unwrap();
        assert_eq!(s.points("u").await.unwrap(), 12);
        drop(s);
        th.join().unwrap();
    }
    let (s, _th) = Store::open(dir.path()).unwrap();
    let r = s.load_room("r", 1).await.unwrap();
    assert_eq!(r.state.seq, 2);
    assert_eq!(r.state.status, RoomStatus::Live);
    assert_eq!(r.state.metadata.entries["k"], "v");
    assert_eq!(r.recent.len(), 1);
    assert_eq!(r.recent[0].seq, Some(2));
    let mut mutes = r.mutes.clone();
    mutes.sort();
    assert_eq!(
        mutes,
        vec![
            ("bad".to_string(), u64::MAX / 4),
            ("worse".to_string(), u64::MAX)
        ],
        "a mute for ever is still for ever after a restart"
    );
    assert_eq!(r.bans, vec![("gone".to_string(), u64::MAX)]);
    assert_eq!(s.points("u").await.unwrap(), 12);
    assert_eq!(s.load_room("other", 10).await.unwrap().state.seq, 0);
}

#[tokio::test]
async fn units_sold_but_not_yet_off_the_stock_survive_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let pending: std::collections::BTreeMap<String, u64> = [("tea".to_string(), 3)].into();
    {
        let (s, th) = Store::open(dir.path()).unwrap();
        let w = TickWrite {
            stock_pending: Some(pending.clone()),
            ..Default::default()
        };
        s.append("r", w).await.unwrap();
        // No shutdown tick: the process is gone.
        drop(s);
        th.join().unwrap();
    }
    let (s, _th) = Store::open(dir.path()).unwrap();
    assert_eq!(
        s.load_room("r", 1).await.unwrap().commerce.stock_pending,
        pending
    );
    let w = TickWrite {
        stock_pending: Some(Default::default()),
        ..Default::default()
    };
    s.append("r", w).await.unwrap();
    assert!(
        s.load_room("r", 1)
            .await
            .unwrap()
            .commerce
            .stock_pending
            .is_empty()
    );
}

#[test]
fn a_failed_write_goes_in_front_of_the_next() {
    let row = |id: &str| ActivityRow {
        id: id.into(),
        body: "{}".into(),
        secret: Some("s".into()),
        audit: None,
    };
    let older = TickWrite {
        events: vec![(1, 1, "a".into())],
        activities: vec![row("a1")],
        lineup: Some(LineupSnapshot::default()),
        stock_pending: Some([("tea".to_string(), 2)].into()),
        ..Default::default()
    };
    let mut newer = TickWrite {
        events: vec![(2, 2, "b".into())],
        activities: vec![row("a1"), row("a2")],
        stock_pending: Some([("tea".to_string(), 5)].into()),
        ..Default::default()
    };
    newer.merge_older(older);
    let seqs: Vec<u64> = newer.events.iter().map(|e| e.0).collect();
    assert_eq!(seqs, [1, 2]);
    let ids: Vec<&str> = newer.activities.iter().map(|a| a.id.as_str()).collect();
    // The newer row of a1 comes later, so it is the one that stays.
    assert_eq!(ids, ["a1", "a1", "a2"]);
    assert!(newer.lineup.is_some(), "kept from the older write");
    assert_eq!(
        newer.stock_pending.unwrap()["tea"],
        5,
        "the newer pending wins"
    );
    assert!(
        !format!("{:?}", newer.activities).contains("\"s\""),
        "no seed in Debug"
    );
}
