//! The room run: the embedded rehearsal room with its simulated
//! audience, or a connection to a real room; what the session sends
//! there; and the room client's events, gathered into one
//! [`RoomBatch`] per burst for the window.

use std::time::Duration;

use parking_lot::Mutex;
use shopcast_room::protocol::{ClientMsg, EventBody, Role, RoomStatus};
use shopcast_room::{CancellationToken, ClientConfig, ClientEvent, RoomClient};
use tokio::sync::mpsc;

use super::activities::ActivityHub;
use super::card::CardTrigger;
use super::lineup::LineupHub;
use super::paths::now_ms;
use super::state::{Inner, Mode, SessionRole, forbidden};
use super::view::{RoomBatch, RoomNotice, SessionEvent};
use super::{EventSink, Session};
use crate::error::{StudioError, StudioResult};
use crate::notice::Notice;
use crate::settings::{RehearsalAudience, Settings};

/// The rehearsal room's name.
const REHEARSAL_ROOM: &str = "rehearsal";
/// Coins each simulated viewer starts with: enough for hours of the
/// loudest gift rate the rehearsal settings allow, all rockets.
const REHEARSAL_COINS: u64 = 1_000_000_000;

/// How long a batch waits for more of the same burst. The server sends
/// every 100 ms and the client hands its events on one by one; one
/// frame's wait gathers a burst into one message at no visible cost.
const BATCH_WINDOW: Duration = Duration::from_millis(16);
/// A batch is sent early once this full, so one message stays small.
const BATCH_MAX: usize = 500;

pub(super) struct RoomRun {
    client: RoomClient,
    /// The embedded server (rehearsal).
    server: Option<shopcast_room::ServerHandle>,
    bots: Option<CancellationToken>,
    pub ws_url: String,
    signer: Option<shopcast_room::TokenSigner>,
    /// The token that may upload product images. It stays in memory;
    /// it is never logged.
    token: String,
}

impl Session {
    /// Sends a room message as this session's user. The room server
    /// checks the role too; the session refuses stream controls for an
    /// assistant before they leave the machine.
    pub fn room_send(&self, msg: ClientMsg) -> StudioResult<()> {
        let role = self.inner.lock().role();
        if matches!(msg, ClientMsg::SetStatus { .. }) && role != Some(SessionRole::Host) {
            return Err(forbidden("the room status"));
        }
        if matches!(msg, ClientMsg::Hello { .. }) {
            return Err(StudioError::Invalid {
                what: "room message",
                reason: "the session signs in by itself".into(),
            });
        }
        // Not held while sending: a connection that is down must not
        // freeze every other command that needs the room.
        let Some(sender) = self.room.lock().as_ref().map(|r| r.client.sender()) else {
            return Err(StudioError::State("not connected to a room".into()));
        };
        sender.try_send(msg)?;
        Ok(())
    }

    pub(super) fn room_status(&self, status: RoomStatus) {
        if self.room.lock().is_some()
            && let Err(e) = self.room_send(ClientMsg::SetStatus { status })
        {
            self.inner.lock().warn(Notice::RoomStatusNotSent {
                reason: e.message(),
            });
        }
    }

    /// Changes the simulated audience (rehearsal only).
    pub fn set_audience(&self, audience: RehearsalAudience) -> StudioResult<()> {
        let _op = self.ops.lock();
        if self.inner.lock().mode != Some(Mode::Rehearsal) {
            return Err(StudioError::State(
                "the simulated audience is for rehearsals".into(),
            ));
        }
        let mut settings = self.settings();
        settings.rehearsal = audience;
        let settings = self.store_settings(settings)?;
        let mut room = self.room.lock();
        if let Some(run) = room.as_mut() {
            if let Some(c) = run.bots.take() {
                c.cancel();
            }
            if let Some(signer) = &run.signer {
                run.bots = Some(self.start_bots(&run.ws_url, signer.clone(), &settings));
            }
        }
        Ok(())
    }

