//! The studio session without a window: rehearsal end to end (preview
//! socket, simulated barrage, recording), going live to a real RTMP
//! server from a saved destination, the assistant's limits, and resume
//! after a crash.

use std::time::{Duration, Instant};

use shopcast_room::lineup::LineupOp;
use shopcast_room::protocol::{ClientMsg, EventBody};
use shopcast_studio::session::{
    DestinationInput, ImportFile, LineupRequest, OutputStateName, RoomNotice,
};
use shopcast_studio::{ErrorCode, Mode, PhaseName, SessionEvent, StudioError};
use shopcast_testkit::{NginxRtmp, probe};

mod common;
use common::{Rig, canvas, is_barrage, preview_frames};

#[test]
fn rehearsal_previews_gets_barrage_records_and_ends_cleanly() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = rig.open();
    assert_eq!(session.view().phase, PhaseName::Choosing);
    let mut s = canvas(&session, 640, 360, "test");
    s.rehearsal.barrage_per_s = 20.0;
    // The current product's card, on the stream, top right, half size
    // (280x90 on this 640x360 canvas).
    s.product_card = shopcast_studio::settings::ProductCardSettings {
        enabled: true,
        corner: shopcast_studio::settings::Corner::TopRight,
        scale: 0.5,
    };
    session.save_settings(s).unwrap();

    let view = session.enter_mode(Mode::Rehearsal, None, None).unwrap();
    // The first rehearsal imports the demo catalogue and puts its first
    // products in the rehearsal room's lineup.
    let lineup = session.lineup();
    let ids: Vec<&str> = lineup
        .items
        .iter()
        .map(|i| i.product.goods_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["watch-vintage", "tea-longjing", "scarf-silk", "tote-canvas"]
    );
    assert!(
        lineup
            .items
            .iter()
            .all(|i| i.product.image_url.starts_with("/media/"))
    );
    assert_eq!(session.catalog_list(String::new()).unwrap().len(), 6);
    assert_eq!(view.phase, PhaseName::Preview);
    assert!(view.can_stream);

    // The preview socket: packed RGBA frames with the documented header.
    let frames = preview_frames(&session.preview_url(), 5);
    for f in &frames {
        let (_, captured_us, w, h) =
            shopcast_studio::preview_server::decode_header(f).expect("SCP2 header");
        assert_eq!((w, h), (640, 360));
        assert!(captured_us > 1_700_000_000_000_000);
        assert_eq!(f.len(), 24 + 640 * 360 * 4);
        assert!(f[24..].chunks_exact(4).all(|p| p[3] == 255), "opaque");
    }
    let preview_seq = |session: &shopcast_studio::Session| {
        let f = preview_frames(&session.preview_url(), 1).remove(0);
        shopcast_studio::preview_server::decode_header(&f)
            .expect("SCP2 header")
            .0
    };
    let seq_in_preview = preview_seq(&session);
    // A wrong token is refused.
    let bad = session.preview_url().replace("token=", "token=x");
    let rt = tokio::runtime::Runtime::new().unwrap();
    assert!(rt.block_on(tokio_tungstenite::connect_async(bad)).is_err());

    // Unconfirmed, nothing starts; rehearsal never "goes live".
    assert!(matches!(
        session.start_rehearsal(false),
        Err(StudioError::State(_))
    ));
    assert!(matches!(
        session.go_live(&["x".into()], true),
        Err(StudioError::State(_))
    ));

    let view = session.start_rehearsal(true).unwrap();
    assert_eq!(view.phase, PhaseName::OnAir);
    assert!(view.on_air_since_ms.is_some());
    // Going on air attached the encoder to the running preview: its
    // frames count on (a restarted preview would count from 1 again).
    let seq_on_air = preview_seq(&session);
    assert!(
        seq_on_air > seq_in_preview,
        "the preview restarted at going on air: frame {seq_on_air} after {seq_in_preview}"
    );
    let recording = view.recording.clone().expect("a recording path");
    // While on air the journal names the mode and the recording, for a
    // resume after a crash.
    let journal: shopcast_studio::ResumeOffer = serde_json::from_slice(
        &std::fs::read(rig.paths.data_dir.join("session.json")).expect("a journal on air"),
    )
    .expect("the journal parses");
    assert_eq!(journal.mode, Mode::Rehearsal);
    assert_eq!(journal.recording.as_deref(), Some(recording.as_str()));
    rig.wait_for("simulated barrage", Duration::from_secs(20), is_barrage);

    // Effects change live; a bad level is refused and nothing changes.
    session
        .set_beauty(shopcast_studio::settings::BeautyLevels {
            smoothing: 6,
            whitening: 3,
            ruddy: 2,
            sharpen: 0,
        })
        .unwrap();
    assert!(
        session
            .set_beauty(shopcast_studio::settings::BeautyLevels {
                smoothing: 12,
                ..Default::default()
            })
            .is_err()
    );
    assert_eq!(session.settings().beauty.smoothing, 6);
    // The lineup explains a product through the room: a pop-up comes back.
    let lineup = session.lineup_next().unwrap();
    let current = lineup.current.clone().expect("a product is explained");
    assert_eq!(current.goods_id, "watch-vintage");
    assert!(current.event_id.starts_with("evt_watch-vintage_"));
    // The card is on the preview (top right, see below), and it follows
    // a price change: the price is drawn in coral, and "¥0.01" has about
    // half the coral pixels of "¥1,299.00" (an unchanged card keeps the
    // same count, so a quarter fewer is the test).
    let card_red = |min: u32| {
        let start = Instant::now();
        loop {
            let f = preview_frames(&session.preview_url(), 1).remove(0);
            let px = &f[24..];
            let red = (348..628)
                .flat_map(|x| (12..102).map(move |y| (x, y)))
                .filter(|&(x, y)| {
                    let i = ((y * 640 + x) * 4) as usize;
                    // The price's coral (about 240, 90, 70), not the
                    // test pattern's pure red showing at the corners.
                    let (r, g, b) = (px[i], px[i + 1], px[i + 2]);
                    r > 190 && (55..=130).contains(&g) && (35..=120).contains(&b)
                })
                .count() as u32;
            if red >= min || start.elapsed() > Duration::from_secs(10) {
                return red;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let red_before = card_red(300);
    assert!(
        red_before >= 300,
        "the card's price on the preview: {red_before} coral pixels"
    );
    session
        .lineup_op(LineupRequest {
            base: lineup.version,
            op: LineupOp::SetPrice {
                goods_id: current.goods_id.clone(),
                price: 1,
            },
        })
        .unwrap();
    let start = Instant::now();
    let red_after = loop {
        let red = card_red(0);
        if red * 4 < red_before * 3 || start.elapsed() > Duration::from_secs(10) {
            break red;
        }
    };
    assert!(
        red_after * 4 < red_before * 3,
        "the card kept the old price: {red_after} coral pixels, {red_before} before"
    );
    rig.wait_for("product pop-up", Duration::from_secs(10), |e| {
        matches!(e, SessionEvent::Room(b) if b.notices.iter().any(|n|
                matches!(n, RoomNotice::Popup { card } if card.goods_id == "watch-vintage")))
    });
    rig.wait_for(
        "the lineup event",
        Duration::from_secs(5),
        |e| matches!(e, SessionEvent::Lineup(l) if l.current.is_some()),
    );
    // Simulated viewers buy what is in the lineup, and only that.
    rig.wait_for("a purchase", Duration::from_secs(20), |e| {
        matches!(e, SessionEvent::Room(b) if b.events.iter().any(|e|
            matches!(&e.body, EventBody::Purchase { .. })))
    });
    let ids: Vec<String> = lineup
        .items
        .iter()
        .map(|i| i.product.goods_id.clone())
        .collect();
    let bought: Vec<String> = rig
        .events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Room(b) => Some(b.events.clone()),
            _ => None,
        })
        .flatten()
        .filter_map(|e| match e.body {
            EventBody::Purchase { order, .. } => Some(order.goods_id),
            _ => None,
        })
        .collect();
    assert!(
        bought.iter().all(|g| ids.contains(g)),
        "{bought:?} not in {ids:?}"
    );
    // The source cannot change on air.
    assert!(matches!(
        session.set_video(shopcast_studio::settings::VideoChoice::Test),
        Err(StudioError::State(_))
    ));
    std::thread::sleep(Duration::from_secs(3));
    assert!(session.is_on_air());

    // Closing the window on air asks the host first; once confirmed,
    // the close goes through.
    assert!(!session.request_close());
    assert!(rig.count(|e| matches!(e, SessionEvent::CloseRequested)) == 1);
    session.confirm_close();
    assert!(rig.count(|e| matches!(e, SessionEvent::CloseApproved)) == 1);
    assert!(session.request_close());

    let seq_before_end = preview_seq(&session);
    let view = session.end_live(true).unwrap();
    assert_eq!(view.phase, PhaseName::Ended);
    assert_eq!(view.last_recording.as_deref(), Some(recording.as_str()));
    let seq_after_end = preview_seq(&session);
    assert!(
        seq_after_end > seq_before_end,
        "the preview restarted at the end: frame {seq_after_end} after {seq_before_end}"
    );
    let p = probe(std::path::Path::new(&recording)).expect("the recording plays");
    assert_eq!((p.width, p.height), (640, 360));
    assert_eq!(
        p.keyframes.first(),
        p.frame_times.first(),
        "starts at a keyframe"
    );
    // The card is in the recording, top right (margin 12 px at 360p):
    // its dark panel covers the test pattern's bars, none of which is
    // dark there but the blue one (excluded by its blue), and its text
    // and picture are bright on it.
    // A second before the end: the product was explained at least three
    // seconds before the broadcast ended.
    let at = p.frame_times.last().copied().unwrap_or(0.0) - 1.0;
    let (w, h, rgb) =
        shopcast_testkit::frame_rgb(std::path::Path::new(&recording), at).expect("a frame");
    assert_eq!((w, h), (640, 360));
    let px = |x: u32, y: u32| {
        let i = ((y * w + x) * 3) as usize;
        [rgb[i], rgb[i + 1], rgb[i + 2]]
    };
    let card = (348..348 + 280).flat_map(|x| (12..12 + 90).map(move |y| (x, y)));
    let (mut dark, mut bright, mut n) = (0, 0, 0);
    for (x, y) in card {
        let [r, g, b] = px(x, y);
        let luma = (r as u32 * 3 + g as u32 * 6 + b as u32) / 10;
        n += 1;
        if luma < 70 && b < 120 {
            dark += 1;
        }
        if luma > 200 {
            bright += 1;
        }
    }
    assert!(dark * 2 > n, "the card's dark panel: {dark} of {n} dark");
    assert!(bright * 50 > n, "the card's text: {bright} of {n} bright");
    // Outside the card the test pattern is untouched (bright colour
    // bars on the left).
    let outside = (20..300).filter(|&x| {
        let [r, g, b] = px(x, 40);
        (r as u32 + g as u32 + b as u32) / 3 > 60
    });
    assert!(
        outside.count() > 100,
        "the test pattern is visible beside the card"
    );
    assert!(p.video_frames >= 60, "{} frames", p.video_frames);
    assert!(p.audio_codec.is_some());
    assert!(session.resume_offer().is_none());
    assert!(!rig.paths.data_dir.join("session.json").exists());
    // The preview runs again after the end.
    let before = session.preview_frames();
    std::thread::sleep(Duration::from_secs(1));
    assert!(session.preview_frames() > before);
    assert!(rig.count(|e| matches!(e, SessionEvent::AudioLevel(_))) > 10);
    assert!(rig.count(|e| matches!(e, SessionEvent::Stats(_))) > 2);
}

