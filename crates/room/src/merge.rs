//! Gift combo merging and like aggregation: pure state machines driven
//! by the room task's clock (milliseconds), so tests can step time.
//!
//! Combo rule (seed 001): consecutive single-gift hits of the same gift
//! by the same user are merged and sent every [`GiftCombos::batch`] hits
//! (20) or when [`GiftCombos::idle_ms`] (1 s) has passed since the last
//! hit, whichever comes first. 99 hits become 5 messages. A gift sent
//! with a count above one ("send 99 at once") is one message as is.

use std::collections::{HashMap, HashSet};

use crate::protocol::{EventBody, GiftInfo, Identity};

/// Upper bound on combos open at once; beyond it hits are sent unmerged
/// rather than grow memory.
const MAX_OPEN_COMBOS: usize = 20_000;

/// Upper bound on distinct likers remembered per interval.
const MAX_LIKERS: usize = 50_000;

struct Open {
    sender: Identity,
    gift: GiftInfo,
    combo_id: String,
    pending: u32,
    total: u32,
    last_hit_ms: u64,
}

/// Open gift combos of one room.
pub struct GiftCombos {
    open: HashMap<(String, String), Open>,
    pub batch: u32,
    pub idle_ms: u64,
    next_id: u64,
    id_prefix: String,
}

impl GiftCombos {
    /// `id_prefix` keeps combo ids unique across server restarts.
    pub fn new(batch: u32, idle_ms: u64, id_prefix: impl Into<String>) -> Self {
        Self {
            open: HashMap::new(),
            batch: batch.max(1),
            idle_ms,
            next_id: 0,
            id_prefix: id_prefix.into(),
        }
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{}-{}", self.id_prefix, self.next_id)
    }

    fn emit(o: &Open, count: u32) -> EventBody {
        EventBody::Gift {
            sender: o.sender.clone(),
            gift_id: o.gift.id.clone(),
            gift_name: o.gift.name.clone(),
            count,
            value: o.gift.value,
            total_value: o.gift.value.saturating_mul(count as u64),
            effect_url: o.gift.effect_url.clone(),
            combo_id: o.combo_id.clone(),
            combo_total: o.total,
        }
    }

    /// Records `count` gifts; returns the messages to send now.
    pub fn hit(
        &mut self,
        sender: &Identity,
        gift: &GiftInfo,
        count: u32,
        now_ms: u64,
    ) -> Vec<EventBody> {
        let key = (sender.id.clone(), gift.id.clone());
        let mut out = Vec::new();
        if count > 1 || (!self.open.contains_key(&key) && self.open.len() >= MAX_OPEN_COMBOS) {
            // A multi-gift closes any open combo first, so order holds.
            if let Some(o) = self.open.remove(&key)
                && o.pending > 0
            {
                out.push(Self::emit(&o, o.pending));
            }
            let o = Open {
                sender: sender.clone(),
                gift: gift.clone(),
                combo_id: self.new_id(),
                pending: count,
                total: count,
                last_hit_ms: now_ms,
            };
            out.push(Self::emit(&o, count));
            return out;
        }
        if !self.open.contains_key(&key) {
            let combo_id = self.new_id();
            self.open.insert(
                key.clone(),
                Open {
                    sender: sender.clone(),
                    gift: gift.clone(),
                    combo_id,
                    pending: 0,
                    total: 0,
                    last_hit_ms: now_ms,
                },
            );
        }
        let Some(o) = self.open.get_mut(&key) else {
            return out;
        };
        o.sender = sender.clone();
        o.pending += 1;
        o.total = o.total.saturating_add(1);
        o.last_hit_ms = now_ms;
        if o.pending >= self.batch {
            out.push(Self::emit(o, o.pending));
            o.pending = 0;
        }
        out
    }

    /// Closes combos idle for `idle_ms`; returns their remainders.
    pub fn due(&mut self, now_ms: u64) -> Vec<EventBody> {
        let idle = self.idle_ms;
        let mut done: Vec<_> = self
            .open
            .iter()
            .filter(|(_, o)| now_ms.saturating_sub(o.last_hit_ms) >= idle)
            .map(|(k, o)| (o.last_hit_ms, k.clone()))
            .collect();
        // Oldest first, so the output does not depend on hash order.
        done.sort();
        let mut out = Vec::new();
        for (_, k) in done {
            if let Some(o) = self.open.remove(&k)
                && o.pending > 0
            {
                out.push(Self::emit(&o, o.pending));
            }
        }
        out
    }

    /// Closes every combo (shutdown).
    pub fn flush_all(&mut self) -> Vec<EventBody> {
        self.due(u64::MAX)
    }

    pub fn open_count(&self) -> usize {
        self.open.len()
    }
}

/// Likes summed over one interval (seed 001: likes are throttled and
/// merged before they are sent).
pub struct LikeAggregator {
    pub interval_ms: u64,
    pub total: u64,
    count: u64,
    likers: HashSet<String>,
    last: Option<Identity>,
    window_start_ms: u64,
}

