//! Saved push destinations: what the host enters in the Output panel,
//! turned into `shopcast-push`'s kinds and secrets. The host only: an
//! assistant never sees or touches the push settings.

use std::time::{Duration, SystemTime};

use shopcast_media::PushOutput;
use shopcast_push::{Destinations, DynamicBitrateConfig, SavedDestination, Secret};

use super::Session;
use super::view::{
    DestinationInput, DestinationKind, DestinationOptions, DestinationView, PhaseName,
};
use crate::error::{StudioError, StudioResult};
use crate::limits::{self, BITRATE_FLOOR_PERCENT, MAX_RETRIES, RETRY_DELAY_S, TENCENT_VALID_HOURS};

const EDITABLE: &[PhaseName] = &[PhaseName::Preview, PhaseName::Ended];

impl Session {
    fn destinations(&self) -> StudioResult<Destinations> {
        Ok(Destinations::open(
            &self.paths.config_dir,
            shopcast_push::open_secret_store(
                &self.paths.config_dir,
                shopcast_push::BackendChoice::from_env(),
            )?,
        )?)
    }

    pub fn list_destinations(&self) -> StudioResult<Vec<DestinationView>> {
        self.inner.lock().require_host("push settings")?;
        let d = self.destinations()?;
        Ok(d.list().iter().map(view).collect())
    }

    pub fn save_destination(&self, input: DestinationInput) -> StudioResult<DestinationView> {
        {
            let inner = self.inner.lock();
            inner.require_host("push settings")?;
            inner.require_phase(EDITABLE, "changing destinations on air")?;
        }
        let mut dests = self.destinations()?;
        let name = input.name().to_string();
        let (kind, secret) = resolve_input(input)?;
        let saved = dests.replace(&name, kind, secret.as_ref(), SystemTime::now())?;
        Ok(view(saved))
    }

    /// A destination's options for the next time on air: dynamic
    /// bitrate (on, never below a floor, or off) and how it reconnects.
    /// The host only, and not while on air.
    pub fn set_destination_options(
        &self,
        name: &str,
        options: DestinationOptions,
    ) -> StudioResult<DestinationView> {
        {
            let inner = self.inner.lock();
            inner.require_host("push settings")?;
            inner.require_phase(EDITABLE, "changing destinations on air")?;
        }
        limits::check(
            "bitrate floor",
            &BITRATE_FLOOR_PERCENT,
            options.bitrate_floor_percent,
            "percent of the video bitrate",
        )?;
        limits::check(
            "retry delay",
            &RETRY_DELAY_S,
            options.retry_delay_s,
            "seconds",
        )?;
        limits::check("retries", &MAX_RETRIES, options.max_retries, "tries")?;
        let mut dests = self.destinations()?;
        let saved = dests
            .get(name)
            .ok_or_else(|| StudioError::NotFound(format!("destination {name:?}")))?;
        let dynamic = options.dynamic_bitrate.then(|| DynamicBitrateConfig {
            floor: f64::from(options.bitrate_floor_percent) / 100.0,
            ..saved.dynamic_bitrate.unwrap_or_default()
        });
        let mut reconnect = saved.reconnect.unwrap_or_default();
        reconnect.first_delay = Duration::from_secs(options.retry_delay_s.into());
        reconnect.max_delay = reconnect.max_delay.max(reconnect.first_delay);
        reconnect.max_retries = options.max_retries;
        dests.update_settings(name, Some(reconnect), dynamic)?;
        let saved = dests
            .get(name)
            .ok_or_else(|| StudioError::NotFound(format!("destination {name:?}")))?;
        Ok(view(saved))
    }

    pub fn remove_destination(&self, name: &str) -> StudioResult<()> {
        {
            let inner = self.inner.lock();
            inner.require_host("push settings")?;
            inner.require_phase(EDITABLE, "removing destinations on air")?;
        }
        self.destinations()?.remove(name)?;
        Ok(())
    }