    pub(super) fn start_rehearsal_room(&self) -> StudioResult<RoomRun> {
        let dir = self.paths.data_dir.join("rehearsal-room");
        std::fs::create_dir_all(&dir).map_err(|e| StudioError::io(&dir, e))?;
        let mut config = shopcast_room::ServerConfig::new(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            dir.clone(),
        );
        // Loopback only, and every simulated viewer (up to the rehearsal
        // maximum) connects from this one address.
        config.settings.conn_caps.per_ip = usize::MAX;
        // The simulated viewers' seed money for their gifts.
        config.settings.welcome_balance = REHEARSAL_COINS;
        // A private room: a simulated viewer may reach it before the
        // host's own connection does.
        config.settings.anyone_opens_rooms = true;
        let (addr, server) = self
            .rt
            .block_on(shopcast_room::EmbeddedServer::start(config))?;
        let signer = shopcast_room::TokenSigner::load_or_create(&dir)?;
        let token = signer.mint(&shopcast_room::Claims {
            user: "host".into(),
            room: REHEARSAL_ROOM.into(),
            role: Role::Host,
            nick: "Host".into(),
            time: shopcast_room::token::now_unix(),
            expire: 24 * 3600,
        })?;
        let ws_url = shopcast_room::client::room_ws_url(&format!("http://{addr}"), REHEARSAL_ROOM)?;
        let settings = self.settings();
        let bots = self.start_bots(&ws_url, signer.clone(), &settings);
        let client = self.spawn_room_client(&ws_url, &token);
        Ok(RoomRun {
            client,
            server: Some(server),
            bots: Some(bots),
            ws_url,
            signer: Some(signer),
            token,
        })
    }

    fn start_bots(
        &self,
        ws_url: &str,
        signer: shopcast_room::TokenSigner,
        settings: &Settings,
    ) -> CancellationToken {
        let cancel = CancellationToken::new();
        let r = &settings.rehearsal;
        let config = shopcast_room::bots::BotsConfig {
            ws_url: ws_url.to_string(),
            tokens: shopcast_room::bots::TokenSource::Signer {
                signer,
                room: REHEARSAL_ROOM.into(),
            },
            params: shopcast_room::bots::PlanParams::new(r.viewers, r.barrage_per_s, r.gifts_per_s)
                .with_activities(r.take_part, r.card_clicks_per_s),
            seed: now_ms(),
            duration: None,
            record: None,
        };
        let c = cancel.clone();
        self.rt.spawn(async move {
            if let Err(e) = shopcast_room::bots::run_bots(config, c).await {
                tracing::warn!(error = %e, "simulated audience stopped");
            }
        });
        cancel
    }

    pub(super) fn connect_room(&self, room_url: &str, token: &str) -> StudioResult<RoomRun> {
        let (ws_url, _room) = shopcast_room::bots::parse_room_url(room_url)?;
        let client = self.spawn_room_client(&ws_url, token);
        Ok(RoomRun {
            client,
            server: None,
            bots: None,
            ws_url,
            signer: None,
            token: token.to_string(),
        })
    }

    /// The room's address and this session's token, for its REST API.
    pub(super) fn room_credentials(&self) -> StudioResult<(String, String)> {
        let room = self.room.lock();
        let run = room
            .as_ref()
            .ok_or_else(|| StudioError::State("not connected to a room".into()))?;
        Ok((run.ws_url.clone(), run.token.clone()))
    }

    /// The room's recent lineup operations, oldest first, for the
    /// activity feed of a window that joined late.
    pub fn lineup_history(&self) -> StudioResult<Vec<shopcast_room::lineup::LineupRecord>> {
        let (ws_url, token) = self.room_credentials()?;
        let view = self
            .rt
            .block_on(shopcast_room::lineup::remote::fetch_history(
                &ws_url, &token,
            ))?;
        Ok(view.history)
    }

    /// Uploads a product image to the room server; returns the path it
    /// serves it at (`/media/…`).
    pub(super) fn upload_image(&self, bytes: Vec<u8>) -> StudioResult<String> {
        let (ws_url, token) = self.room_credentials()?;
        Ok(self
            .rt
            .block_on(shopcast_room::lineup::remote::upload_media(
                &ws_url, &token, bytes,
            ))?)
    }

