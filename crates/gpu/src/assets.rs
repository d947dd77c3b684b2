//! Finding the shipped assets (LUTs) on disk.
//!
//! Search order for the assets directory (the one holding `luts/`):
//! 1. `$SHOPCAST_ASSETS`, if set (packagers and tests point it anywhere);
//! 2. the installed app's resource folder, when the app named one with
//!    [`set_bundled_assets_dir`];
//! 3. the installers' resource folders, found from the executable:
//!    `../lib/Shopcast Studio/assets` (Linux `.deb`/`.rpm`, AppImage),
//!    `../Resources/assets` (macOS `.app`); this is how the `shopcast`
//!    CLI installed beside the app finds them;
//! 4. `assets/` beside the executable, or one to three levels up from it
//!    (Windows installs and `target/{debug,release}/` during development);
//! 5. the workspace's `assets/`, found from this crate's compile-time
//!    `CARGO_MANIFEST_DIR` (works for `cargo run` / `cargo test`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::GpuError;
use crate::settings::{LutArg, LutSource};

/// Environment variable that overrides the assets directory.
pub const ASSETS_ENV: &str = "SHOPCAST_ASSETS";

/// The product name the installers use for the app's folders
/// (`productName` in `src-tauri/tauri.conf.json`; a test keeps the two
/// equal).
pub const INSTALLED_NAME: &str = "Shopcast Studio";

/// Where an installer puts the assets, relative to the executable's
/// folder, per the bundle layouts in `docs/packaging.md`.
fn installed_candidates(exe_dir: &Path) -> [PathBuf; 2] {
    [
        exe_dir.join("../lib").join(INSTALLED_NAME).join("assets"),
        exe_dir.join("../Resources/assets"),
    ]
}

/// The installed app's resource folder. A process-wide value rather
/// than setting `$SHOPCAST_ASSETS`: changing the environment once
/// threads run is unsound.
static BUNDLED: OnceLock<PathBuf> = OnceLock::new();

/// Names the installed app's assets folder (the desktop shell's resource
/// folder). Ignored when it has no `luts/` or one was named already;
/// returns whether it was taken.
pub fn set_bundled_assets_dir(dir: &Path) -> bool {
    dir.join("luts").is_dir() && BUNDLED.set(dir.to_path_buf()).is_ok()
}

/// The assets directory, per the search order in the module docs, or
/// `None` when no candidate has a `luts/` folder.
pub fn assets_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(ASSETS_ENV) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = BUNDLED.get() {
        return Some(dir.clone());
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        if let Some(exe_dir) = exe.parent() {
            candidates.extend(installed_candidates(exe_dir));
        }
        let mut dir = exe.parent().map(Path::to_path_buf);
        for _ in 0..4 {
            let Some(d) = dir else { break };
            candidates.push(d.join("assets"));
            dir = d.parent().map(Path::to_path_buf);
        }
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets"));
    candidates.into_iter().find(|c| c.join("luts").is_dir())
}

fn luts_dir() -> Result<PathBuf, GpuError> {
    assets_dir().map(|d| d.join("luts")).ok_or_else(|| {
        GpuError::Unsupported(format!(
            "no assets directory with luts/ found; set {ASSETS_ENV}"
        ))
    })
}

/// Names of the shipped LUTs (file stems of `.png` / `.cube` files in
/// `<assets>/luts`), sorted, without duplicates.
pub fn list_luts() -> Vec<String> {
    let Ok(dir) = luts_dir() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("png") || e.eq_ignore_ascii_case("cube"))
        })
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The file a `--lut` argument refers to: paths as given, names looked
/// up as `<assets>/luts/NAME.png` then `NAME.cube`.
pub fn resolve_lut(arg: &LutArg) -> Result<PathBuf, GpuError> {
    match &arg.source {
        LutSource::Path(p) => Ok(p.clone()),
        LutSource::Name(name) => {
            let dir = luts_dir()?;
            for ext in ["png", "cube"] {
                let p = dir.join(format!("{name}.{ext}"));
                if p.is_file() {
                    return Ok(p);
                }
            }
            Err(GpuError::UnknownLut {
                name: name.clone(),
                available: list_luts().join(", "),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_layouts_put_assets_in_the_resource_folder() {
        // A .deb: /usr/bin/shopcast finds /usr/lib/Shopcast Studio/assets.
        let [linux, _] = installed_candidates(Path::new("/usr/bin"));
        assert_eq!(linux, Path::new("/usr/bin/../lib/Shopcast Studio/assets"));
        // A .app: Contents/MacOS/shopcast finds Contents/Resources/assets.
        let [_, mac] = installed_candidates(Path::new(
            "/Applications/Shopcast Studio.app/Contents/MacOS",
        ));
        assert_eq!(
            mac,
            Path::new("/Applications/Shopcast Studio.app/Contents/MacOS/../Resources/assets")
        );
    }

    #[test]
    fn installed_name_is_the_bundles_product_name() {
        let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/tauri.conf.json");
        let text = std::fs::read_to_string(&conf).expect("tauri.conf.json");
        let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(json["productName"], INSTALLED_NAME);
    }
}
