//! "Reconnect now" skips the backoff wait of an output that lost its
//! server, through the library API the studio's Output panel calls.

use std::time::{Duration, Instant};

use shopcast_media::{
    Broadcast, BroadcastConfig, BroadcastEvent, Canvas, DefaultProcessor, OutputState, PushOutput,
};
use shopcast_testkit::NginxRtmp;

fn wait_for(
    events: &std::sync::mpsc::Receiver<BroadcastEvent>,
    timeout: Duration,
    want: impl Fn(&OutputState) -> bool,
) -> Option<OutputState> {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(BroadcastEvent::Output { state, .. }) if want(&state) => return Some(state),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

#[test]
fn reconnect_now_skips_a_long_backoff() {
    let mut server = NginxRtmp::start().expect("nginx");
    let mut config = BroadcastConfig::new(Canvas::new(320, 180, 30).expect("canvas"));
    let target = shopcast_push::PushTarget::parse(&server.url("now")).expect("url");
    let mut out = PushOutput::new("main", target);
    // Long enough that only "reconnect now" can explain a quick return.
    out.reconnect.first_delay = Duration::from_secs(60);
    out.reconnect.jitter = 0.0;
    config.push.push(out);
    let mut bc = Broadcast::start(config, Box::new(DefaultProcessor::new())).expect("starts");
    let events = bc.take_events().expect("events");
    assert!(
        wait_for(&events, Duration::from_secs(10), |s| *s
            == OutputState::Live)
        .is_some()
    );

    server.kill();
    let reconnecting = wait_for(&events, Duration::from_secs(10), |s| {
        matches!(s, OutputState::Reconnecting { .. })
    })
    .expect("reconnecting after the server went away");
    assert!(
        matches!(reconnecting, OutputState::Reconnecting { attempt: 1, of: 25, next_try_in } if next_try_in == Duration::from_secs(60)),
        "{reconnecting:?}"
    );
    server.restart().expect("server back");
    let control = bc.output_control();
    assert!(control.reconnect_now("main"));
    assert!(!control.reconnect_now("no-such-output"));
    let live = wait_for(&events, Duration::from_secs(8), |s| *s == OutputState::Live);
    assert!(live.is_some(), "not live again within 8 s of reconnect now");
    let summary = bc.stop();
    assert!(summary.failures().is_empty(), "{:?}", summary.failures());
}
