//! The start-up check: are the GStreamer elements, the GPU adapter and
//! (on Linux) the WebKitGTK the studio needs present, and if not, what
//! to install.
//!
//! [`evaluate`] turns what was found ([`Probe`]) into a [`DoctorReport`]
//! of typed checks, each naming its fix for the user's OS and package
//! manager. The window renders them in its own language from the codes;
//! [`Check::describe`] is the English line for the CLI and the logs.
//! [`run`] probes the real system.

mod packages;
mod probe;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use packages::{PackageManager, PluginSet};
pub use probe::run;

use shopcast_media::runtime::Os;

/// The oldest GStreamer the studio is built against (the bindings'
/// `v1_20` feature).
pub const MIN_GSTREAMER: (u32, u32, u32) = (1, 20, 0);
/// The oldest WebKitGTK 4.1 whose symbols the window links: 2.42
/// (dpkg-shlibdeps asks for 2.41.90, its beta; the `.deb` declares it).
pub const MIN_WEBKIT: (u32, u32, u32) = (2, 42, 0);

/// What the studio needs, one check each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// GStreamer itself, at [`MIN_GSTREAMER`] or newer.
    Gstreamer,
    /// `x264enc` or a hardware H.264 encoder.
    H264Encoder,
    /// An AAC encoder.
    AacEncoder,
    FlvMuxer,
    /// `rtmpsink` or `rtmp2sink`.
    RtmpSink,
    MatroskaMuxer,
    Mp4Muxer,
    VideoConvert,
    AudioConvert,
    /// A Vulkan (or other wgpu) adapter for the effects.
    GpuAdapter,
    /// WebKitGTK 4.1 (Linux only: the window's web view).
    Webkit,
    /// The app's own files: colour filters (LUTs) and other assets.
    Assets,
}

impl Requirement {
    /// The GStreamer elements that satisfy it (any one will do).
    pub fn elements(self) -> Vec<&'static str> {
        use shopcast_media::encoder::{AAC_ENCODERS, HARDWARE_H264_ENCODERS};
        match self {
            Requirement::H264Encoder => {
                let mut v = vec!["x264enc"];
                v.extend_from_slice(HARDWARE_H264_ENCODERS);
                v
            }
            Requirement::AacEncoder => AAC_ENCODERS.to_vec(),
            Requirement::FlvMuxer => vec!["flvmux"],
            Requirement::RtmpSink => shopcast_media::output::RTMP_SINKS.to_vec(),
            Requirement::MatroskaMuxer => vec!["matroskamux"],
            Requirement::Mp4Muxer => vec!["mp4mux"],
            Requirement::VideoConvert => vec!["videoconvert"],
            Requirement::AudioConvert => vec!["audioconvert"],
            Requirement::Gstreamer
            | Requirement::GpuAdapter
            | Requirement::Webkit
            | Requirement::Assets => Vec::new(),
        }
    }

    /// The GStreamer plugin set whose package provides the first (the
    /// software) element.
    pub fn plugin_set(self) -> Option<PluginSet> {
        Some(match self {
            Requirement::Gstreamer => PluginSet::Core,
            Requirement::H264Encoder => PluginSet::Ugly,
            Requirement::AacEncoder => PluginSet::Libav,
            Requirement::FlvMuxer | Requirement::MatroskaMuxer | Requirement::Mp4Muxer => {
                PluginSet::Good
            }
            Requirement::RtmpSink => PluginSet::Bad,
            Requirement::VideoConvert | Requirement::AudioConvert => PluginSet::Base,
            Requirement::GpuAdapter | Requirement::Webkit | Requirement::Assets => return None,
        })
    }

    /// Plain English, for the CLI and logs.
    pub fn title(self) -> &'static str {
        match self {
            Requirement::Gstreamer => "GStreamer",
            Requirement::H264Encoder => "an H.264 video encoder",
            Requirement::AacEncoder => "an AAC audio encoder",
            Requirement::FlvMuxer => "the FLV muxer (for RTMP)",
            Requirement::RtmpSink => "the RTMP output",
            Requirement::MatroskaMuxer => "the Matroska muxer (recordings)",
            Requirement::Mp4Muxer => "the MP4 muxer (recordings)",
            Requirement::VideoConvert => "video conversion",
            Requirement::AudioConvert => "audio conversion",
            Requirement::GpuAdapter => "a GPU adapter (Vulkan or other) for effects",
            Requirement::Webkit => "WebKitGTK 4.1 (the window)",
            Requirement::Assets => "the app's assets (colour filters)",
        }
    }
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CheckState {
    /// Present: the element, version or adapter found.
    Ok { found: String },
    /// Absent: `wanted` lists what would do (elements, libraries), and
    /// `detail` why it failed where there was a reason.
    Missing {
        wanted: Vec<String>,
        detail: Option<String>,
    },
    /// Present but older than the studio needs.
    TooOld { found: String, needed: String },
}

