//! User levels (seed 000 step 4): growth points from messages and gift
//! value, a level from configurable thresholds, and the badges stamped on
//! the sender's identity.

use serde::{Deserialize, Serialize};

use crate::error::{Result, RoomError};
use crate::protocol::{Badge, Identity, Role};

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelDef {
    /// Points needed to reach this level.
    pub min_points: u64,
    pub level: u32,
    pub name: String,
    pub icon_url: String,
    /// Badge shown from this level on, if any.
    #[serde(default)]
    pub badge: Option<Badge>,
}

/// How growth points are earned and what they buy. Loadable from JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelConfig {
    pub points_per_message: u64,
    /// Points per coin of gift value.
    pub points_per_coin: u64,
    /// Ascending by `min_points`; the first must start at 0.
    pub levels: Vec<LevelDef>,
}

fn badge(kind: &str, name: &str, color: &str, icon: &str) -> Badge {
    Badge {
        kind: kind.into(),
        name: name.into(),
        color: color.into(),
        icon_url: icon.into(),
    }
}

impl Default for LevelConfig {
    fn default() -> Self {
        let l = |min_points, level, name: &str, b: Option<Badge>| LevelDef {
            min_points,
            level,
            name: name.into(),
            icon_url: format!("/static/levels/{name}.png"),
            badge: b,
        };
        Self {
            points_per_message: 1,
            points_per_coin: 1,
            levels: vec![
                l(0, 1, "newcomer", None),
                l(10, 2, "bronze", None),
                l(
                    50,
                    3,
                    "silver",
                    Some(badge(
                        "fan",
                        "Iron Fan",
                        "#FF69B4",
                        "/static/badges/fan.png",
                    )),
                ),
                l(
                    200,
                    4,
                    "gold",
                    Some(badge(
                        "fan",
                        "Gold Fan",
                        "#FFB300",
                        "/static/badges/fan_gold.png",
                    )),
                ),
                l(
                    1000,
                    5,
                    "platinum",
                    Some(badge("vip", "VIP", "#7E57C2", "/static/badges/vip.png")),
                ),
                l(
                    5000,
                    6,
                    "diamond",
                    Some(badge(
                        "vip",
                        "Annual VIP",
                        "#FFD700",
                        "/static/badges/vip_annual.png",
                    )),
                ),
            ],
        }
    }
}

impl LevelConfig {
    /// Checks the ladder is usable.
    pub fn validate(&self) -> Result<()> {
        if self.levels.is_empty() || self.levels[0].min_points != 0 {
            return Err(RoomError::config("levels must start at min_points 0"));
        }
        if self
            .levels
            .windows(2)
            .any(|w| w[0].min_points >= w[1].min_points)
        {
            return Err(RoomError::config(
                "level thresholds must be strictly ascending",
            ));
        }
        Ok(())
    }

    pub fn from_json(text: &str) -> Result<Self> {
        let c: Self = serde_json::from_str(text)?;
        c.validate()?;
        Ok(c)
    }

    /// The highest level whose threshold `points` reaches.
    pub fn level_for(&self, points: u64) -> &LevelDef {
        let i = self.levels.partition_point(|l| l.min_points <= points);
        &self.levels[i.saturating_sub(1)]
    }

    /// An identity stamped with level, level name and badges.
    pub fn identity(&self, id: &str, nick: &str, role: Role, points: u64) -> Identity {
        let def = self.level_for(points);
        let mut badges = Vec::new();
        match role {
            Role::Host => badges.push(badge("role", "Host", "#E53935", "/static/badges/host.png")),
            Role::Assistant => badges.push(badge(
                "role",
                "Assistant",
                "#1E88E5",
                "/static/badges/assistant.png",
            )),
            Role::Admin => badges.push(badge(
                "role",
                "Admin",
                "#424242",
                "/static/badges/admin.png",
            )),
            Role::Audience => {}
        }
        // The highest badge reached, not the whole history.
        if let Some(b) = self
            .levels
            .iter()
            .filter(|l| l.min_points <= points)
            .filter_map(|l| l.badge.clone())
            .next_back()
        {
            badges.push(b);
        }
        Identity {
            id: id.to_string(),
            nick: nick.to_string(),
            avatar: format!(
                "/static/avatars/{}.png",
                (id.bytes().map(u32::from).sum::<u32>() % 8)
            ),
            role,
            level: def.level,
            level_name: def.name.clone(),
            badges,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_pick_the_highest_reached_level() {
        let c = LevelConfig::default();
        assert_eq!(c.level_for(0).level, 1);
        assert_eq!(c.level_for(9).level, 1);
        assert_eq!(c.level_for(10).level, 2);
        assert_eq!(c.level_for(999_999).level, 6);
        let id = c.identity("u", "U", Role::Audience, 60);
        assert_eq!((id.level, id.level_name.as_str()), (3, "silver"));
        assert_eq!(id.badges.len(), 1);
        assert_eq!(id.badges[0].name, "Iron Fan");
        let host = c.identity("h", "H", Role::Host, 6000);
        assert_eq!(host.badges[0].name, "Host");
        assert_eq!(host.badges[1].name, "Annual VIP");
    }

    #[test]
    fn config_round_trips_and_rejects_bad_ladders() {
        let c = LevelConfig::default();
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(LevelConfig::from_json(&j).unwrap(), c);
        let mut bad = c.clone();
        bad.levels.swap(1, 2);
        assert!(bad.validate().is_err());
    }
}
