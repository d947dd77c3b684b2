//! Server-wide notices in Redis mode: a revocation, a broadcast, a new
//! gift catalogue. Each goes once to `sc:all`; every process reads it
//! and applies it to the rooms it runs, so each room gets it exactly
//! once whichever process the admin's call reached, and no process keeps
//! accepting a revoked token.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Cluster, stream_tail};
use crate::error::Result;
use crate::protocol::EventBody;
use crate::server::Shared;

const KEY: &str = "sc:all";
/// Notices kept (about); a process reads them within a second.
const KEEP: &str = "10000";

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum Global {
    /// `user`'s tokens signed up to `before` (unix seconds) are void.
    Revoked { user: String, before: u64 },
    /// A notice for every room (a broadcast, a gift list change).
    System { body: Box<EventBody> },
}

impl Cluster {
    /// Sends a notice to every process, this one included.
    pub(crate) async fn announce(&self, g: &Global) -> Result<()> {
        let mut c = self.conn();
        let _: String = redis::cmd("XADD")
            .arg(KEY)
            .arg("MAXLEN")
            .arg("~")
            .arg(KEEP)
            .arg("*")
            .arg("g")
            .arg(serde_json::to_string(g)?)
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// Where this process starts reading notices: from now on.
    pub(crate) async fn global_tail(&self) -> Result<String> {
        stream_tail(&mut self.conn(), KEY).await
    }
}

/// Applies every notice from `start` on until the server stops.
pub(crate) async fn read(cluster: Arc<Cluster>, shared: Arc<Shared>, start: String) {
    let mut reader = super::StreamReader::new(cluster.clone(), KEY.to_string(), start);
    while !shared.cancel.is_cancelled() {
        for id in reader.next().await {
            let Some(body) = id.get::<String>("g") else {
                continue;
            };
            match serde_json::from_str::<Global>(&body) {
                Ok(g) => apply(&shared, g).await,
                Err(e) => tracing::warn!(error = %e, "unreadable server notice"),
            }
        }
    }
}

async fn apply(shared: &Shared, g: Global) {
    match g {
        Global::Revoked { user, before } => {
            shared.revoked.revoke(&user, before);
            shared.close_user_here(&user).await;
        }
        Global::System { body } => {
            if let EventBody::GiftListChanged { gifts } = &*body {
                *shared.ctx.gifts.write() = Arc::new(gifts.clone());
            }
            shared.to_rooms_here(*body).await;
        }
    }
}
