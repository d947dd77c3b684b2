//! The gift wallet on Redis (`room-server --redis`).
//!
//! Rooms of one user may run in different processes, so no process's
//! memory can decide a balance: a gift is paid by a script that checks
//! and takes the coins in one step, in Redis, when the gift is accepted.
//! Each payment is noted under the room (`sc:r:{room}:debits`) until the
//! tick that records the gift (points, session figures, its event) is
//! saved, which removes the note in the same script. A note still there
//! when the room is next loaded belongs to a gift that was paid and
//! never recorded (its process died in between): it is refunded.
//!
//! Nothing of a balance is kept in this process's memory (unlike
//! SQLite's [`super::wallet::Wallets`]): Redis is the only authority.

use super::redis::{RedisStore, room_key};
use crate::error::Result;

/// Adds coins, capped at i64::MAX, creating the wallet with the welcome
/// balance first; returns the balance.
pub(super) const CREDIT: &str = r"
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3])
local b = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
local add = tonumber(ARGV[2])
if b + add > 9.2e18 then
  redis.call('HSET', KEYS[1], ARGV[1], '9200000000000000000')
else
  redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
end
return redis.call('HGET', KEYS[1], ARGV[1])
";

/// Pays gifts `(user, cost, debit id)`, each only if the balance covers
/// it, in order; answers the balance left for each paid one and
/// `-1 - balance` for each refused one. Fenced like a tick (see
/// `redis::FENCE`): a process that lost the room takes nobody's coins.
pub(super) const PAY: &str = r"
local out = {}
local i = 2
while i + 2 <= #ARGV do
  local user, cost, id = ARGV[i], ARGV[i+1], ARGV[i+2]
  local b = tonumber(redis.call('HGET', KEYS[2], user) or '0')
  if b >= tonumber(cost) then
    out[#out+1] = redis.call('HINCRBY', KEYS[2], user, '-' .. cost)
    redis.call('HSET', KEYS[3], id, cost .. ' ' .. user)
  else
    out[#out+1] = -1 - b
  end
  i = i + 3
end
return out
";

/// Gives back the coins of unrecorded payments: those named, or every
/// one noted when none is named. Answers how many were refunded.
pub(super) const REFUND: &str = r"
local ids = {}
for i = 2, #ARGV do ids[#ids+1] = ARGV[i] end
if #ids == 0 then ids = redis.call('HKEYS', KEYS[3]) end
local n = 0
for _, id in ipairs(ids) do
  local note = redis.call('HGET', KEYS[3], id)
  if note then
    local sp = string.find(note, ' ', 1, true)
    local cost, user = string.sub(note, 1, sp - 1), string.sub(note, sp + 1)
    redis.call('HINCRBY', KEYS[2], user, cost)
    redis.call('HDEL', KEYS[3], id)
    n = n + 1
  end
end
return n
";

/// What paying one gift came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paid {
    /// Taken; the id is settled by the tick that records the gift.
    Yes { debit: String, left: u64 },
    /// The balance did not cover it.
    Short(u64),
}

impl RedisStore {
    fn fence(&self, room: &str) -> String {
        self.fences.lock().get(room).cloned().unwrap_or_default()
    }

    pub(crate) async fn wallet(&self, user: &str, welcome: u64) -> Result<u64> {
        let mut c = self.conn();
        let _: () = redis::cmd("HSETNX")
            .arg("sc:wallets")
            .arg(user)
            .arg(welcome.min(i64::MAX as u64))
            .query_async(&mut c)
            .await?;
        let b: i64 = redis::cmd("HGET")
            .arg("sc:wallets")
            .arg(user)
            .query_async(&mut c)
            .await?;
        Ok(b.max(0) as u64)
    }

    pub(crate) async fn credit(&self, user: &str, amount: u64, welcome: u64) -> Result<u64> {
        let mut c = self.conn();
        let b: i64 = self
            .credit
            .key("sc:wallets")
            .arg(user)
            .arg(amount.min(i64::MAX as u64))
            .arg(welcome.min(i64::MAX as u64))
            .invoke_async(&mut c)
            .await?;
        Ok(b.max(0) as u64)
    }

    /// Pays `(user, cost)` gifts of `room`, in order, in one round trip.
    pub(crate) async fn pay(&self, room: &str, gifts: &[(String, u64)]) -> Result<Vec<Paid>> {
        let mut script = self.pay.prepare_invoke();
        script
            .key(room_key(room, "owner"))
            .key("sc:wallets")
            .key(room_key(room, "debits"));
        script.arg(self.fence(room));
        let mut ids = Vec::with_capacity(gifts.len());
        for (user, cost) in gifts {
            let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let id = format!("{}:{n}", self.writer);
            script.arg(user).arg((*cost).min(i64::MAX as u64)).arg(&id);
            ids.push(id);
        }
        let mut c = self.conn();
        let answers: Vec<i64> = match script.invoke_async(&mut c).await {
            Ok(a) => a,
            Err(e) => {
                // Maybe paid, maybe not (a lost answer): the gifts are
                // refused, so whatever was taken goes back.
                if let Err(r) = self.refund(room, &ids).await {
                    tracing::warn!(room, error = %r, "refund deferred to the room's next load");
                }
                return Err(e.into());
            }
        };
        let mut out = Vec::with_capacity(gifts.len());
        for (id, a) in ids.into_iter().zip(answers) {
            if a >= 0 {
                out.push(Paid::Yes {
                    debit: id,
                    left: a as u64,
                });
            } else {
                out.push(Paid::Short((-1 - a).max(0) as u64));
            }
        }
        Ok(out)
    }

    /// Refunds the payments `ids` of `room` that no saved tick recorded
    /// (every such payment when `ids` is empty); returns how many.
    pub(crate) async fn refund(&self, room: &str, ids: &[String]) -> Result<u64> {
        let mut script = self.refund.prepare_invoke();
        script
            .key(room_key(room, "owner"))
            .key("sc:wallets")
            .key(room_key(room, "debits"));
        script.arg(self.fence(room));
        for id in ids {
            script.arg(id);
        }
        let mut c = self.conn();
        let n: u64 = script.invoke_async(&mut c).await?;
        if n > 0 {
            tracing::warn!(room, n, "refunded gifts that were paid but never recorded");
        }
        Ok(n)
    }
}