    /// The push outputs for saved destinations, with fresh signed URLs.
    pub(super) fn resolve_destinations(&self, names: &[String]) -> StudioResult<Vec<PushOutput>> {
        let dests = self.destinations()?;
        let now = SystemTime::now();
        names
            .iter()
            .map(|name| {
                let saved = dests
                    .get(name)
                    .ok_or_else(|| StudioError::NotFound(format!("destination {name:?}")))?;
                Ok(PushOutput {
                    name: name.clone(),
                    target: dests.resolve(name, now)?,
                    reconnect: saved.reconnect.unwrap_or_default(),
                    dynamic_bitrate: saved.dynamic_bitrate,
                })
            })
            .collect()
    }
}

fn view(saved: &SavedDestination) -> DestinationView {
    let floor = saved.dynamic_bitrate.unwrap_or_default().floor;
    let reconnect = saved.reconnect.unwrap_or_default();
    DestinationView {
        name: saved.name.clone(),
        kind: match &saved.kind {
            shopcast_push::DestinationKind::Tencent { .. } => DestinationKind::Tencent,
            shopcast_push::DestinationKind::Custom { .. } => DestinationKind::Custom,
            shopcast_push::DestinationKind::Srt { .. } => DestinationKind::Srt,
        },
        summary: saved.kind.describe(),
        has_secret: true,
        options: DestinationOptions {
            dynamic_bitrate: saved.dynamic_bitrate.is_some(),
            bitrate_floor_percent: (floor * 100.0).round().clamp(0.0, 100.0) as u8,
            retry_delay_s: reconnect.first_delay.as_secs().min(u64::from(u32::MAX)) as u32,
            max_retries: reconnect.max_retries,
        },
    }
}

fn resolve_input(
    input: DestinationInput,
) -> StudioResult<(shopcast_push::DestinationKind, Option<Secret>)> {
    Ok(match input {
        DestinationInput::Tencent {
            push_domain,
            app,
            stream,
            key,
            valid_hours,
            ..
        } => {
            limits::check("validity", &TENCENT_VALID_HOURS, valid_hours, "hours")?;
            (
                shopcast_push::DestinationKind::Tencent {
                    domain: push_domain.trim().to_string(),
                    app: app.trim().to_string(),
                    stream: stream.trim().to_string(),
                    expiry: shopcast_push::Expiry::ValidFor(Duration::from_secs(
                        valid_hours as u64 * 3600,
                    )),
                    protocol: Default::default(),
                },
                key.map(Secret::new),
            )
        }
        DestinationInput::Custom {
            url, stream_key, ..
        } => (
            shopcast_push::DestinationKind::Custom {
                server_url: url.trim().trim_end_matches('/').to_string(),
            },
            stream_key.map(Secret::new),
        ),
        DestinationInput::Srt {
            url, passphrase, ..
        } => {
            let len = shopcast_push::SRT_PASSPHRASE_LEN;
            if let Some(p) = &passphrase
                && !len.contains(&p.len())
            {
                return Err(StudioError::Invalid {
                    what: "SRT passphrase",
                    reason: format!("{} to {} bytes", len.start(), len.end()),
                });
            }
            let url = url.trim().to_string();
            let (base, query) = match url.split_once('?') {
                Some((b, q)) => (b.to_string(), Some(q.to_string())),
                None => (url.clone(), None),
            };
            let secret = match (query, passphrase) {
                (q, Some(p)) => {
                    // A passphrase typed in the field wins over one left
                    // in the URL's query.
                    let mut parts: Vec<String> = q
                        .map(|q| {
                            q.split('&')
                                .filter(|kv| !kv.starts_with("passphrase="))
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    parts.push(format!("passphrase={p}"));
                    Some(Secret::new(parts.join("&")))
                }
                (Some(q), None) => Some(Secret::new(q)),
                (None, None) => None,
            };
            (shopcast_push::DestinationKind::Srt { url: base }, secret)
        }
    })
}
