//! Finding the shipped assets (LUTs) on disk.
//!
//! Search order for the assets directory (the one holding `luts/`):
//! 1. `$SHOPCAST_ASSETS`, if set (packagers and tests point it anywhere);
//! 2. the installed app's resource folder, when the app named one with
//!    [`set_bundled_assets_dir`];
//! 3. `assets/` beside the executable, or one or two levels up from it
//!    (installed layouts and `target/{debug,release}/` during development);
//! 4. the workspace's `assets/`, found from this crate's compile-time
//!    `CARGO_MANIFEST_DIR` (works for `cargo run` / `cargo test`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::GpuError;
use crate::settings::{LutArg, LutSource};

/// Environment variable that overrides the assets directory.
pub const ASSETS_ENV: &str = "SHOPCAST_ASSETS";

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
