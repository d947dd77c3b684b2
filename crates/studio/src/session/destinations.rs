//! Saved push destinations: what the host enters in the Output panel,
//! turned into `shopcast-push`'s kinds and secrets. The host only: an
//! assistant never sees or touches the push settings.

use std::time::{Duration, SystemTime};

use shopcast_media::PushOutput;
use shopcast_push::{Destinations, Secret};

use super::Session;
use super::view::{DestinationInput, DestinationKind, DestinationView, PhaseName};
use crate::error::{StudioError, StudioResult};
use crate::limits::TENCENT_VALID_HOURS;

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
        Ok(d.list().iter().map(|s| view(&s.name, &s.kind)).collect())
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
        Ok(view(&saved.name, &saved.kind))
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

fn view(name: &str, kind: &shopcast_push::DestinationKind) -> DestinationView {
    DestinationView {
        name: name.to_string(),
        kind: match kind {
            shopcast_push::DestinationKind::Tencent { .. } => DestinationKind::Tencent,
            shopcast_push::DestinationKind::Custom { .. } => DestinationKind::Custom,
            shopcast_push::DestinationKind::Srt { .. } => DestinationKind::Srt,
        },
        summary: kind.describe(),
        has_secret: true,
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
            if !TENCENT_VALID_HOURS.contains(&valid_hours) {
                return Err(StudioError::Invalid {
                    what: "validity",
                    reason: format!(
                        "{} to {} hours",
                        TENCENT_VALID_HOURS.start(),
                        TENCENT_VALID_HOURS.end()
                    ),
                });
            }
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
