//! Which package provides what, per package manager.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Fix, Requirement};
use shopcast_media::runtime::Os;

/// Where the official GStreamer runtime installers are.
pub const GSTREAMER_DOWNLOAD_URL: &str = "https://gstreamer.freedesktop.org/download/";

/// A Linux distribution's package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PackageManager {
    /// Debian, Ubuntu and their derivatives.
    Apt,
    /// Fedora, RHEL and their derivatives.
    Dnf,
    /// Arch and its derivatives.
    Pacman,
    Unknown,
}

impl PackageManager {
    /// From `/etc/os-release`: `ID`, then each word of `ID_LIKE`.
    pub fn from_os_release(text: &str) -> Self {
        let field = |key: &str| -> String {
            text.lines()
                .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
                .map(|v| {
                    v.trim()
                        .trim_matches(|c| c == '"' || c == '\'')
                        .to_lowercase()
                })
                .next()
                .unwrap_or_default()
        };
        let id = field("ID");
        let like = field("ID_LIKE");
        std::iter::once(id.as_str())
            .chain(like.split_whitespace())
            .find_map(|name| match name {
                "debian" | "ubuntu" => Some(PackageManager::Apt),
                "fedora" | "rhel" | "centos" => Some(PackageManager::Dnf),
                "arch" => Some(PackageManager::Pacman),
                _ => None,
            })
            .unwrap_or(PackageManager::Unknown)
    }

    pub(super) fn install_command(self, packages: &[String]) -> String {
        let list = packages.join(" ");
        match self {
            PackageManager::Apt => format!("sudo apt install {list}"),
            PackageManager::Dnf => format!("sudo dnf install {list}"),
            PackageManager::Pacman => format!("sudo pacman -S {list}"),
            PackageManager::Unknown => list,
        }
    }
}

/// GStreamer's plugin sets, each packaged on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PluginSet {
    Core,
    Base,
    Good,
    Bad,
    Ugly,
    Libav,
}

impl PluginSet {
    fn package(self, manager: PackageManager) -> &'static str {
        use PackageManager::*;
        use PluginSet::*;
        match (manager, self) {
            (Apt, Core) => "libgstreamer1.0-0",
            (Apt, Base) => "gstreamer1.0-plugins-base",
            (Apt, Good) => "gstreamer1.0-plugins-good",
            (Apt, Bad) => "gstreamer1.0-plugins-bad",
            (Apt, Ugly) => "gstreamer1.0-plugins-ugly",
            (Apt, Libav) => "gstreamer1.0-libav",
            (Dnf, Core) => "gstreamer1",
            (Dnf, Base) => "gstreamer1-plugins-base",
            (Dnf, Good) => "gstreamer1-plugins-good",
            (Dnf, Bad) => "gstreamer1-plugins-bad-free",
            // x264enc is in RPM Fusion's package of the same name.
            (Dnf, Ugly) => "gstreamer1-plugins-ugly",
            (Dnf, Libav) => "gstreamer1-plugin-libav",
            (Pacman, Core) => "gstreamer",
            (Pacman, Base) => "gst-plugins-base",
            (Pacman, Good) => "gst-plugins-good",
            (Pacman, Bad) => "gst-plugins-bad",
            (Pacman, Ugly) => "gst-plugins-ugly",
            (Pacman, Libav) => "gst-libav",
            (Unknown, Core) => "GStreamer 1.x",
            (Unknown, Base) => "GStreamer's base plugins",
            (Unknown, Good) => "GStreamer's good plugins",
            (Unknown, Bad) => "GStreamer's bad plugins",
            (Unknown, Ugly) => "GStreamer's ugly plugins",
            (Unknown, Libav) => "GStreamer's libav plugins",
        }
    }
}

fn packages(manager: PackageManager, req: Requirement) -> Vec<&'static str> {
    use PackageManager::*;
    match (req, manager) {
        (Requirement::GpuAdapter, Apt) => vec!["mesa-vulkan-drivers", "libvulkan1"],
        (Requirement::GpuAdapter, Dnf) => vec!["mesa-vulkan-drivers", "vulkan-loader"],
        // vulkan-swrast is Mesa's software Vulkan; a real GPU wants its
        // own vulkan-radeon / vulkan-intel / nvidia-utils.
        (Requirement::GpuAdapter, Pacman) => vec!["vulkan-icd-loader", "vulkan-swrast"],
        (Requirement::GpuAdapter, Unknown) => vec!["a Vulkan driver (Mesa's)"],
        (Requirement::Webkit, Apt) => vec!["libwebkit2gtk-4.1-0"],
        (Requirement::Webkit, Dnf) => vec!["webkit2gtk4.1"],
        (Requirement::Webkit, Pacman) => vec!["webkit2gtk-4.1"],
        (Requirement::Webkit, Unknown) => vec!["WebKitGTK 4.1"],
        (Requirement::Assets, _) => Vec::new(),
        (req, manager) => req
            .plugin_set()
            .map(|set| vec![set.package(manager)])
            .unwrap_or_default(),
    }
}

/// The fix for a failed requirement on this OS.
pub(super) fn fix(os: Os, manager: PackageManager, req: Requirement) -> Fix {
    match os {
        _ if req == Requirement::Assets => Fix::Reinstall,
        Os::Windows | Os::MacOs if req == Requirement::GpuAdapter => Fix::GraphicsDriver,
        Os::Windows | Os::MacOs => Fix::GstreamerInstaller {
            url: GSTREAMER_DOWNLOAD_URL.into(),
        },
        Os::Linux => {
            let names: Vec<String> = packages(manager, req)
                .into_iter()
                .map(String::from)
                .collect();
            match manager {
                PackageManager::Unknown => Fix::AnyPackageManager {
                    what: names.join(", "),
                },
                m => Fix::Packages {
                    manager: m,
                    command: m.install_command(&names),
                    packages: names,
                },
            }
        }
    }
}
