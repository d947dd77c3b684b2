//! Captures every tracing line (TRACE and up) written while signing,
//! saving, resolving and failing, plus the Display/Debug of every error and
//! target logged on the way, and greps the capture for secrets.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use shopcast_push::{
    BackendChoice, DestinationKind, Destinations, DynamicBitrate, DynamicBitrateConfig,
    EncryptedFileStore, Expiry, OutputState, PushTarget, ReconnectPolicy, Secret,
    TencentPushProtocol, TencentStream, open_secret_store,
};

const CSS_KEY: &str = "e12c46f2612d5106e2034781ab261ca3";
const PLAY_KEY: &str = "playkey-0f9e8d7c6b5a";
const STREAM: &str = "shopstream77";
const STREAM_KEY: &str = "live_998877_QwErTyUiOp";
const SRT_PASS: &str = "srt-pass-phrase-5150";
/// txSecret of CSS_KEY + STREAM + 5C271099:
/// `printf '%s' e12c46f2612d5106e2034781ab261ca3shopstream775C271099 | md5sum`.
const TX_SECRET: &str = "a43e4bab9bcad0f651a1877a38ee53a7";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("capture lock")).into_owned()
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// Logs an error the way the studio would: message, debug form, chain.
fn log_err(context: &str, e: &dyn std::error::Error) {
    tracing::error!(context, error = %e, debug = ?e, "operation failed");
    let mut source = e.source();
    while let Some(s) = source {
        tracing::error!(context, cause = %s, "caused by");
        source = s.source();
    }
}