/// How to fix a failed check on this machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Fix {
    /// Install distribution packages; `command` is the line to type.
    Packages {
        manager: PackageManager,
        packages: Vec<String>,
        command: String,
    },
    /// A Linux whose package manager is not known: the plugin set or
    /// library to look for.
    AnyPackageManager { what: String },
    /// Windows and macOS: the app ships GStreamer, so a missing part is a
    /// broken install; the official runtime installer also fixes it.
    GstreamerInstaller { url: String },
    /// No usable GPU adapter on Windows or macOS: the graphics driver.
    GraphicsDriver,
    /// The app's own files are gone: only reinstalling brings them back.
    Reinstall,
}

/// One requirement, what was found, and the fix when it failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Check {
    pub requirement: Requirement,
    pub state: CheckState,
    pub fix: Option<Fix>,
}

impl Check {
    pub fn is_ok(&self) -> bool {
        matches!(self.state, CheckState::Ok { .. })
    }

    /// One English line: "ok: …" or "missing: …; install: …".
    pub fn describe(&self) -> String {
        let title = self.requirement.title();
        let mut line = match &self.state {
            CheckState::Ok { found } => return format!("ok       {title}: {found}"),
            CheckState::Missing { wanted, detail } => {
                let mut s = format!("MISSING  {title}");
                if !wanted.is_empty() {
                    s.push_str(&format!(" (none of: {})", wanted.join(", ")));
                }
                if let Some(d) = detail {
                    s.push_str(&format!(": {d}"));
                }
                s
            }
            CheckState::TooOld { found, needed } => {
                format!("TOO OLD  {title}: {found}, needs {needed} or newer")
            }
        };
        match &self.fix {
            Some(Fix::Packages { command, .. }) => line.push_str(&format!("\n         fix: {command}")),
            Some(Fix::AnyPackageManager { what }) => {
                line.push_str(&format!("\n         fix: install {what} with your package manager"))
            }
            Some(Fix::GstreamerInstaller { url }) => line.push_str(&format!(
                "\n         fix: reinstall Shopcast Studio, or install the GStreamer runtime from {url}"
            )),
            Some(Fix::GraphicsDriver) => {
                line.push_str("\n         fix: install or update the graphics driver")
            }
            Some(Fix::Reinstall) => line.push_str("\n         fix: reinstall Shopcast Studio"),
            None => {}
        }
        line
    }
}

/// Every check, in a fixed order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DoctorReport {
    /// `linux`, `windows` or `macos`.
    pub platform: String,
    /// The package manager the fixes name (`unknown` off Linux or on an
    /// unrecognised distribution).
    pub package_manager: PackageManager,
    pub checks: Vec<Check>,
    /// Every check passed.
    pub ok: bool,
    /// One command that installs every missing package, where the
    /// package manager is known.
    pub install_all: Option<String>,
}

impl DoctorReport {
    /// The checks that failed.
    pub fn problems(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.is_ok())
    }
}

/// What was found on the machine; [`evaluate`] judges it.
pub struct Probe<'a> {
    pub os: Os,
    /// `/etc/os-release`, on Linux.
    pub os_release: Option<&'a str>,
    /// GStreamer's version, or why it would not initialise.
    pub gstreamer: Result<(u32, u32, u32), String>,
    /// Whether an element factory is registered.
    pub has_element: &'a dyn Fn(&str) -> bool,
    /// The adapter wgpu would use ("llvmpipe (Vulkan, Cpu)"), or why none.
    pub gpu: Result<String, String>,
    /// WebKitGTK's version, or why it could not be read; `None` off Linux.
    pub webkit: Option<Result<(u32, u32, u32), String>>,
    /// The assets folder in use, or why there is none.
    pub assets: Result<String, String>,
}

