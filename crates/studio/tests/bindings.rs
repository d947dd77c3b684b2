//! The desktop contract's TypeScript is generated from the Rust types
//! and checked in (`ui/src/ipc/bindings.ts`). This test regenerates it
//! and fails when the checked-in copy differs, so a field added to a
//! view type, a command or an event without regenerating fails CI.
//!
//! Regenerate with
//! `SHOPCAST_UPDATE_BINDINGS=1 cargo test -p shopcast-studio --test bindings`.

use std::path::PathBuf;

use shopcast_studio::ipc::bindings::{BINDINGS_PATH, first_difference, typescript};

fn workspace_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

#[test]
fn checked_in_bindings_match_the_rust_types() {
    let path = workspace_file(BINDINGS_PATH);
    let fresh = typescript();
    if std::env::var_os("SHOPCAST_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).expect("write the bindings");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some(diff) = first_difference(&checked_in, &fresh) {
        panic!(
            "{BINDINGS_PATH} is out of date with the Rust types ({diff}).\n\
             Regenerate it: SHOPCAST_UPDATE_BINDINGS=1 cargo test -p shopcast-studio --test bindings"
        );
    }
}

/// The window's capability grants the `studio` permission set, which
/// the desktop shell's build script writes from the same command list:
/// a checked-in set that lags behind would refuse a new command.
#[test]
fn the_permission_set_grants_exactly_the_commands() {
    let set = std::fs::read_to_string(workspace_file("src-tauri/permissions/studio.toml"))
        .expect("src-tauri/permissions/studio.toml");
    let mut granted: Vec<String> = set
        .lines()
        .filter_map(|l| l.trim().strip_prefix("\"allow-"))
        .filter_map(|l| l.strip_suffix("\","))
        .map(|c| c.replace('-', "_"))
        .collect();
    macro_rules! names {
        ($( $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty; )*) => {
            vec![$(stringify!($name).to_string()),*]
        };
    }
    let mut commands: Vec<String> = shopcast_studio::studio_commands!(names);
    granted.sort();
    commands.sort();
    assert_eq!(granted, commands);
}
