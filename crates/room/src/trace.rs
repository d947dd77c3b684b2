//! Simulated-audience traces: what the bots did and when, as JSON lines
//! (a header line, then one [`TraceEntry`] per line), so a session can be
//! replayed with its original timing.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Result, RoomError};
use crate::protocol::ClientMsg;

/// 2: viewers `buy` (with an op id) instead of announcing a `purchase`,
/// and bots take part in activities and click cards.
pub const TRACE_VERSION: u32 = 2;

/// First line of a trace file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceHeader {
    pub version: u32,
    pub seed: u64,
    pub bots: u32,
}

/// One bot action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BotAction {
    Join,
    Leave,
    Send { msg: ClientMsg },
}

/// An action at a time (milliseconds since the session started).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceEntry {
    pub t_ms: u64,
    pub bot: u32,
    #[serde(flatten)]
    pub action: BotAction,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> RoomError + '_ {
    move |source| RoomError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a trace as the session runs.
pub struct TraceWriter {
    path: PathBuf,
    out: BufWriter<std::fs::File>,
}

impl TraceWriter {
    pub fn create(path: &Path, header: &TraceHeader) -> Result<Self> {
        let f = std::fs::File::create(path).map_err(io_err(path))?;
        let mut w = Self {
            path: path.to_path_buf(),
            out: BufWriter::new(f),
        };
        w.line(&serde_json::to_string(header)?)?;
        Ok(w)
    }

    fn line(&mut self, s: &str) -> Result<()> {
        let path = self.path.clone();
        self.out.write_all(s.as_bytes()).map_err(io_err(&path))?;
        self.out.write_all(b"\n").map_err(io_err(&path))
    }

    pub fn write(&mut self, e: &TraceEntry) -> Result<()> {
        self.line(&serde_json::to_string(e)?)
    }

    pub fn finish(mut self) -> Result<()> {
        let path = self.path.clone();
        self.out.flush().map_err(io_err(&path))
    }
}

/// Reads a whole trace. Entries must be in time order.
pub fn read_trace(path: &Path) -> Result<(TraceHeader, Vec<TraceEntry>)> {
    let f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut lines = std::io::BufReader::new(f).lines();
    let header: TraceHeader = match lines.next() {
        Some(l) => serde_json::from_str(&l.map_err(io_err(path))?)?,
        None => return Err(RoomError::config("empty trace file")),
    };
    if header.version != TRACE_VERSION {
        return Err(RoomError::config(format!(
            "trace version {} (expected {TRACE_VERSION})",
            header.version
        )));
    }
    let mut entries = Vec::new();
    let mut last = 0;
    for (i, l) in lines.enumerate() {
        let l = l.map_err(io_err(path))?;
        if l.trim().is_empty() {
            continue;
        }
        let e: TraceEntry = serde_json::from_str(&l)
            .map_err(|e| RoomError::config(format!("trace line {}: {e}", i + 2)))?;
        if e.t_ms < last {
            return Err(RoomError::config(format!(
                "trace line {} goes back in time",
                i + 2
            )));
        }
        last = e.t_ms;
        entries.push(e);
    }
    Ok((header, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        let h = TraceHeader {
            version: TRACE_VERSION,
            seed: 7,
            bots: 2,
        };
        let entries = vec![
            TraceEntry {
                t_ms: 0,
                bot: 1,
                action: BotAction::Join,
            },
            TraceEntry {
                t_ms: 5,
                bot: 1,
                action: BotAction::Send {
                    msg: ClientMsg::Barrage {
                        text: "你好 👋".into(),
                    },
                },
            },
        ];
        let mut w = TraceWriter::create(&p, &h).unwrap();
        for e in &entries {
            w.write(e).unwrap();
        }
        w.finish().unwrap();
        let (h2, e2) = read_trace(&p).unwrap();
        assert_eq!(h2, h);
        assert_eq!(e2, entries);
    }
}
