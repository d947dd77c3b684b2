//! Finding a GStreamer runtime that an installer put beside the app.
//!
//! The Windows and macOS installers carry their own GStreamer (the
//! system has none), and so may an AppImage. GStreamer only finds those
//! plugins, its plugin scanner and GIO's TLS module when told where they
//! are, through environment variables read by `gst::init`. This module
//! works out those variables from the executable's path for each
//! installed layout (see `docs/packaging.md`); [`apply_bundled_runtime`]
//! sets them. The Linux `.deb` and `.rpm` use the distribution's
//! GStreamer, so there nothing is set.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where GStreamer looks for plugins.
pub const PLUGIN_PATH_VAR: &str = "GST_PLUGIN_SYSTEM_PATH";
/// The helper that loads each plugin once to list its elements.
pub const PLUGIN_SCANNER_VAR: &str = "GST_PLUGIN_SCANNER";
/// GIO's modules (TLS for `rtmps://`).
pub const GIO_MODULES_VAR: &str = "GIO_EXTRA_MODULES";

/// The installed layouts this module knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
    MacOs,
}

impl Os {
    /// The OS this binary was built for.
    pub const fn current() -> Self {
        if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Linux
        }
    }
}

/// The variables that point GStreamer at a bundled runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledRuntime {
    /// The runtime's root (the folder holding `lib/gstreamer-1.0`).
    pub root: PathBuf,
    /// `(variable, value)`, only for paths that exist.
    pub vars: Vec<(&'static str, PathBuf)>,
}

/// The bundled runtime for an app whose executable is `exe`, or `None`
/// when the layout has no GStreamer beside it (a `.deb`, a `cargo run`).
/// `appdir` is `$APPDIR` (set by an AppImage's runtime); `exists` says
/// whether a path exists, so the logic is testable for every OS here.
pub fn bundled_runtime(
    os: Os,
    exe: &Path,
    appdir: Option<&Path>,
    exists: impl Fn(&Path) -> bool,
) -> Option<BundledRuntime> {
    let exe_dir = exe.parent()?;
    // (root, plugin folder, scanner, GIO modules)
    let (root, scanner) = match os {
        // The DLLs sit beside the exe (the loader needs them there before
        // main); the plugins and helpers are in a folder of their own.
        Os::Windows => {
            let root = exe_dir.join("gstreamer");
            let scanner = root.join("libexec/gstreamer-1.0/gst-plugin-scanner.exe");
            (root, scanner)
        }
        // Shopcast Studio.app/Contents/MacOS/exe → Contents/Frameworks.
        Os::MacOs => {
            let root = exe_dir
                .parent()?
                .join("Frameworks/GStreamer.framework/Versions/1.0");
            let scanner = root.join("libexec/gstreamer-1.0/gst-plugin-scanner");
            (root, scanner)
        }
        // An AppImage built with the bundler's media framework option
        // (linuxdeploy's GStreamer plugin layout). Anything else on Linux
        // uses the system's GStreamer.
        Os::Linux => {
            let root = appdir?.join("usr");
            let scanner = root.join("lib/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner");
            (root, scanner)
        }
    };
    let plugins = root.join("lib/gstreamer-1.0");
    if !exists(&plugins) {
        return None;
    }
    let mut vars = vec![(PLUGIN_PATH_VAR, plugins)];
    if exists(&scanner) {
        vars.push((PLUGIN_SCANNER_VAR, scanner));
    }
    let gio = root.join("lib/gio/modules");
    if exists(&gio) {
        vars.push((GIO_MODULES_VAR, gio));
    }
    Some(BundledRuntime { root, vars })
}

/// The variables of `runtime` that are not set already: a value the user
/// or a launcher (an AppImage's own hook) set wins.
pub fn vars_to_set(
    runtime: &BundledRuntime,
    current: impl Fn(&str) -> Option<OsString>,
) -> Vec<(&'static str, PathBuf)> {
    runtime
        .vars
        .iter()
        .filter(|(name, _)| current(name).is_none_or(|v| v.is_empty()))
        .cloned()
        .collect()
}