#[test]
fn beauty_bypass_is_session_state_and_never_saved() {
    use shopcast_studio::settings::BeautyLevels;
    let rig = Rig::new();
    let session = rig.open();
    session
        .save_settings(canvas(&session, 320, 180, "test"))
        .unwrap();
    session.enter_mode(Mode::Rehearsal, None, None).unwrap();
    let levels = BeautyLevels {
        smoothing: 7,
        whitening: 4,
        ruddy: 2,
        sharpen: 1,
    };
    session.set_beauty(levels).unwrap();
    assert_eq!(session.applied_beauty(), Some(levels));

    let view = session.set_beauty_bypass(true).unwrap();
    assert!(view.beauty_bypass);
    assert_eq!(session.applied_beauty(), Some(BeautyLevels::default()));
    assert_eq!(session.settings().beauty, levels, "the saved levels stay");

    // A later save from the window (the dock layout moved) carries the
    // real levels: the GPU stays bypassed and the toggle stays off.
    let mut s = session.settings();
    s.layout = Some(serde_json::json!({"version": 1, "moved": true}));
    session.save_settings(s).unwrap();
    assert_eq!(session.applied_beauty(), Some(BeautyLevels::default()));
    assert!(session.view().beauty_bypass);

    // A slider moved while bypassed is stored, and shows once the
    // bypass ends.
    let moved = BeautyLevels {
        smoothing: 8,
        ..levels
    };
    session.set_beauty(moved).unwrap();
    assert_eq!(session.applied_beauty(), Some(BeautyLevels::default()));
    session.set_beauty_bypass(false).unwrap();
    assert_eq!(session.applied_beauty(), Some(moved));

    // Bypassed at quit: the next start has the host's levels, not zeros,
    // and no bypass.
    session.set_beauty_bypass(true).unwrap();
    drop(session);
    let session = rig.open();
    assert_eq!(session.settings().beauty, moved);
    assert!(!session.view().beauty_bypass);
}

