//! `shopcast doctor` on this machine, and on a GStreamer whose plugin
//! folder lacks x264 and both RTMP plugins (a copy of the system's
//! folder, less three files, with its own registry): the check names
//! the missing parts and the package that provides them, and exits 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn doctor(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shopcast"));
    c.arg("doctor").args(args).env("WGPU_BACKEND", "vulkan");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run shopcast doctor")
}

fn requirement<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["requirement"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report}"))
}

/// The system's GStreamer plugin folder, from pkg-config.
fn system_plugins() -> PathBuf {
    let out = Command::new("pkg-config")
        .args(["--variable=pluginsdir", "gstreamer-1.0"])
        .output()
        .expect("pkg-config");
    assert!(out.status.success(), "pkg-config found no gstreamer-1.0");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

#[test]
fn this_machine_has_everything_and_says_so() {
    let out = doctor(&["--json"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["ok"], true, "{report:#}");
    assert_eq!(report["package_manager"], "apt", "Debian");
    for name in [
        "gstreamer",
        "h264_encoder",
        "aac_encoder",
        "flv_muxer",
        "rtmp_sink",
        "matroska_muxer",
        "mp4_muxer",
        "video_convert",
        "audio_convert",
        "gpu_adapter",
        "webkit",
        "assets",
    ] {
        assert_eq!(requirement(&report, name)["state"]["state"], "ok", "{name}");
    }
    assert_eq!(
        requirement(&report, "h264_encoder")["state"]["found"],
        "x264enc"
    );

    let text = doctor(&[], &[]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("ok       an H.264 video encoder: x264enc"),
        "{text}"
    );
    assert!(text.contains("Everything Shopcast Studio needs is installed."));
}

#[test]
fn a_missing_plugin_is_named_with_its_package_and_exit_status_2() {
    let system = system_plugins();
    let dir = tempfile::tempdir().expect("tempdir");
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).expect("mkdir");
    let removed = ["libgstx264.so", "libgstrtmp.so", "libgstrtmp2.so"];
    for entry in std::fs::read_dir(&system).expect("plugin folder") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".so") && !removed.contains(&name) {
            std::os::unix::fs::symlink(&path, plugins.join(name)).expect("symlink");
        }
    }
    for name in removed {
        assert!(
            system.join(name).exists(),
            "{name} must be installed for this test to remove it"
        );
    }
    let registry = dir.path().join("registry.bin");
    let env = [
        ("GST_PLUGIN_SYSTEM_PATH", plugins.as_path()),
        ("GST_REGISTRY", registry.as_path()),
    ];

    let out = doctor(&["--json"], &env);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["ok"], false);
    let problems: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["state"]["state"] != "ok")
        .map(|c| c["requirement"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(problems, ["h264_encoder", "rtmp_sink"]);
    assert_eq!(
        requirement(&report, "h264_encoder")["fix"]["packages"],
        serde_json::json!(["gstreamer1.0-plugins-ugly"])
    );
    assert_eq!(
        report["install_all"],
        "sudo apt install gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad"
    );

    let text = doctor(&[], &env);
    assert_eq!(text.status.code(), Some(2));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("MISSING  an H.264 video encoder (none of: x264enc, nvh264enc"),
        "{text}"
    );
    assert!(
        text.contains("fix: sudo apt install gstreamer1.0-plugins-bad"),
        "{text}"
    );
    assert!(text.contains("2 problem(s)"), "{text}");
}