fn version_string((a, b, c): (u32, u32, u32)) -> String {
    format!("{a}.{b}.{c}")
}

/// Judges a probe: one check per requirement, with fixes for this OS.
pub fn evaluate(p: &Probe<'_>) -> DoctorReport {
    let manager = match p.os {
        Os::Linux => p
            .os_release
            .map(PackageManager::from_os_release)
            .unwrap_or(PackageManager::Unknown),
        Os::Windows | Os::MacOs => PackageManager::Unknown,
    };
    let fix_for = |req: Requirement| packages::fix(p.os, manager, req);
    let mut checks = Vec::new();

    let gst_state = versioned(&p.gstreamer, MIN_GSTREAMER, "libgstreamer-1.0");
    // An old GStreamer still lists its elements; one that will not
    // start lists none, so each is reported with its package.
    let gst_ok = p.gstreamer.is_ok();
    checks.push(make_check(Requirement::Gstreamer, gst_state, &fix_for));

    for req in [
        Requirement::H264Encoder,
        Requirement::AacEncoder,
        Requirement::FlvMuxer,
        Requirement::RtmpSink,
        Requirement::MatroskaMuxer,
        Requirement::Mp4Muxer,
        Requirement::VideoConvert,
        Requirement::AudioConvert,
    ] {
        let wanted = req.elements();
        let present = if gst_ok {
            wanted.iter().find(|e| (p.has_element)(e))
        } else {
            None
        };
        let state = match present {
            Some(e) => CheckState::Ok {
                found: (*e).to_string(),
            },
            None => CheckState::Missing {
                wanted: wanted.iter().map(|s| s.to_string()).collect(),
                detail: None,
            },
        };
        checks.push(make_check(req, state, &fix_for));
    }

    let gpu_state = found(&p.gpu, "Vulkan");
    checks.push(make_check(Requirement::GpuAdapter, gpu_state, &fix_for));

    if let Some(webkit) = &p.webkit {
        let state = versioned(webkit, MIN_WEBKIT, "libwebkit2gtk-4.1.so.0");
        checks.push(make_check(Requirement::Webkit, state, &fix_for));
    }

    let assets_state = found(&p.assets, "luts/");
    checks.push(make_check(Requirement::Assets, assets_state, &fix_for));

    let ok = checks.iter().all(Check::is_ok);
    let mut all: Vec<String> = Vec::new();
    for c in &checks {
        if let Some(Fix::Packages { packages, .. }) = &c.fix {
            for p in packages {
                if !all.contains(p) {
                    all.push(p.clone());
                }
            }
        }
    }
    let install_all = (!all.is_empty()).then(|| manager.install_command(&all));
    DoctorReport {
        platform: match p.os {
            Os::Linux => "linux",
            Os::Windows => "windows",
            Os::MacOs => "macos",
        }
        .into(),
        package_manager: manager,
        checks,
        ok,
        install_all,
    }
}

/// A library's version against its minimum; `library` is what is
/// missing when it could not be read.
fn versioned(
    found: &Result<(u32, u32, u32), String>,
    min: (u32, u32, u32),
    library: &str,
) -> CheckState {
    match found {
        Ok(v) if *v >= min => CheckState::Ok {
            found: version_string(*v),
        },
        Ok(v) => CheckState::TooOld {
            found: version_string(*v),
            needed: version_string(min),
        },
        Err(e) => CheckState::Missing {
            wanted: vec![library.into()],
            detail: Some(e.clone()),
        },
    }
}

/// Something found (named) or not (with why).
fn found(probe: &Result<String, String>, wanted: &str) -> CheckState {
    match probe {
        Ok(name) => CheckState::Ok {
            found: name.clone(),
        },
        Err(e) => CheckState::Missing {
            wanted: vec![wanted.into()],
            detail: Some(e.clone()),
        },
    }
}

fn make_check(req: Requirement, state: CheckState, fix_for: &dyn Fn(Requirement) -> Fix) -> Check {
    let fix = match state {
        CheckState::Ok { .. } => None,
        _ => Some(fix_for(req)),
    };
    Check {
        requirement: req,
        state,
        fix,
    }
}

#[cfg(test)]
mod tests;
