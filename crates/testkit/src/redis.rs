//! A private `redis-server` on a free loopback port for one test: no
//! file written (no RDB, no AOF), killed when dropped. A missing
//! `redis-server` is an error, not a skip: `scripts/setup.sh` installs
//! it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;

pub struct Redis {
    child: Child,
    pub port: u16,
}

impl Redis {
    pub fn start() -> anyhow::Result<Redis> {
        let port = super::free_port()?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("redis-server is not installed; run scripts/setup.sh")?;
        let r = Redis { child, port };
        super::wait_for_port(port, Duration::from_secs(10))?;
        Ok(r)
    }

    /// The server's process id (for its CPU time in benchmarks).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