    fn spawn_room_client(&self, ws_url: &str, token: &str) -> RoomClient {
        let mut config = ClientConfig::new(ws_url, token);
        config.token_in_hello = true;
        let _guard = self.rt.enter();
        let (client, events) = RoomClient::connect(config);
        let inner = self.inner.clone();
        let sink = self.sink.clone();
        let hubs = Hubs {
            lineup: self.lineup.clone(),
            activities: self.activities.clone(),
        };
        let card = self.card_tx.clone();
        self.rt
            .spawn(forward_room_events(events, inner, sink, hubs, card));
        client
    }

    pub(super) fn stop_room(&self) {
        let run = self.room.lock().take();
        self.lineup.reset();
        self.activities.reset();
        if let Some(run) = run {
            if let Some(b) = &run.bots {
                b.cancel();
            }
            self.rt.block_on(async move {
                run.client.close().await;
                if let Some(server) = run.server {
                    let _ = server.shutdown().await;
                }
            });
        }
    }
}

/// Gathers the client's events into batches: the first event of a burst
/// opens a batch, which is sent when the burst's window closes or the
/// batch is full. Connection changes update the session view at once.
/// What the forwarder feeds besides the window.
#[derive(Default)]
pub(super) struct Hubs {
    pub lineup: std::sync::Arc<LineupHub>,
    pub activities: std::sync::Arc<ActivityHub>,
}

async fn forward_room_events(
    mut events: mpsc::Receiver<ClientEvent>,
    inner: std::sync::Arc<Mutex<Inner>>,
    sink: EventSink,
    hubs: Hubs,
    card: CardTrigger,
) {
    let on = |ev: ClientEvent, batch: &mut RoomBatch| {
        if let Some(snapshot) = hubs.lineup.observe(&ev) {
            card.poke();
            sink(SessionEvent::Lineup(snapshot));
        }
        if let Some(list) = hubs.activities.observe(&ev) {
            // A flash sale's countdown and stock show on the card.
            card.poke();
            sink(SessionEvent::Activities(list));
        }
        on_room_event(&inner, &sink, ev, batch);
    };
    while let Some(first) = events.recv().await {
        let mut batch = RoomBatch::default();
        on(first, &mut batch);
        let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
        let mut open = true;
        while open && batch.events.len() + batch.notices.len() < BATCH_MAX {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Some(ev)) => on(ev, &mut batch),
                // The client ended: send what there is, then stop.
                Ok(None) => open = false,
                Err(_elapsed) => break,
            }
        }
        if !batch.is_empty() {
            sink(SessionEvent::Room(batch));
        }
        if !open {
            break;
        }
    }
}