/// Points GStreamer at the runtime bundled with this executable, if
/// there is one; returns what it set.
///
/// # Safety
/// Changes the process environment, so it must run before any other
/// thread exists: first thing in `main`, before logging or `gst::init`.
pub unsafe fn apply_bundled_runtime() -> Vec<(&'static str, PathBuf)> {
    let Ok(exe) = std::env::current_exe() else {
        return Vec::new();
    };
    let appdir = std::env::var_os("APPDIR").map(PathBuf::from);
    let Some(runtime) = bundled_runtime(Os::current(), &exe, appdir.as_deref(), Path::exists)
    else {
        return Vec::new();
    };
    let set = vars_to_set(&runtime, |name| std::env::var_os(name));
    for (name, value) in &set {
        // SAFETY: the caller guarantees no other thread runs yet.
        unsafe { std::env::set_var(name, value) };
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn fs(paths: &[&str]) -> impl Fn(&Path) -> bool + use<> {
        let set: HashSet<PathBuf> = paths.iter().map(PathBuf::from).collect();
        move |p: &Path| set.contains(p)
    }

    fn var<'a>(rt: &'a BundledRuntime, name: &str) -> Option<&'a Path> {
        rt.vars
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| p.as_path())
    }

    #[test]
    fn windows_runtime_sits_in_a_folder_beside_the_exe() {
        let exists = fs(&[
            "C:/Program Files/Shopcast Studio/gstreamer/lib/gstreamer-1.0",
            "C:/Program Files/Shopcast Studio/gstreamer/libexec/gstreamer-1.0/gst-plugin-scanner.exe",
            "C:/Program Files/Shopcast Studio/gstreamer/lib/gio/modules",
        ]);
        let exe = Path::new("C:/Program Files/Shopcast Studio/shopcast-studio.exe");
        let rt = bundled_runtime(Os::Windows, exe, None, exists).expect("found");
        assert_eq!(
            var(&rt, PLUGIN_PATH_VAR),
            Some(Path::new(
                "C:/Program Files/Shopcast Studio/gstreamer/lib/gstreamer-1.0"
            ))
        );
        assert_eq!(
            var(&rt, PLUGIN_SCANNER_VAR),
            Some(Path::new(
                "C:/Program Files/Shopcast Studio/gstreamer/libexec/gstreamer-1.0/gst-plugin-scanner.exe"
            ))
        );
        assert_eq!(
            var(&rt, GIO_MODULES_VAR),
            Some(Path::new(
                "C:/Program Files/Shopcast Studio/gstreamer/lib/gio/modules"
            ))
        );
    }

    #[test]
    fn macos_runtime_is_the_framework_in_contents() {
        let fw = "/Applications/Shopcast Studio.app/Contents/Frameworks/GStreamer.framework/Versions/1.0";
        let plugins = format!("{fw}/lib/gstreamer-1.0");
        let scanner = format!("{fw}/libexec/gstreamer-1.0/gst-plugin-scanner");
        let exists = fs(&[&plugins, &scanner]);
        let exe = Path::new("/Applications/Shopcast Studio.app/Contents/MacOS/shopcast-studio");
        let rt = bundled_runtime(Os::MacOs, exe, None, exists).expect("found");
        assert_eq!(rt.root, Path::new(fw));
        assert_eq!(var(&rt, PLUGIN_PATH_VAR), Some(Path::new(&plugins)));
        assert_eq!(var(&rt, PLUGIN_SCANNER_VAR), Some(Path::new(&scanner)));
        // No GIO modules in this bundle: the variable is left alone
        // rather than pointed at nothing.
        assert_eq!(var(&rt, GIO_MODULES_VAR), None);
    }

    #[test]
    fn linux_packages_use_the_system_gstreamer() {
        // A .deb puts the exe in /usr/bin, with the system's plugins in
        // /usr/lib: nothing to set, even though the folder exists.
        let exists = fs(&[
            "/usr/lib/gstreamer-1.0",
            "/usr/lib/x86_64-linux-gnu/gstreamer-1.0",
        ]);
        let exe = Path::new("/usr/bin/shopcast-studio");
        assert_eq!(bundled_runtime(Os::Linux, exe, None, exists), None);
    }

    #[test]
    fn appimage_runtime_is_under_appdir() {
        let exists = fs(&[
            "/tmp/.mount_x/usr/lib/gstreamer-1.0",
            "/tmp/.mount_x/usr/lib/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner",
        ]);
        let exe = Path::new("/tmp/.mount_x/usr/bin/shopcast-studio");
        let rt = bundled_runtime(Os::Linux, exe, Some(Path::new("/tmp/.mount_x")), exists)
            .expect("found");
        assert_eq!(
            var(&rt, PLUGIN_SCANNER_VAR),
            Some(Path::new(
                "/tmp/.mount_x/usr/lib/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner"
            ))
        );
    }

    #[test]
    fn a_layout_without_plugins_sets_nothing() {
        // A scanner without plugins is a broken install, not a runtime.
        let exists = fs(&["C:/app/gstreamer/libexec/gstreamer-1.0/gst-plugin-scanner.exe"]);
        assert_eq!(
            bundled_runtime(Os::Windows, Path::new("C:/app/x.exe"), None, exists),
            None
        );
        // A macOS binary run from a plain folder (cargo run) has no
        // Contents/Frameworks.
        assert_eq!(
            bundled_runtime(Os::MacOs, Path::new("/x/target/debug/x"), None, fs(&[])),
            None
        );
    }

    #[test]
    fn values_already_set_win() {
        let rt = BundledRuntime {
            root: PathBuf::from("/r"),
            vars: vec![
                (PLUGIN_PATH_VAR, PathBuf::from("/r/lib/gstreamer-1.0")),
                (PLUGIN_SCANNER_VAR, PathBuf::from("/r/scanner")),
                (GIO_MODULES_VAR, PathBuf::from("/r/gio")),
            ],
        };
        let set = vars_to_set(&rt, |name| match name {
            PLUGIN_PATH_VAR => Some(OsString::from("/mine")),
            // Empty counts as unset, as GStreamer treats it.
            GIO_MODULES_VAR => Some(OsString::new()),
            _ => None,
        });
        let names: Vec<_> = set.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, vec![PLUGIN_SCANNER_VAR, GIO_MODULES_VAR]);
    }
}