fn exercise(dir: &std::path::Path) {
    // Sign every form, with a play key, and log the results' safe forms.
    let stream = TencentStream::new("push.example.com", None, STREAM, Some("play.example.com"))
        .expect("stream");
    let urls = stream
        .sign(
            CSS_KEY,
            Some(PLAY_KEY),
            &Expiry::At(1_546_064_025),
            at(1_546_000_000),
        )
        .expect("sign");
    tracing::info!(?urls, "signed");
    let rtmp = urls.push_target(TencentPushProtocol::Rtmp);
    let srt = urls.push_target(TencentPushProtocol::Srt);
    assert!(
        rtmp.expose_url().contains(TX_SECRET),
        "the vector above is right"
    );
    tracing::info!(target = %rtmp, debug = ?rtmp, "rtmp target");
    tracing::info!(target = %srt, debug = ?srt, gst = %srt.redactor().scrub(&srt.gst_location()), "srt target");

    // A sink error that quotes the URL, scrubbed into an event.
    let sink_error = format!(
        "Could not open resource {} for writing: {}",
        rtmp.expose_url(),
        srt.gst_location()
    );
    let state = OutputState::failed(&sink_error, &rtmp.redactor());
    tracing::warn!(event = %serde_json::to_string(&state).expect("json"), "output state");

    // Signing and parsing failures.
    for e in [
        stream
            .sign(CSS_KEY, None, &Expiry::At(10), at(20))
            .unwrap_err(),
        PushTarget::parse(&format!("http://h/live/{STREAM_KEY}")).unwrap_err(),
        PushTarget::parse(&format!("rtmp://h/{STREAM_KEY}")).unwrap_err(),
        PushTarget::parse(&format!("rtmp://h/live/{STREAM_KEY}?{}", "x".repeat(2000))).unwrap_err(),
        PushTarget::parse(&format!("srt://h?streamid={STREAM_KEY}")).unwrap_err(),
        PushTarget::parse(&format!(
            "srt://h:9000?streamid=s1&passphrase={}",
            &SRT_PASS[..5]
        ))
        .unwrap_err(),
        PushTarget::custom(&format!("rtmp://h/live?token={STREAM_KEY}"), STREAM_KEY).unwrap_err(),
    ] {
        log_err("parse/sign", &e);
    }

    // Save, resolve and fail through the destinations store.
    let mut dests = Destinations::open(
        dir,
        Box::new(EncryptedFileStore::open(dir).expect("secrets")),
    )
    .expect("open");
    dests
        .add(
            "css",
            DestinationKind::Tencent {
                domain: "push.example.com".into(),
                app: "live".into(),
                stream: STREAM.into(),
                expiry: Expiry::ValidFor(Duration::from_secs(3600)),
                protocol: TencentPushProtocol::Rtmp,
            },
            &Secret::new(CSS_KEY),
            at(1_000),
        )
        .expect("add css");
    dests
        .add(
            "custom",
            DestinationKind::Custom {
                server_url: "rtmps://live.example.com:443/app".into(),
            },
            &Secret::new(STREAM_KEY),
            at(0),
        )
        .expect("add custom");
    let (kind, query) = DestinationKind::srt_from_url(&format!(
        "srt://srt.example.com:9000?streamid=#!::r=live/{STREAM},m=publish&passphrase={SRT_PASS}"
    ))
    .expect("srt");
    dests.add("srt", kind, &query, at(0)).expect("add srt");
    for name in ["css", "custom", "srt"] {
        let t = dests.resolve(name, at(2_000)).expect("resolve");
        tracing::info!(name, target = %t, debug = ?t, "resolved");
    }
    tracing::info!(?dests, list = ?dests.list(), "destinations");
    log_err(
        "dup",
        &dests
            .add(
                "css",
                DestinationKind::Custom {
                    server_url: "rtmp://h/live".into(),
                },
                &Secret::new(STREAM_KEY),
                at(0),
            )
            .unwrap_err(),
    );
    log_err(
        "empty",
        &dests
            .add(
                "x",
                DestinationKind::Custom {
                    server_url: "rtmp://h/live".into(),
                },
                &Secret::new(" "),
                at(0),
            )
            .unwrap_err(),
    );

    // Wrong key file, then a corrupted secrets file.
    let key_path = dir.join(EncryptedFileStore::KEY_FILE_NAME);
    let good_key = std::fs::read(&key_path).expect("key");
    std::fs::write(&key_path, "11".repeat(32)).expect("swap key");
    log_err("wrong key", &dests.resolve("custom", at(0)).unwrap_err());
    std::fs::write(&key_path, good_key).expect("restore key");
    std::fs::write(dir.join(EncryptedFileStore::FILE_NAME), "{\"format\":1}").expect("corrupt");
    log_err("corrupt", &dests.resolve("css", at(0)).unwrap_err());
    dests.remove("custom").expect("remove");

    // The controllers log too; nothing secret in them, but capture anyway.
    let mut c = DynamicBitrate::new(4000, DynamicBitrateConfig::default()).expect("controller");
    c.update(900, 1500.0, Duration::from_secs(1));
    tracing::info!(stats = ?c.stats(), policy = ?ReconnectPolicy::default(), "controllers");

    // The auto-detected secret store: on a machine without a keychain this
    // logs the fallback notice. Only probed, never written to.
    let auto_dir = dir.join("auto");
    let store = open_secret_store(&auto_dir, BackendChoice::Auto).expect("some store");
    tracing::info!(backend = store.backend(), "secret backend");
}

#[test]
fn no_secret_appears_in_any_captured_log_line() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let dir = tempfile::tempdir().expect("tempdir");
    tracing::subscriber::with_default(subscriber, || exercise(dir.path()));

    let text = capture.text();
    assert!(
        text.lines().count() > 20,
        "the capture saw the logs:\n{text}"
    );
    assert!(text.contains("resolved push destination"), "{text}");
    assert!(
        text.contains("rtmp://push.example.com/live/***?***"),
        "{text}"
    );
    // A CSS StreamName is not a secret (every viewer's play URL holds it,
    // and the saved destination lists it); the keys and signatures are.
    for secret in [
        CSS_KEY,
        PLAY_KEY,
        STREAM_KEY,
        SRT_PASS,
        TX_SECRET,
        "txSecret=",
    ] {
        let hits: Vec<&str> = text.lines().filter(|l| l.contains(secret)).collect();
        assert!(hits.is_empty(), "{secret} leaked in:\n{}", hits.join("\n"));
    }
}
