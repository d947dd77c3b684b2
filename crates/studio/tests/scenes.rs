//! Scenes on the program, checked in the recording: a layer lands at
//! the pixels its box says, a switch changes the picture from one frame
//! to the next, and a fade blends over the frames its length covers.

use std::path::Path;
use std::time::Duration;

use shopcast_studio::scenes::{CropSides, Layer, LayerBox, LayerSource, Scene, Scenes};
use shopcast_studio::settings::{Settings, VideoChoice};
use shopcast_studio::{Mode, PhaseName, StudioError};

mod common;
use common::{Rig, canvas};

const W: u32 = 320;
const H: u32 = 180;

fn solid_png(path: &Path, w: u32, h: u32, rgb: [u8; 3]) {
    let rgba: Vec<u8> = (0..w * h)
        .flat_map(|_| [rgb[0], rgb[1], rgb[2], 255])
        .collect();
    let png = shopcast_gpu::encode_png_rgba(w, h, &rgba);
    std::fs::write(path, png).expect("write png");
}

/// The session's settings with a `w`x`h` canvas whose camera is a still
/// grey picture (written into `dir`), so every pixel's blend can be read.
fn grey_camera(session: &shopcast_studio::Session, dir: &Path, w: u32, h: u32) -> Settings {
    let grey = dir.join("grey.png");
    solid_png(&grey, w, h, [128, 128, 128]);
    let mut settings = canvas(session, w, h, "test");
    settings.video = VideoChoice::Image { path: grey };
    settings
}

fn picture(id: &str, path: &Path, rect: LayerBox) -> Layer {
    Layer {
        id: id.into(),
        source: LayerSource::Picture { path: path.into() },
        rect,
        crop: CropSides::default(),
        opacity: 1.0,
        visible: true,
    }
}

fn scene(id: &str, layers: Vec<Layer>) -> Scene {
    Scene {
        id: id.into(),
        name: id.into(),
        starter: None,
        layers,
    }
}

/// Orange and teal over a grey camera.
const ORANGE: [u8; 3] = [255, 128, 0];
const TEAL: [u8; 3] = [0, 128, 128];

fn near(p: &[u8], c: [u8; 3]) -> bool {
    p.iter()
        .zip(c)
        .all(|(&a, b)| (a as i32 - b as i32).abs() < 40)
}

fn is_orange(p: &[u8]) -> bool {
    near(p, ORANGE)
}

fn is_teal(p: &[u8]) -> bool {
    near(p, TEAL)
}

fn share(frame: &[u8], f: fn(&[u8]) -> bool) -> f64 {
    let n = frame.len() / 3;
    frame.chunks_exact(3).filter(|p| f(p)).count() as f64 / n as f64
}

fn px(frame: &[u8], x: u32, y: u32) -> &[u8] {
    let i = ((y * W + x) * 3) as usize;
    &frame[i..i + 3]
}