#[test]
fn the_preview_warms_up_on_the_start_screen_and_follows_the_settings() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = rig.open();
    let mut s = canvas(&session, 320, 180, "test");
    session.save_settings(s.clone()).unwrap();
    assert_eq!(session.preview_frames(), 0, "nothing runs before warm-up");
    session.warm_up();
    assert_eq!(session.view().phase, PhaseName::Choosing);
    let size = |f: &Vec<u8>| {
        let (_, _, w, h) = shopcast_studio::preview_server::decode_header(f).expect("header");
        (w, h)
    };
    let frames = preview_frames(&session.preview_url(), 3);
    assert!(frames.iter().all(|f| size(f) == (320, 180)));
    // A new canvas on the start screen restarts the warmed-up preview.
    s.canvas.width = 640;
    s.canvas.height = 360;
    session.save_settings(s).unwrap();
    let frames = preview_frames(&session.preview_url(), 3);
    assert!(frames.iter().all(|f| size(f) == (640, 360)));
    // Choosing a host mode keeps it; warming up twice is harmless.
    session.warm_up();
    let view = session.enter_mode(Mode::Rehearsal, None, None).unwrap();
    assert_eq!(view.phase, PhaseName::Preview);
    let frames = preview_frames(&session.preview_url(), 3);
    assert!(frames.iter().all(|f| size(f) == (640, 360)));
    // warm-up does nothing once a mode is chosen.
    let before = session.preview_frames();
    session.warm_up();
    std::thread::sleep(Duration::from_millis(300));
    assert!(session.preview_frames() > before);
}

