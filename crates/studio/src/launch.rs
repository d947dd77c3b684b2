//! The desktop app's command line: what it opens into.
//!
//! `shopcast-studio` opens on the start screen; `--rehearsal` opens
//! straight into a rehearsal with the default simulated audience, for
//! benchmarks, demos and kiosks (the data and settings folders still
//! follow `SHOPCAST_DATA_DIR` / `SHOPCAST_CONFIG_DIR`).

use std::ffi::OsString;
use std::sync::Arc;

use crate::session::{Mode, Session};

/// What the app was asked to open into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Launch {
    /// The start screen, with the preview warmed up behind it.
    #[default]
    StartScreen,
    /// Straight into rehearsal mode.
    Rehearsal,
    /// Print the usage and exit.
    Help,
}

pub const USAGE: &str = "\
usage: shopcast-studio [--rehearsal]

  --rehearsal   open straight into a rehearsal with the simulated audience
  -h, --help    print this and exit

Folders: SHOPCAST_DATA_DIR (recordings, catalogue), SHOPCAST_CONFIG_DIR (settings).";

impl Launch {
    /// Parses the arguments after the program name. Anything unknown is
    /// an error naming it, so a typo never opens the wrong thing.
    pub fn from_args(args: impl IntoIterator<Item = OsString>) -> Result<Self, String> {
        let mut launch = Launch::StartScreen;
        for arg in args {
            match arg.to_str() {
                Some("--rehearsal") => launch = Launch::Rehearsal,
                Some("-h" | "--help") => return Ok(Launch::Help),
                // Finder adds a process serial number on older macOS.
                Some(a) if a.starts_with("-psn_") => {}
                _ => {
                    return Err(format!(
                        "unknown argument '{}'\n\n{USAGE}",
                        arg.to_string_lossy()
                    ));
                }
            }
        }
        Ok(launch)
    }

    /// Called by the shell once the session is open, before it answers
    /// the page's first call.
    ///
    /// - The start screen: the preview warms up on a thread of its own
    ///   while WebKit loads the page.
    /// - A rehearsal: the mode (room, lineup) is entered here and now, so
    ///   the page's first look at the session (`app_info`) already finds
    ///   it in the mode and loads what the mode needs, exactly as after a
    ///   resume. Entering while the page watched would show it the mode
    ///   half entered (the room's welcome, before the demo lineup is
    ///   seeded). The preview then warms up on its own thread, as on the
    ///   start screen: on lavapipe the GPU device alone takes a few
    ///   hundred ms, which held the window back when it ran here.
    ///
    /// A failure is a warning in the session, which the page shows.
    pub fn start(self, session: &Arc<Session>) {
        match self {
            Launch::Rehearsal => session.open_into(Mode::Rehearsal),
            Launch::StartScreen | Launch::Help => session.spawn_warm_up(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Launch, String> {
        Launch::from_args(args.iter().map(OsString::from))
    }

    #[test]
    fn arguments_choose_what_the_app_opens_into() {
        assert_eq!(parse(&[]), Ok(Launch::StartScreen));
        assert_eq!(parse(&["--rehearsal"]), Ok(Launch::Rehearsal));
        assert_eq!(parse(&["--rehearsal", "--help"]), Ok(Launch::Help));
        assert_eq!(parse(&["-psn_0_12345"]), Ok(Launch::StartScreen));
        let err = parse(&["--rehersal"]).unwrap_err();
        assert!(
            err.contains("'--rehersal'") && err.contains("usage:"),
            "{err}"
        );
    }
}