impl LikeAggregator {
    pub fn new(interval_ms: u64, total: u64) -> Self {
        Self {
            interval_ms,
            total,
            count: 0,
            likers: HashSet::new(),
            last: None,
            window_start_ms: 0,
        }
    }

    pub fn add(&mut self, sender: &Identity, count: u32, now_ms: u64) {
        if self.count == 0 {
            self.window_start_ms = now_ms;
        }
        self.count += count as u64;
        self.total += count as u64;
        if self.likers.len() < MAX_LIKERS {
            self.likers.insert(sender.id.clone());
        }
        self.last = Some(sender.clone());
    }

    /// The aggregate once the interval since the first like has passed.
    pub fn due(&mut self, now_ms: u64) -> Option<EventBody> {
        if self.count == 0 || now_ms.saturating_sub(self.window_start_ms) < self.interval_ms {
            return None;
        }
        self.flush()
    }

    /// Likes taken but not yet sent.
    pub fn pending(&self) -> bool {
        self.count > 0
    }

    pub fn flush(&mut self) -> Option<EventBody> {
        if self.count == 0 {
            return None;
        }
        let ev = EventBody::Like {
            count: self.count,
            total: self.total,
            likers: self.likers.len() as u32,
            sender: self.last.take(),
        };
        self.count = 0;
        self.likers.clear();
        Some(ev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Role;

    fn user(id: &str) -> Identity {
        Identity {
            id: id.into(),
            nick: id.into(),
            avatar: String::new(),
            role: Role::Audience,
            level: 1,
            level_name: String::new(),
            badges: vec![],
        }
    }

    fn rose() -> GiftInfo {
        GiftInfo {
            id: "rose".into(),
            name: "Rose".into(),
            value: 2,
            effect_url: String::new(),
        }
    }

    fn counts(evs: &[EventBody]) -> Vec<u32> {
        evs.iter()
            .map(|e| match e {
                EventBody::Gift { count, .. } => *count,
                _ => panic!("not a gift"),
            })
            .collect()
    }

    #[test]
    fn ninety_nine_hits_make_five_messages() {
        let mut c = GiftCombos::new(20, 1000, "t");
        let u = user("a");
        let mut out = Vec::new();
        for i in 0..99 {
            out.extend(c.hit(&u, &rose(), 1, i * 50));
        }
        assert_eq!(counts(&out), vec![20, 20, 20, 20]);
        assert!(c.due(98 * 50 + 999).is_empty(), "not idle for 1 s yet");
        let rest = c.due(98 * 50 + 1000);
        assert_eq!(counts(&rest), vec![19]);
        out.extend(rest);
        assert_eq!(counts(&out).iter().sum::<u32>(), 99);
        // One combo id, combo_total counting up, total value per part.
        let ids: HashSet<_> = out
            .iter()
            .map(|e| match e {
                EventBody::Gift { combo_id, .. } => combo_id.clone(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(ids.len(), 1);
        match &out[4] {
            EventBody::Gift {
                combo_total,
                total_value,
                ..
            } => {
                assert_eq!(*combo_total, 99);
                assert_eq!(*total_value, 38);
            }
            _ => unreachable!(),
        }
        assert_eq!(c.open_count(), 0);
    }

    #[test]
    fn a_pause_over_one_second_starts_a_new_combo() {
        let mut c = GiftCombos::new(20, 1000, "t");
        let u = user("a");
        c.hit(&u, &rose(), 1, 0);
        c.hit(&u, &rose(), 1, 100);
        let first = c.due(1100);
        assert_eq!(counts(&first), vec![2]);
        c.hit(&u, &rose(), 1, 1200);
        let second = c.due(2200);
        assert_eq!(counts(&second), vec![1]);
        assert_ne!(first[0], second[0]);
    }

    #[test]
    fn users_and_gifts_merge_separately_and_multi_gifts_pass_through() {
        let mut c = GiftCombos::new(20, 1000, "t");
        let (a, b) = (user("a"), user("b"));
        c.hit(&a, &rose(), 1, 0);
        c.hit(&b, &rose(), 1, 0);
        c.hit(&a, &rose(), 1, 10);
        // "send 99 at once" flushes a's open combo first, then goes as is.
        let out = c.hit(&a, &rose(), 99, 20);
        assert_eq!(counts(&out), vec![2, 99]);
        let rest = c.flush_all();
        assert_eq!(counts(&rest), vec![1]);
    }

    #[test]
    fn likes_aggregate_per_interval() {
        let mut l = LikeAggregator::new(1000, 10);
        l.add(&user("a"), 3, 0);
        l.add(&user("b"), 2, 500);
        l.add(&user("a"), 1, 900);
        assert!(l.due(999).is_none());
        match l.due(1000) {
            Some(EventBody::Like {
                count,
                total,
                likers,
                sender,
            }) => {
                assert_eq!((count, total, likers), (6, 16, 2));
                assert_eq!(sender.unwrap().id, "a");
            }
            other => panic!("{other:?}"),
        }
        assert!(l.due(5000).is_none());
    }
}
