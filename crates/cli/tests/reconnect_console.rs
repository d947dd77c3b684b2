//! "Reconnect now" from the command line: a destination waiting a long
//! backoff after its server went away goes live again as soon as the
//! host types `reconnect`, long before its wait would have ended.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use shopcast_testkit::NginxRtmp;

/// The next stderr line that contains `want`, within `timeout`.
fn wait_line(lines: &mpsc::Receiver<String>, want: &str, timeout: Duration) -> Option<String> {
    let deadline = std::time::Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(l) if l.contains(want) => return Some(l),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

#[test]
fn typing_reconnect_skips_a_long_backoff() {
    let _g = shopcast_testkit::realtime_lock();
    let mut server = NginxRtmp::start().expect("nginx");
    let mut child = Command::new(env!("CARGO_BIN_EXE_shopcast"))
        .env("SHOPCAST_LOG", "warn")
        .args(["broadcast", "--size", "320x180", "--duration", "40"])
        .args(["--push", &server.url("console"), "--retry-delay", "120"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn shopcast");
    let (tx, lines) = mpsc::channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for l in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let mut stdin = child.stdin.take().expect("stdin");
    let long = Duration::from_secs(15);

    assert!(
        wait_line(&lines, "output push1: live", long).is_some(),
        "never live"
    );
    server.kill();
    let waiting = wait_line(&lines, "output push1: reconnecting 1/25", long)
        .expect("reconnecting after the server went away");
    assert!(waiting.contains("type \"reconnect\""), "{waiting}");
    server.restart().expect("nginx restarts on the same port");
    writeln!(stdin, "reconnect nosuch").expect("write to stdin");
    assert!(
        wait_line(&lines, "no output named \"nosuch\"", long).is_some(),
        "an unknown name is answered"
    );
    writeln!(stdin, "reconnect").expect("write to stdin");
    // The backoff is two minutes; the broadcast ends after 40 s. Live
    // again before it ends is reconnect-now's doing.
    let live = wait_line(&lines, "output push1: live", Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    assert!(live.is_some(), "not live again after typing reconnect");
}
