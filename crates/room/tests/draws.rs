//! Keyword lucky draws over a real room server, and what survives a
//! restart: only in-window first entries from unmuted viewers count; the published
//! record recomputes with the revealed seed and fails when tampered
//! with; a restart in the middle of a flash sale or a draw loses nothing
//! and counts nothing twice.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::shop::*;
use common::*;
use shopcast_room::ServerSettings;
use shopcast_room::activity::draw::{DrawRecord, VerifyError, verify};
use shopcast_room::activity::{ActionOutcome, Activity};
use shopcast_room::client::ClientEvent;
use shopcast_room::filter::WordFilter;
use shopcast_room::protocol::{ClientMsg, EventBody, Role};

/// Polls the REST list until `f` holds for the activity.
async fn until_activity(server: &TestServer, id: &str, f: impl Fn(&Activity) -> bool) -> Activity {
    tokio::time::timeout(PATIENCE, async {
        loop {
            if let Some(a) = activities(server).await.remove(id)
                && f(&a)
            {
                return a;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the activity never got there")
}

/// Mutes `user` and waits until the room has done it.
async fn mute(moderator: &mut Viewer, user: &str) {
    moderator
        .send(ClientMsg::Mute {
            user_id: user.into(),
            duration_secs: 600,
        })
        .await;
    wait_event(&mut moderator.rx, |e| match e {
        ClientEvent::Event(ev) => {
            matches!(&ev.body, EventBody::Mute { user_id, .. } if user_id == user).then_some(())
        }
        _ => None,
    })
    .await;
}

async fn record(server: &TestServer, id: &str) -> DrawRecord {
    // Any token of the room may fetch it: viewers check draws too.
    let token = server.token(Role::Audience, ROOM, "anyone");
    let (status, body) = http_json(
        "GET",
        &server.http(&format!("/api/rooms/{ROOM}/activities/{id}/draw")),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).expect("a draw record")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_in_window_unmuted_first_entries_count_and_the_draw_verifies() {
    let server = start_with(ServerSettings {
        // "lucky" is masked by this room's filter: no barrage can carry
        // it, so a draw on it is refused.
        words: WordFilter::parse("lucky\n!spam-link").unwrap(),
        ..settings()
    })
    .await;
    let mut host = remote(&server, Role::Host, "host").await;
    let id = create_ok(&mut host, draw("666", 2)).await;
    match create(&mut host, draw("Lucky", 1)).await {
        ActionOutcome::Refused { reason, .. } => assert!(reason.contains("filter"), "{reason}"),
        other => panic!("a masked keyword was accepted: {other:?}"),
    }
    let commitment = activities(&server).await[&id]
        .commitment
        .clone()
        .expect("published at the start");

    let mut viewers = Vec::new();
    for u in [
        "v0", "v1", "v2", "v3", "v4", "v5", "quiet", "shout", "later",
    ] {
        viewers.push(Viewer::join(&server, u).await);
    }
    let mut assistant = Viewer::join_as(&server, Role::Assistant, "helper").await;
    // shout is muted before the window: a muted viewer's barrage never
    // gets in, so neither does the entry.
    mute(&mut assistant, "shout").await;
    for (i, v) in viewers.iter_mut().enumerate().take(6) {
        v.say(&format!("我要 666 #{i}")).await;
    }
    viewers[0].say("666 again").await; // a second entry: ignored
    viewers[6].say("66 and 6 6 6").await; // not the keyword
    viewers[7].say("666").await;
    let a = until_activity(&server, &id, |a| a.taken >= 6).await;
    assert_eq!(a.taken, 6);
    // v5 is muted after entering: the entry stands (eligibility is
    // decided at entry, so a mute cannot steer a draw).
    mute(&mut assistant, "v5").await;
    assert!(matches!(
        end(&mut host, &id).await,
        ActionOutcome::Done { .. }
    ));
    viewers[8].say("666 too late").await;

    let r = record(&server, &id).await;
    assert_eq!(r.commitment, commitment, "the commitment did not change");
    assert_eq!(r.entrants, ["v0", "v1", "v2", "v3", "v4", "v5"]);
    assert_eq!(r.winners.len(), 2);
    verify(&r).expect("the published draw recomputes");
    let ended = &activities(&server).await[&id];
    assert_eq!(ended.seed.as_deref(), Some(r.seed.as_str()));
    let nicks: Vec<&str> = ended.winners.iter().map(|w| w.user_id.as_str()).collect();
    assert_eq!(nicks, r.winners);
    assert_eq!(activities(&server).await.len(), 1, "only the one draw");

    // A tampered record does not verify.
    let mut swapped = r.clone();
    swapped.winners[0] = r
        .entrants
        .iter()
        .find(|u| !r.winners.contains(u))
        .unwrap()
        .clone();
    assert!(matches!(verify(&swapped), Err(VerifyError::Winners { .. })));
    let mut reseeded = r.clone();
    reseeded.seed = "00".repeat(32);
    assert!(matches!(verify(&reseeded), Err(VerifyError::Commitment(_))));
    // Dropping a winner from the entrants (say, to hide a fixed list)
    // changes who wins.
    let mut shrunk = r.clone();
    shrunk.entrants.retain(|u| *u != r.winners[0]);
    assert!(matches!(verify(&shrunk), Err(VerifyError::Winners { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_sale_and_mid_draw_loses_nothing_and_counts_nothing_twice() {
    quiet_logs();
    let dir = tempfile::tempdir().unwrap();
    let listen: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut server = start_in(dir, listen, settings()).await;
    stock_lineup(&server, &[product("tea", 5000, 100)]).await;
    let mut host = remote(&server, Role::Host, "host").await;
    let sale = create_ok(&mut host, flash_sale("tea", 3900, 10, 1)).await;
    let lucky = create_ok(&mut host, draw("888", 3)).await;
    host.close().await;

    let mut buyers = Vec::new();
    let mut first = None;
    for i in 0..4 {
        let mut v = Viewer::join(&server, &format!("b{i}")).await;
        let op = v.buy("tea", 1, Some(&sale)).await;
        let ActionOutcome::Done { order: Some(o), .. } = v.answer().await else {
            panic!("b{i} could not buy");
        };
        first.get_or_insert((op, o));
        buyers.push(v);
    }
    let (first_op, first_order) = first.expect("bought");
    let refused = {
        let op = "b0-second".to_string();
        buyers[0]
            .send(ClientMsg::Buy {
                op_id: op.clone(),
                goods_id: "tea".into(),
                quantity: 1,
                sale_id: Some(sale.clone()),
            })
            .await;
        buyers[0].answer().await
    };
    // b0 had a limit of one: the resend id is a new request, refused.
    assert_eq!(code_of(&refused).as_deref(), Some("limit_exceeded"));
    let mut entrants = Vec::new();
    for u in ["e0", "e1"] {
        let mut v = Viewer::join(&server, u).await;
        v.say("888!").await;
        entrants.push(v);
    }
    until_activity(&server, &lucky, |a| a.taken == 2).await;
    let commitment = activities(&server).await[&lucky].commitment.clone();

    server.stop().await;
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let mut server = start_in(dir, listen, settings()).await;

    let a = &activities(&server).await[&sale];
    assert_eq!((a.taken, a.remaining, a.people), (4, Some(6), 4));
    assert_eq!(activities(&server).await[&lucky].commitment, commitment);
    // b0's answer was lost in the restart: the resend is answered with
    // the same order, and nothing is sold again.
    let mut b0 = Viewer::join(&server, "b0").await;
    b0.send(ClientMsg::Buy {
        op_id: first_op,
        goods_id: "tea".into(),
        quantity: 1,
        sale_id: Some(sale.clone()),
    })
    .await;
    match b0.answer().await {
        ActionOutcome::Done { order: Some(o), .. } => assert_eq!(o, first_order),
        other => panic!("{other:?}"),
    }
    assert_eq!(activities(&server).await[&sale].taken, 4);
    // A buyer from before the restart: still limited.
    let mut again = Viewer::join(&server, "b1").await;
    again.buy("tea", 1, Some(&sale)).await;
    assert_eq!(
        code_of(&again.answer().await).as_deref(),
        Some("limit_exceeded")
    );
    // The remaining six sell, and not one more.
    let mut sold_after = 0;
    for i in 4..11 {
        let mut v = Viewer::join(&server, &format!("b{i}")).await;
        v.buy("tea", 1, Some(&sale)).await;
        match v.answer().await {
            ActionOutcome::Done { .. } => sold_after += 1,
            other => assert_eq!(code_of(&other).as_deref(), Some("sold_out")),
        }
    }
    assert_eq!(sold_after, 6);
    // An entrant from before enters again: still one entry.
    let mut e0 = Viewer::join(&server, "e0").await;
    e0.say("888 888").await;
    let mut e2 = Viewer::join(&server, "e2").await;
    e2.say("888").await;
    until_activity(&server, &lucky, |a| a.taken == 3).await;
    let mut host = remote(&server, Role::Host, "host").await;
    assert!(matches!(
        end(&mut host, &lucky).await,
        ActionOutcome::Done { .. }
    ));
    let r = record(&server, &lucky).await;
    assert_eq!(r.entrants, ["e0", "e1", "e2"]);
    assert_eq!(Some(r.commitment.clone()), commitment);
    verify(&r).expect("verifies across the restart");

    // Stock: 100 less the ten sold, once.
    let stock = tokio::time::timeout(PATIENCE, async {
        loop {
            let s = lineup_stock(&server, "tea").await;
            if s <= 90 {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the stock never went down");
    assert_eq!(stock, 90);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lucky_bags_take_followers_or_the_keyword_and_split_the_pool() {
    use shopcast_room::activity::{ActivitySpec, BagCondition, LuckyBagSpec};
    let server = start_with(settings()).await;
    let mut host = remote(&server, Role::Host, "host").await;
    let bag = |condition, winners| {
        ActivitySpec::LuckyBag(LuckyBagSpec {
            prize: "红包".into(),
            pool: 1000,
            currency: "CNY".into(),
            winners,
            duration_secs: 600,
            condition,
            exclude_muted: true,
        })
    };
    let follow = create_ok(&mut host, bag(BagCondition::Follow, 3)).await;
    let keyword = create_ok(
        &mut host,
        bag(
            BagCondition::Keyword {
                keyword: "红包".into(),
            },
            1,
        ),
    )
    .await;

    let enter = |v: &mut Viewer, id: &str| ClientMsg::Enter {
        op_id: v.op_id(),
        activity_id: id.to_string(),
    };
    let mut fans = Vec::new();
    for u in ["f0", "f1", "f2", "f3"] {
        let mut v = Viewer::join(&server, u).await;
        v.send(ClientMsg::Follow {}).await;
        let msg = enter(&mut v, &follow);
        v.send(msg).await;
        assert!(
            matches!(v.answer().await, ActionOutcome::Done { .. }),
            "{u}"
        );
        fans.push(v);
    }
    // Joining twice is still one entry.
    let msg = enter(&mut fans[0], &follow);
    fans[0].send(msg).await;
    assert!(matches!(fans[0].answer().await, ActionOutcome::Done { .. }));
    // Not following: refused with the reason; a keyword bag is entered
    // by barrage, not by the button.
    let mut stranger = Viewer::join(&server, "stranger").await;
    let msg = enter(&mut stranger, &follow);
    stranger.send(msg).await;
    match stranger.answer().await {
        ActionOutcome::Refused { reason, .. } => assert!(reason.contains("follow"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let msg = enter(&mut stranger, &keyword);
    stranger.send(msg).await;
    assert_eq!(
        code_of(&stranger.answer().await).as_deref(),
        Some("invalid_argument")
    );
    stranger.say("抢红包!").await;
    until_activity(&server, &keyword, |a| a.taken == 1).await;
    assert_eq!(activities(&server).await[&follow].taken, 4);

    for id in [&follow, &keyword] {
        assert!(matches!(
            end(&mut host, id).await,
            ActionOutcome::Done { .. }
        ));
    }
    let acts = activities(&server).await;
    let shares: Vec<u64> = acts[&follow].winners.iter().map(|w| w.amount).collect();
    assert_eq!(shares, [334, 333, 333], "the pool, split");
    assert!(
        acts[&follow]
            .winners
            .iter()
            .all(|w| w.user_id.starts_with('f') && w.nick == format!("nick_{}", w.user_id))
    );
    assert_eq!(acts[&keyword].winners[0].user_id, "stranger");
    assert_eq!(acts[&keyword].winners[0].amount, 1000);
    for id in [&follow, &keyword] {
        verify(&record(&server, id).await).expect("a bag's draw verifies too");
    }
}
