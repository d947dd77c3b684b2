//! The SQLite store's thread: takes the handle's commands one at a
//! time, in order, so that loads, credits and tick writes meet the
//! database in the order they were asked.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::mpsc;

use super::{Cmd, Failed, append, commerce, load, revocations, wallet};
use crate::error::RoomError;

pub(super) fn run(
    mut conn: Connection,
    mut rx: mpsc::Receiver<Cmd>,
    wallets: Arc<wallet::Wallets>,
) {
    while let Some(cmd) = rx.blocking_recv() {
        match cmd {
            Cmd::Exists { room, reply } => {
                let r = conn
                    .query_row("SELECT 1 FROM rooms WHERE room = ?1", params![room], |_| {
                        Ok(())
                    })
                    .optional()
                    .map(|o| o.is_some())
                    .map_err(RoomError::from);
                let _ = reply.send(r);
            }
            Cmd::Revocations { reply } => {
                let _ = reply.send(revocations(&conn));
            }
            Cmd::Revoke {
                user,
                before,
                reply,
            } => {
                let r = conn
                    .execute(
                        "INSERT INTO revocations (user, before_unix) VALUES (?1, ?2)
                         ON CONFLICT(user) DO UPDATE
                         SET before_unix = MAX(before_unix, excluded.before_unix)",
                        params![user, i64::try_from(before).unwrap_or(i64::MAX)],
                    )
                    .map(|_| ())
                    .map_err(RoomError::from);
                let _ = reply.send(r);
            }
            Cmd::Wallet {
                user,
                welcome,
                reply,
            } => {
                let _ = reply.send(wallet::load(&conn, &wallets, &user, welcome));
            }
            Cmd::Credit {
                user,
                amount,
                welcome,
                reply,
            } => {
                let r = wallet::credit(&mut conn, &wallets, &user, amount, welcome);
                let _ = reply.send(r);
            }
            Cmd::Load {
                room,
                recent,
                reply,
            } => {
                let _ = reply.send(load(&conn, &room, recent));
            }
            Cmd::Append { room, write, reply } => {
                let r = append(&mut conn, &room, &write).map_err(|error| {
                    tracing::error!(room, error = %error, "event log write failed");
                    Failed {
                        error,
                        write: Some(write),
                    }
                });
                let _ = reply.send(r);
            }
            Cmd::Stop => break,
            Cmd::Sessions { room, reply } => {
                let _ = reply.send(commerce::sessions(&conn, &room));
            }
            Cmd::Report { room, id, reply } => {
                let _ = reply.send(commerce::report(&conn, &room, &id));
            }
            Cmd::Audit { room, id, reply } => {
                let _ = reply.send(commerce::audit(&conn, &room, &id));
            }
            Cmd::Points { user, reply } => {
                let r = conn
                    .query_row(
                        "SELECT points FROM points WHERE user = ?1",
                        params![user],
                        |r| r.get::<_, i64>(0),
                    )
                    .optional()
                    .map(|p| p.unwrap_or(0) as u64)
                    .map_err(RoomError::from);
                let _ = reply.send(r);
            }
            Cmd::GetGifts { reply } => {
                let r = conn
                    .query_row("SELECT value FROM kv WHERE key = 'gifts'", [], |r| {
                        r.get::<_, String>(0)
                    })
                    .optional()
                    .map_err(RoomError::from)
                    .and_then(|v| match v {
                        Some(j) => Ok(Some(serde_json::from_str(&j)?)),
                        None => Ok(None),
                    });
                let _ = reply.send(r);
            }
            Cmd::SetGifts { gifts, reply } => {
                let r = serde_json::to_string(&gifts)
                    .map_err(RoomError::from)
                    .and_then(|j| {
                        conn.execute(
                            "INSERT OR REPLACE INTO kv (key, value) VALUES ('gifts', ?1)",
                            params![j],
                        )
                        .map(|_| ())
                        .map_err(RoomError::from)
                    });
                let _ = reply.send(r);
            }
        }
    }
    tracing::debug!("store thread finished");
}