#[test]
fn an_assistant_runs_the_lineup_but_never_the_stream() {
    let _rt = shopcast_testkit::realtime_lock();
    let host_rig = Rig::new();
    let host = host_rig.open();
    let mut s = canvas(&host, 320, 180, "none");
    s.rehearsal.viewers = 2;
    host.save_settings(s).unwrap();
    let view = host.enter_mode(Mode::Rehearsal, None, None).unwrap();
    let ws_url = view.room.url.expect("the rehearsal room's URL");
    let token = shopcast_room::mint_token(
        &host_rig.paths.data_dir.join("rehearsal-room"),
        shopcast_room::protocol::Role::Assistant,
        "rehearsal",
        "asst",
        "Assistant",
        600,
    )
    .unwrap();

    let rig = Rig::new();
    let asst = rig.open();
    // The app warms the preview up at launch; an assistant gives it back.
    let s = canvas(&asst, 320, 180, "none");
    asst.save_settings(s).unwrap();
    asst.warm_up();
    let start = Instant::now();
    while asst.preview_frames() == 0 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(asst.preview_frames() > 0, "the warmed-up preview runs");
    // The assistant needs both the room and a token.
    assert!(matches!(
        asst.enter_mode(Mode::Assistant, Some(&ws_url), None),
        Err(StudioError::Invalid { .. })
    ));
    let view = asst
        .enter_mode(Mode::Assistant, Some(&ws_url), Some(&token))
        .unwrap();
    assert!(!view.can_stream);
    let stopped_at = asst.preview_frames();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        asst.preview_frames(),
        stopped_at,
        "no preview for an assistant"
    );
    rig.wait_for(
        "the room connection",
        Duration::from_secs(10),
        |e| matches!(e, SessionEvent::Session(v) if v.room.connected),
    );

    let forbidden = |r: Result<_, StudioError>| matches!(r, Err(StudioError::Forbidden(_)));
    assert!(forbidden(asst.go_live(&["main".into()], true).map(|_| ())));
    assert!(forbidden(asst.end_live(true).map(|_| ())));
    assert!(forbidden(asst.start_rehearsal(true).map(|_| ())));
    assert!(forbidden(asst.list_destinations().map(|_| ())));
    assert!(forbidden(
        asst.save_destination(DestinationInput::Custom {
            name: "x".into(),
            url: "rtmp://127.0.0.1/live".into(),
            stream_key: Some("k".into()),
        })
        .map(|_| ())
    ));
    assert!(forbidden(
        asst.room_send(
            serde_json::from_value::<ClientMsg>(
                serde_json::json!({"type":"set_status","status":"ended"})
            )
            .unwrap()
        )
    ));
    assert!(forbidden(
        asst.set_video(shopcast_studio::settings::VideoChoice::Test)
            .map(|_| ())
    ));

    // What an assistant is for: announcements reach the host's room.
    asst.room_send(
        serde_json::from_value::<ClientMsg>(
            serde_json::json!({"type":"announce","text":"<b>8 pm flash sale</b>"}),
        )
        .unwrap(),
    )
    .unwrap();
    host_rig.wait_for(
        "the assistant's announcement",
        Duration::from_secs(10),
        |e| {
            matches!(e, SessionEvent::Room(b) if b.events.iter().any(|e|
                matches!(&e.body, EventBody::Announcement { text } if text == "<b>8 pm flash sale</b>")))
        },
    );
    assert_eq!(host.view().phase, PhaseName::Preview);

    // The assistant sees the host's lineup and runs it: a move and an
    // explain reach the host's mirror within a second.
    let seen = asst.lineup();
    assert_eq!(seen, host.lineup());
    assert!(seen.items.len() >= 3, "{seen:?}");
    let last = seen.items.last().unwrap().product.goods_id.clone();
    let started = Instant::now();
    let moved = asst
        .lineup_op(LineupRequest {
            base: seen.version,
            op: LineupOp::Move {
                goods_id: last.clone(),
                to: 0,
            },
        })
        .unwrap();
    assert_eq!(moved.items[0].product.goods_id, last);
    asst.lineup_op(LineupRequest {
        base: moved.version,
        op: LineupOp::Explain {
            goods_id: last.clone(),
        },
    })
    .unwrap();
    while host.lineup().current.as_ref().map(|c| c.goods_id.as_str()) != Some(last.as_str()) {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the host saw it late"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(host.lineup().items[0].product.goods_id, last);
    // An edit made on an old version of a field the host changed since
    // is refused with the reason, and nothing is overwritten.
    let old = host.lineup();
    let second = old.items[1].product.goods_id.clone();
    host.lineup_op(LineupRequest {
        base: old.version,
        op: LineupOp::SetPrice {
            goods_id: second.clone(),
            price: 1234,
        },
    })
    .unwrap();
    let err = asst
        .lineup_op(LineupRequest {
            base: old.version,
            op: LineupOp::SetPrice {
                goods_id: second.clone(),
                price: 999,
            },
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.message().contains("changed to 1234"),
        "{}",
        err.message()
    );
    assert_eq!(host.lineup().item(&second).unwrap().product.price, 1234);
    drop(asst);
    drop(host);
}

#[test]
fn live_mode_pushes_a_saved_destination_to_a_real_server() {
    let _rt = shopcast_testkit::realtime_lock();
    let nginx = NginxRtmp::start().expect("nginx-rtmp");
    let rig = Rig::new();
    let session = rig.open();
    let mut s = session.settings();
    s.canvas.width = 640;
    s.canvas.height = 360;
    s.canvas.video_kbps = 800;
    s.microphone = Some("test".into());
    session.save_settings(s).unwrap();
    session.enter_mode(Mode::Live, None, None).unwrap();

    let url = nginx.url("ignored");
    let server = url.rsplit_once('/').unwrap().0.to_string();
    session
        .save_destination(DestinationInput::Custom {
            name: "main".into(),
            url: server.clone(),
            stream_key: Some("sess1on-k3y".into()),
        })
        .unwrap();
    let listed = session.list_destinations().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].summary.contains("sess1on-k3y"));
    // Editing without re-entering the key keeps it.
    session
        .save_destination(DestinationInput::Custom {
            name: "main".into(),
            url: server,
            stream_key: None,
        })
        .unwrap();
    // The key is in no file of the config folder.
    for entry in std::fs::read_dir(&rig.paths.config_dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("sess1on-k3y"));
    }
    assert!(matches!(
        session.go_live(&["nope".into()], true),
        Err(StudioError::NotFound(_))
    ));
    assert_eq!(
        session.view().phase,
        PhaseName::Preview,
        "a refused go-live changes nothing"
    );

    let view = session.go_live(&["main".into()], true).unwrap();
    assert_eq!(view.phase, PhaseName::OnAir);
    rig.wait_for("the destination going live", Duration::from_secs(10), |e| {
        matches!(e, SessionEvent::Session(v)
            if v.outputs.iter().any(|o| o.name == "main" && o.state == OutputStateName::Live))
    });
    // The journal is there while on air: a crash now would be offered
    // for resume.
    assert!(rig.paths.data_dir.join("session.json").exists());
    std::thread::sleep(Duration::from_secs(4));
    let view = session.end_live(true).unwrap();
    assert_eq!(view.phase, PhaseName::Ended);
    let recs = nginx
        .wait_for_recordings(1, Duration::from_secs(10))
        .expect("server recording");
    let p = probe(&recs[0]).unwrap();
    assert_eq!(p.video_codec.as_deref(), Some("h264"));
    assert!(
        p.video_frames >= 90,
        "{} frames at the server",
        p.video_frames
    );
    // No event or view carried the key.
    let all = format!("{:?}", rig.events.lock().unwrap());
    assert!(!all.contains("sess1on-k3y"));
}