fn on_room_event(inner: &Mutex<Inner>, sink: &EventSink, ev: ClientEvent, batch: &mut RoomBatch) {
    match ev {
        ClientEvent::Connected { .. } => {
            let view = {
                let mut i = inner.lock();
                i.room.connected = true;
                i.view()
            };
            sink(SessionEvent::Session(view));
        }
        ClientEvent::Disconnected { reason, .. } => {
            let view = {
                let mut i = inner.lock();
                i.room.connected = false;
                i.warn(Notice::RoomDisconnected {
                    reason: reason.to_string(),
                });
                i.view()
            };
            sink(SessionEvent::Session(view));
        }
        ClientEvent::Event(e) => {
            if let EventBody::OnlineCount { online, .. } = &e.body {
                let changed = {
                    let mut i = inner.lock();
                    let changed = i.room.online != *online;
                    i.room.online = *online;
                    changed.then(|| i.view())
                };
                if let Some(v) = changed {
                    sink(SessionEvent::Session(v));
                }
            }
            batch.events.push(e);
        }
        ClientEvent::Skipped(count) => {
            // Several samples in one batch add up to one notice.
            match batch.notices.iter_mut().find_map(|n| match n {
                RoomNotice::Skipped { count } => Some(count),
                _ => None,
            }) {
                Some(total) => *total += count,
                None => batch.notices.push(RoomNotice::Skipped { count }),
            }
        }
        ClientEvent::Popup(card) => batch.notices.push(RoomNotice::Popup { card }),
        ClientEvent::AudienceList { online, users } => {
            batch
                .notices
                .push(RoomNotice::AudienceList { online, users });
        }
        // Answers are for the operation waiting on them (the hub).
        ClientEvent::LineupReply { .. } | ClientEvent::ActionReply { .. } => {}
        ClientEvent::Error { code, message } => {
            let view = {
                let mut i = inner.lock();
                i.warn(Notice::RoomRefused {
                    message: message.to_string(),
                    code: format!("{code:?}"),
                });
                i.view()
            };
            sink(SessionEvent::Session(view));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use shopcast_room::protocol::Event;

    use super::*;
    use crate::settings::Settings;

    fn announcement(seq: u64) -> ClientEvent {
        ClientEvent::Event(Event {
            seq: Some(seq),
            ts: 0,
            body: EventBody::Announcement {
                text: format!("<i>{seq}</i>"),
            },
        })
    }

    /// Runs the forwarder over `events`, all queued before it starts
    /// (one burst), and returns what the window got.
    fn forward(events: Vec<ClientEvent>) -> Vec<SessionEvent> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let (tx, rx) = mpsc::channel(events.len() + 1);
        for e in events {
            tx.try_send(e).expect("queued");
        }
        drop(tx);
        let got = Arc::new(Mutex::new(Vec::new()));
        let sink_got = got.clone();
        let sink: EventSink = Arc::new(move |e| sink_got.lock().push(e));
        let inner = Arc::new(Mutex::new(Inner::new(Settings::default(), None)));
        rt.block_on(forward_room_events(
            rx,
            inner,
            sink,
            Hubs::default(),
            CardTrigger::default(),
        ));
        got.lock().clone()
    }

    fn batches(got: &[SessionEvent]) -> Vec<&RoomBatch> {
        got.iter()
            .filter_map(|e| match e {
                SessionEvent::Room(b) => Some(b),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn one_burst_is_one_message_in_order() {
        let mut events: Vec<ClientEvent> = (1..=120).map(announcement).collect();
        events.insert(10, ClientEvent::Skipped(3));
        events.insert(50, ClientEvent::Skipped(4));
        let got = forward(events);
        let b = batches(&got);
        assert_eq!(b.len(), 1, "one message for one burst");
        let seqs: Vec<u64> = b[0].events.iter().filter_map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=120).collect::<Vec<_>>());
        // Two samplings in one batch are one notice with their sum.
        assert_eq!(b[0].notices, vec![RoomNotice::Skipped { count: 7 }]);
    }

    #[test]
    fn a_large_burst_is_split_and_nothing_is_lost() {
        let n = BATCH_MAX as u64 * 2 + 17;
        let got = forward((1..=n).map(announcement).collect());
        let b = batches(&got);
        assert_eq!(b.len(), 3);
        assert!(b.iter().all(|b| b.events.len() <= BATCH_MAX));
        let seqs: Vec<u64> = b
            .iter()
            .flat_map(|b| b.events.iter().filter_map(|e| e.seq))
            .collect();
        assert_eq!(seqs, (1..=n).collect::<Vec<_>>());
    }

    #[test]
    fn connection_changes_update_the_view_at_once() {
        let got = forward(vec![
            announcement(1),
            ClientEvent::Disconnected {
                code: None,
                reason: "server went away".into(),
                will_retry: true,
            },
            announcement(2),
        ]);
        // The view update is not held back until the batch closes.
        let first_session = got
            .iter()
            .position(|e| matches!(e, SessionEvent::Session(v) if !v.room.connected))
            .expect("a view update");
        let room = got
            .iter()
            .position(|e| matches!(e, SessionEvent::Room(_)))
            .expect("a batch");
        assert!(first_session < room);
        assert_eq!(batches(&got)[0].events.len(), 2);
    }
}
