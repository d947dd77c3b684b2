//! Probing the real machine for [`super::evaluate`].

use shopcast_media::gst;
use shopcast_media::runtime::Os;

use super::{DoctorReport, Probe, evaluate};

/// Checks this machine: GStreamer and its elements, the GPU adapter,
/// and WebKitGTK on Linux. Takes a fraction of a second (the GPU
/// adapter is listed, not opened); call it off the UI thread.
pub fn run() -> DoctorReport {
    let os = Os::current();
    let os_release = read_os_release();
    let gstreamer = shopcast_media::init().map_err(|e| e.to_string()).map(|()| {
        let (major, minor, micro, _nano) = gst::version();
        (major, minor, micro)
    });
    let has_element = |name: &str| gst::ElementFactory::find(name).is_some();
    let gpu = shopcast_gpu::probe_adapter()
        .map(|info| format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type))
        .map_err(|e| e.to_string());
    let webkit = matches!(os, Os::Linux).then(webkit_version);
    let assets = match shopcast_gpu::assets_dir() {
        Some(dir) if !shopcast_gpu::list_luts().is_empty() => {
            // The resolved folder, so a script can tell which copy is used.
            Ok(std::fs::canonicalize(&dir)
                .unwrap_or(dir)
                .display()
                .to_string())
        }
        Some(dir) => Err(format!(
            "no colour filters in {}",
            dir.join("luts").display()
        )),
        None => Err(format!(
            "no assets folder found beside the app; {} can name one",
            shopcast_gpu::ASSETS_ENV
        )),
    };
    evaluate(&Probe {
        os,
        os_release: os_release.as_deref(),
        gstreamer,
        has_element: &has_element,
        gpu,
        webkit,
        assets,
    })
}

fn read_os_release() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
}

/// WebKitGTK 4.1's run-time version, read from the library itself: the
/// CLI does not link it, and the version a package manager reports can
/// differ from the one the loader finds.
#[cfg(target_os = "linux")]
fn webkit_version() -> Result<(u32, u32, u32), String> {
    const LIB: &str = "libwebkit2gtk-4.1.so.0";
    type Getter = unsafe extern "C" fn() -> u32;
    // SAFETY: loading runs WebKitGTK's initialisers, which only register
    // types; the three getters take nothing and return a guint.
    unsafe {
        let lib = libloading::Library::new(LIB).map_err(|e| format!("{LIB}: {e}"))?;
        let get = |sym: &[u8]| -> Result<u32, String> {
            let f = lib.get::<Getter>(sym).map_err(|e| format!("{LIB}: {e}"))?;
            Ok(f())
        };
        let version = (
            get(b"webkit_get_major_version\0")?,
            get(b"webkit_get_minor_version\0")?,
            get(b"webkit_get_micro_version\0")?,
        );
        // Never unloaded: GLib types it registered cannot be unregistered,
        // and the window keeps it loaded anyway.
        std::mem::forget(lib);
        Ok(version)
    }
}

#[cfg(not(target_os = "linux"))]
fn webkit_version() -> Result<(u32, u32, u32), String> {
    Err("WebKitGTK is only used on Linux".into())
}