#[test]
fn an_unfinished_session_is_offered_for_resume() {
    let rig = Rig::new();
    std::fs::create_dir_all(&rig.paths.data_dir).unwrap();
    std::fs::write(
        rig.paths.data_dir.join("session.json"),
        r#"{"mode":"rehearsal","started_ms":1,"recording":"/tmp/x.mkv","destinations":[]}"#,
    )
    .unwrap();
    let session = rig.open();
    let offer = session.resume_offer().expect("an offer");
    assert_eq!(offer.mode, Mode::Rehearsal);
    // Declining forgets it for good.
    session.resume_session(false).unwrap();
    assert!(session.resume_offer().is_none());
    drop(session);
    assert!(rig.open().resume_offer().is_none());
}

#[test]
fn bad_input_is_refused_and_the_preview_keeps_running() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = rig.open();
    let s = canvas(&session, 320, 180, "none");
    session.save_settings(s).unwrap();
    // Nothing before a mode.
    assert!(matches!(
        session.go_live(&[], true),
        Err(StudioError::State(_))
    ));
    // A catalogue file from the window: good rows kept, each bad row
    // reported; a file that is neither CSV nor JSON is refused by name.
    let report = session
        .catalog_import(ImportFile {
            name: "goods.csv".into(),
            content: "id,name_zh,name_en,price,currency,stock\n\
                      tea,龙井,Longjing Tea,12800,CNY,5\n\
                      bad id,坏,Bad,-1,CNY,1\n"
                .into(),
        })
        .unwrap();
    assert_eq!((report.added, report.refused.len()), (1, 1));
    assert_eq!(report.refused[0].row, 3);
    let e = session
        .catalog_import(ImportFile {
            name: "../goods.txt".into(),
            content: "hello".into(),
        })
        .unwrap_err();
    assert!(
        e.message().contains("goods.txt") && e.message().contains(".csv or .json"),
        "{}",
        e.message()
    );
    session.enter_mode(Mode::Live, None, None).unwrap();
    assert!(matches!(
        session.enter_mode(Mode::Rehearsal, None, None),
        Err(StudioError::State(_))
    ));
    let err = session
        .set_video(shopcast_studio::settings::VideoChoice::File {
            path: "/nonexistent/clip.mp4".into(),
            once: false,
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(
        session.settings().video,
        shopcast_studio::settings::VideoChoice::Test
    );
    let err = session
        .set_video(shopcast_studio::settings::VideoChoice::Camera {
            id: "no-such-camera".into(),
        })
        .unwrap_err();
    assert!(
        err.message().contains("no-such-camera"),
        "{}",
        err.message()
    );
    assert_eq!(
        session.settings().video,
        shopcast_studio::settings::VideoChoice::Test,
        "a failed switch keeps the old source"
    );
    let before = session.preview_frames();
    std::thread::sleep(Duration::from_millis(800));
    assert!(session.preview_frames() > before, "the preview still runs");
    // A destination that cannot resolve is not stored.
    assert!(
        session
            .save_destination(DestinationInput::Custom {
                name: "bad".into(),
                url: "http://not-rtmp".into(),
                stream_key: Some("k".into()),
            })
            .is_err()
    );
    assert!(session.list_destinations().unwrap().is_empty());
    assert!(matches!(
        session.go_live(&[], true),
        Err(StudioError::Invalid { .. })
    ));
    // Room messages with no room say so.
    let err = session
        .room_send(
            serde_json::from_value::<ClientMsg>(serde_json::json!({"type":"barrage","text":"hi"}))
                .unwrap(),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::State);
    session.leave_mode().unwrap();
    assert_eq!(session.view().phase, PhaseName::Choosing);
}

#[test]
fn a_broken_media_file_is_a_coded_notice_and_the_preview_keeps_running() {
    use shopcast_studio::mixer::MixerSource;
    use shopcast_studio::notice::Notice;
    use shopcast_studio::scenes::LayerSource;
    use shopcast_studio::settings::VideoChoice;

    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = common::small_session(&rig, Mode::Rehearsal);
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("broken.mp4");
    shopcast_testkit::garbage_file(&garbage).unwrap();

    // The file's sound as a mixer strip, and its picture in a scene.
    session
        .add_mixer_input(MixerSource::File {
            path: garbage.clone(),
        })
        .unwrap();
    session
        .add_layer(
            "camera",
            LayerSource::Video {
                video: VideoChoice::File {
                    path: garbage,
                    once: false,
                },
            },
        )
        .unwrap();
    let start = Instant::now();
    let (mut picture, mut sound) = (false, false);
    while !(picture && sound) && start.elapsed() < Duration::from_secs(20) {
        for w in session.view().warnings {
            match w.notice {
                Notice::PictureSourceStopped { source, .. } => {
                    picture |= source.contains("broken.mp4")
                }
                Notice::SoundSourceStopped { source, .. } => sound |= source.contains("broken.mp4"),
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        picture && sound,
        "coded notices for both: {:?}",
        session.view().warnings
    );
    assert!(
        session
            .view()
            .warnings
            .iter()
            .all(|w| !w.text.is_empty() && !matches!(w.notice, Notice::ProgramFailed { .. })),
        "nothing else failed"
    );
    // The preview still runs: the program went on without the file.
    assert_eq!(preview_frames(&session.preview_url(), 3).len(), 3);
}
