//! A rehearsal runs a coupon, a flash sale and a keyword draw with the
//! simulated audience taking part; ending it produces a report with
//! real numbers, which the window is told about, which exports as CSV
//! and JSON, and which still opens once the rehearsal room is gone.

use std::time::{Duration, Instant};

use shopcast_room::activity::{
    ActivityOp, ActivitySpec, CouponSpec, Discount, DrawSpec, FlashSaleSpec,
};
use shopcast_studio::session::ReportFormat;
use shopcast_studio::{Mode, SessionEvent, StudioError};

mod common;
use common::{Rig, canvas};

#[test]
fn a_rehearsal_runs_activities_with_bots_and_reports_them() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = rig.open();
    let mut s = canvas(&session, 320, 180, "test");
    s.rehearsal.viewers = 40;
    s.rehearsal.take_part = 1.0;
    s.rehearsal.card_clicks_per_s = 10.0;
    session.save_settings(s).unwrap();
    session.enter_mode(Mode::Rehearsal, None, None).unwrap();
    session.start_rehearsal(true).unwrap();
    let lineup = session.lineup_next().unwrap();
    let on_screen = lineup
        .current
        .clone()
        .expect("a product on screen")
        .goods_id;
    let other = lineup
        .items
        .iter()
        .find(|i| i.product.goods_id != on_screen)
        .expect("a second product")
        .product
        .clone();

    let coupon = session
        .activity_op(ActivityOp::Create {
            spec: ActivitySpec::Coupon(CouponSpec {
                title: "新人立减".into(),
                discount: Discount::Percent { percent: 10 },
                min_spend: 0,
                currency: "CNY".into(),
                quantity: 1000,
                per_user: 1,
                duration_secs: 600,
                goods_id: None,
                exclude_muted: true,
            }),
        })
        .expect("a coupon");
    let sale = session
        .activity_op(ActivityOp::Create {
            spec: ActivitySpec::FlashSale(FlashSaleSpec {
                goods_id: other.goods_id.clone(),
                price: other.price / 2,
                quantity: other.stock.min(5) as u32,
                per_user: 1,
                duration_secs: 600,
            }),
        })
        .expect("a flash sale");
    let draw = ActivitySpec::Draw(DrawSpec {
        prize: "一盒龙井".into(),
        keyword: "666".into(),
        winners: 3,
        duration_secs: 600,
        exclude_muted: true,
    });
    let drawing = session
        .activity_op(ActivityOp::Create { spec: draw.clone() })
        .expect("a draw");
    // The room refuses a second draw on the same keyword, with its reason.
    match session.activity_op(ActivityOp::Create { spec: draw }) {
        Err(StudioError::Conflict(reason)) => assert!(reason.contains("666"), "{reason}"),
        other => panic!("{other:?}"),
    }
    rig.wait_for(
        "the activities in the window",
        Duration::from_secs(10),
        |e| matches!(e, SessionEvent::Activities(l) if l.len() >= 3),
    );
    // The simulated audience claims, buys and enters.
    let start = Instant::now();
    let took_part = |id: &str| {
        session
            .activities()
            .iter()
            .any(|a| a.id == id && a.taken > 0)
    };
    while !(took_part(&coupon) && took_part(&sale) && took_part(&drawing)) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the bots did not take part: {:?}",
            session.activities()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    session.end_live(true).unwrap();
    rig.wait_for("the report", Duration::from_secs(10), |e| {
        matches!(e, SessionEvent::ReportReady(_))
    });
    let summary = rig
        .events
        .lock()
        .unwrap()
        .iter()
        .find_map(|e| match e {
            SessionEvent::ReportReady(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap();
    assert!(summary.ended_at.is_some());
    let r = session.session_report(&summary.id).unwrap();
    let h = &r.headline;
    assert!(h.orders > 0 && h.units >= h.orders, "{h:?}");
    assert!(h.revenue.get("CNY").copied().unwrap_or(0) > 0, "{h:?}");
    assert!(
        h.barrage > 0 && h.coupon_claims > 0 && h.peak_online > 0,
        "{h:?}"
    );
    assert!(!r.timeline.is_empty());
    assert_eq!(r.windows[0].goods_id, on_screen);
    let shown = r.products.iter().find(|p| p.goods_id == on_screen).unwrap();
    assert!(shown.clicks_during + shown.views_during > 0, "{shown:?}");
    let ids: Vec<&str> = r.activities.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [coupon.as_str(), sale.as_str(), drawing.as_str()]);
    // The end of the session ended the draw: it drew its winners.
    let drawn = &r.activities[2];
    assert!(
        !drawn.winners.is_empty() && drawn.seed.is_some(),
        "{drawn:?}"
    );

    let csv = session
        .report_export(&summary.id, ReportFormat::Csv)
        .unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        shopcast_room::report::csv::COLUMNS.join(",")
    );
    let json = session
        .report_export(&summary.id, ReportFormat::Json)
        .unwrap();
    let back: shopcast_room::report::SessionReport =
        serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    assert_eq!(back, r);

    // The rehearsal room goes with the rehearsal; the report stays.
    session.leave_mode().unwrap();
    let list = session.session_reports().unwrap();
    assert_eq!(
        list.first().map(|s| s.id.as_str()),
        Some(summary.id.as_str())
    );
    assert_eq!(session.session_report(&summary.id).unwrap(), r);
    assert!(matches!(
        session.session_report("../../etc/passwd"),
        Err(StudioError::Invalid { .. })
    ));
}