#[test]
fn scenes_switch_and_fade_on_air_and_layers_land_where_their_box_says() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = rig.open();
    let dir = tempfile::tempdir().expect("tmp");
    let settings = grey_camera(&session, dir.path(), W, H);
    session.save_settings(settings).expect("settings");
    session
        .enter_mode(Mode::Rehearsal, None, None)
        .expect("mode");
    let (teal, orange) = (dir.path().join("teal.png"), dir.path().join("orange.png"));
    solid_png(&teal, 8, 8, TEAL);
    solid_png(&orange, 8, 8, ORANGE);
    let boxed = LayerBox {
        x: 100,
        y: 50,
        width: 64,
        height: 36,
    };
    let full = LayerBox {
        x: 0,
        y: 0,
        width: W,
        height: H,
    };
    let mut scenes = Scenes {
        list: vec![
            scene("camera", vec![]),
            scene("boxed", vec![picture("teal", &teal, boxed)]),
            scene("orange", vec![picture("orange", &orange, full)]),
        ],
        active: "boxed".into(),
        fade_ms: 0,
    };
    session.set_scenes(scenes.clone()).expect("scenes saved");
    assert!(
        matches!(session.switch_scene("nope"), Err(StudioError::NotFound(_))),
        "an unknown scene is refused"
    );
    session.start_rehearsal(true).expect("on air");
    std::thread::sleep(Duration::from_millis(1500));
    session.switch_scene("orange").expect("cut to orange");
    std::thread::sleep(Duration::from_millis(1000));
    scenes.fade_ms = 300;
    scenes.active = "orange".into();
    session.set_scenes(scenes).expect("a fade");
    session.switch_scene("camera").expect("fade to the camera");
    std::thread::sleep(Duration::from_millis(1200));
    let view = session.end_live(true).expect("ended");
    assert_eq!(view.phase, PhaseName::Ended);
    assert_eq!(
        session.settings().scenes.active,
        "camera",
        "the choice is saved"
    );
    let recording = view.last_recording.expect("a recording");
    let (w, h, frames) = shopcast_testkit::all_frames_rgb(Path::new(&recording)).expect("decoded");
    assert_eq!((w, h), (W, H));
    let oranges: Vec<f64> = frames.iter().map(|f| share(f, is_orange)).collect();

    // The teal box: inside it teal, two pixels outside it not (chroma
    // is shared by 2x2 pixels).
    let first = &frames[5];
    for (x, y) in [(101, 51), (162, 51), (101, 84), (162, 84), (132, 68)] {
        assert!(
            is_teal(px(first, x, y)),
            "({x}, {y}) inside the box: {:?}",
            px(first, x, y)
        );
    }
    for (x, y) in [(98, 68), (166, 68), (132, 48), (132, 88)] {
        assert!(
            !is_teal(px(first, x, y)),
            "({x}, {y}) outside the box: {:?}",
            px(first, x, y)
        );
    }

    // The cut: one frame without orange, the next all orange.
    let cut = oranges
        .iter()
        .position(|&r| r > 0.98)
        .expect("the orange scene shows");
    assert!(cut > 5, "orange only after the switch (frame {cut})");
    assert!(
        oranges[cut - 1] < 0.02,
        "the frame before the cut is the old scene: {:.3}",
        oranges[cut - 1]
    );

    // The fade: from the orange run's last frame the picture goes to the
    // grey camera over the frames 300 ms covers (9 at 30 fps): blue
    // rises from orange's 0 to the grey's 128, never falling back.
    let blue = |f: &Vec<u8>| px(f, 5, 5)[2];
    let end = cut
        + frames[cut..]
            .iter()
            .position(|f| blue(f) > 10)
            .expect("orange ends");
    let blues: Vec<u8> = frames[end - 1..end + 15].iter().map(blue).collect();
    let between = blues.iter().filter(|&&b| b > 10 && b < 118).count();
    assert!(
        (5..=12).contains(&between),
        "{between} blended frames: {blues:?}"
    );
    assert!(
        blues.windows(2).all(|w| w[1] + 4 >= w[0]),
        "the blue only rises: {blues:?}"
    );
    assert!(
        blues[0] < 10 && blues[blues.len() - 1] > 118,
        "orange to grey: {blues:?}"
    );
}

