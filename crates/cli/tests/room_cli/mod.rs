//! Shared by the tests of the room subcommands (`lineup`, `room
//! status`): the real `shopcast` binary with the token only in
//! `SHOPCAST_TOKEN`, and tokens minted from a server's secret for the
//! room `shop` (also used by the cluster test).
// Each test binary uses only some of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use shopcast_room::protocol::Role;
use shopcast_room::token::{Claims, TokenSigner, now_unix};

/// Runs `shopcast ARGS` with `token` (if any) in `SHOPCAST_TOKEN` and
/// nothing inherited there.
pub fn shopcast(args: &[&str], token: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shopcast"));
    c.args(args).env_remove("SHOPCAST_TOKEN");
    if let Some(t) = token {
        c.env("SHOPCAST_TOKEN", t);
    }
    c.output().expect("run shopcast")
}

/// Output as trimmed text.
pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).trim().to_string()
}

/// A one-hour token for `user` in the room `shop`, signed with the
/// secret in the server's data folder `dir`.
pub fn mint(dir: &Path, role: Role, user: &str) -> String {
    TokenSigner::load_or_create(dir)
        .expect("the server's secret")
        .mint(&Claims {
            user: user.into(),
            room: "shop".into(),
            role,
            nick: user.into(),
            time: now_unix(),
            expire: 3600,
        })
        .expect("a token")
}