#[test]
fn a_video_played_once_leaves_at_its_end_and_plays_again_each_time_its_scene_comes_on() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = rig.open();
    let dir = tempfile::tempdir().expect("tmp");
    // A one-second orange product video.
    let clip = dir.path().join("promo.mp4");
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("color=c=0xFF8000:s={W}x{H}:r=30:d=1"))
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&clip)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    let settings = grey_camera(&session, dir.path(), W, H);
    session.save_settings(settings).expect("settings");
    session
        .enter_mode(Mode::Rehearsal, None, None)
        .expect("mode");
    let once = VideoChoice::File {
        path: clip,
        once: true,
    };
    let mut promo = picture(
        "promo",
        Path::new("unused.png"),
        LayerBox {
            x: 0,
            y: 0,
            width: W,
            height: H,
        },
    );
    promo.source = LayerSource::Video {
        video: once.clone(),
    };
    session
        .set_scenes(Scenes {
            list: vec![scene("camera", vec![]), scene("promo", vec![promo])],
            active: "camera".into(),
            fade_ms: 0,
        })
        .expect("scenes saved");
    // The main source cannot be played once: it must keep running.
    let mut main_once = session.settings();
    main_once.video = once;
    assert!(matches!(
        session.save_settings(main_once),
        Err(StudioError::Invalid { .. })
    ));

    session.start_rehearsal(true).expect("on air");
    std::thread::sleep(Duration::from_millis(1500));
    session.switch_scene("promo").expect("the promo");
    std::thread::sleep(Duration::from_millis(2500));
    session.switch_scene("camera").expect("back");
    std::thread::sleep(Duration::from_millis(500));
    session.switch_scene("promo").expect("the promo again");
    std::thread::sleep(Duration::from_millis(2500));
    let view = session.end_live(true).expect("ended");
    let recording = view.last_recording.expect("a recording");
    let (_, _, frames) = shopcast_testkit::all_frames_rgb(Path::new(&recording)).expect("decoded");

    // Orange runs: the video each time its scene came on, about its
    // own second long; between and after them the grey camera, though
    // the promo scene stays on after the video's end.
    let orange: Vec<bool> = frames.iter().map(|f| share(f, is_orange) > 0.9).collect();
    let grey: Vec<bool> = frames
        .iter()
        .map(|f| share(f, |p| near(p, [128, 128, 128])) > 0.9)
        .collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < orange.len() {
        if orange[i] {
            let start = i;
            while i < orange.len() && orange[i] {
                i += 1;
            }
            runs.push((start, i - start));
        } else {
            i += 1;
        }
    }
    assert_eq!(runs.len(), 2, "two plays: {runs:?}");
    for &(start, len) in &runs {
        assert!((20..=40).contains(&len), "about a second each: {runs:?}");
        assert!(grey[start - 1], "grey before the play at {start}");
        assert!(
            grey[start + len..(start + len + 20).min(grey.len())]
                .iter()
                .all(|&g| g),
            "grey after the play at {start}, the scene still on: {runs:?}"
        );
    }
}

/// The share of pixels in `x0..x1` × `y0..y1` of a preview frame (RGBA
/// after its 24-byte header, `width` wide) that `f` accepts.
fn preview_share(frame: &[u8], width: u32, area: [u32; 4], f: fn(&[u8]) -> bool) -> f64 {
    let [x0, x1, y0, y1] = area;
    let px = &frame[24..];
    let hits = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| ((y * width + x) * 4) as usize))
        .filter(|&i| f(&px[i..i + 3]))
        .count();
    hits as f64 / ((x1 - x0) * (y1 - y0)) as f64
}

/// The card's panel: dark grey over the grey camera.
fn is_dark(p: &[u8]) -> bool {
    p.iter().all(|&c| c < 90)
}

#[test]
fn a_product_card_layer_puts_the_card_in_its_box_at_its_place_in_the_stack() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = rig.open();
    let dir = tempfile::tempdir().expect("tmp");
    let (w, h) = (640, 360);
    let teal = dir.path().join("teal.png");
    solid_png(&teal, 8, 8, TEAL);
    let mut settings = grey_camera(&session, dir.path(), w, h);
    // Outside a scene with a card layer, the card sits top right at
    // half size: 280x90 from (348, 12).
    settings.product_card = shopcast_studio::settings::ProductCardSettings {
        enabled: true,
        corner: shopcast_studio::settings::Corner::TopRight,
        scale: 0.5,
    };
    session.save_settings(settings).expect("settings");
    session
        .enter_mode(Mode::Rehearsal, None, None)
        .expect("mode");
    session.lineup_next().expect("a product explained");

    // "card": the card in a 280x90 box at (40, 200), half covered by a
    // teal picture stacked above it. "plain": no card layer. "hidden":
    // the card layer switched off.
    let card_box = LayerBox {
        x: 40,
        y: 200,
        width: 280,
        height: 90,
    };
    let mut card = picture("card", Path::new("unused.png"), card_box);
    card.source = LayerSource::ProductCard;
    let cover = picture(
        "cover",
        &teal,
        LayerBox {
            x: 40,
            y: 200,
            width: 100,
            height: 90,
        },
    );
    let mut hidden = card.clone();
    hidden.visible = false;
    let mut scenes = Scenes {
        list: vec![
            scene("card", vec![card, cover]),
            scene("plain", vec![]),
            scene("hidden", vec![hidden]),
        ],
        active: "card".into(),
        fade_ms: 0,
    };
    session.set_scenes(scenes.clone()).expect("scenes saved");
    let mut doubled = scenes.clone();
    doubled.list[1].layers = vec![scenes.list[0].layers[0].clone(); 2];
    assert!(
        matches!(
            session.set_scenes(doubled),
            Err(StudioError::Invalid { .. })
        ),
        "a scene shows the card once"
    );

    // Areas: the layer box's uncovered part, the covered part, the corner.
    let in_box = [150, 310, 205, 285];
    let covered = [45, 135, 205, 285];
    let corner = [348, 628, 12, 102];
    let wait = |what: &str, ok: &dyn Fn(&[u8]) -> bool| {
        let start = std::time::Instant::now();
        loop {
            let f = common::preview_frames(&session.preview_url(), 1).remove(0);
            if ok(&f) {
                return f;
            }
            let dark = |a| preview_share(&f, w, a, is_dark);
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{what}: dark share in the box {:.2}, in the corner {:.2}",
                dark(in_box),
                dark(corner)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let f = wait("the card in its layer's box", &|f| {
        preview_share(f, w, in_box, is_dark) > 0.5
    });
    assert!(
        preview_share(&f, w, covered, is_teal) > 0.95,
        "the picture stacked above covers the card"
    );
    assert!(
        preview_share(&f, w, corner, is_dark) < 0.02,
        "no second card in the corner"
    );

    session.switch_scene("plain").expect("plain");
    let f = wait("the card back in the corner", &|f| {
        preview_share(f, w, corner, is_dark) > 0.5
    });
    assert!(preview_share(&f, w, in_box, is_dark) < 0.02);

    session.switch_scene("hidden").expect("hidden");
    let f = wait("no card", &|f| preview_share(f, w, corner, is_dark) < 0.02);
    std::thread::sleep(Duration::from_millis(300));
    let f2 = common::preview_frames(&session.preview_url(), 1).remove(0);
    for f in [f, f2] {
        assert!(
            preview_share(&f, w, in_box, is_dark) < 0.02,
            "a hidden layer hides the card"
        );
    }

    // A bigger box draws a bigger card, centred in it: at scale 0.57
    // (320 / 560), 320x103 from (300, 49) in this 320x120 box.
    session.switch_scene("card").expect("card");
    let bigger = LayerBox {
        x: 300,
        y: 40,
        width: 320,
        height: 120,
    };
    session
        .set_layer_box("card", "card", bigger, CropSides::default(), true)
        .expect("moved");
    let f = wait("the card in its new box", &|f| {
        preview_share(f, w, [420, 615, 55, 147], is_dark) > 0.5
    });
    assert!(
        preview_share(&f, w, in_box, is_dark) < 0.02,
        "it left the old box"
    );
    for y in [44, 156] {
        assert!(
            preview_share(&f, w, [420, 615, y, y + 2], is_dark) < 0.05,
            "centred: nothing drawn at y = {y}"
        );
    }
    scenes.list[0].layers[0].rect = bigger;
    assert_eq!(
        session.settings().scenes.list[0],
        scenes.list[0],
        "the box is saved"
    );
}
