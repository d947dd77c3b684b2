//! The room server: an axum app on the caller's tokio runtime, serving
//! WebSockets at `/ws/{room}`, the audience page at `/r/{room}` and the
//! REST API under `/api/`. [`EmbeddedServer::start`] runs it in-process
//! (rehearsal, tests); `shopcast room-server` runs the same thing.
//!
//! Shutdown: one shared [`CancellationToken`]; connection and room tasks
//! are tracked by a [`TaskTracker`] (a `JoinSet` would keep every finished
//! connection's result until joined), the store thread is stopped last so
//! every accepted event is on disk.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use parking_lot::Mutex;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admission::{Admission, Full, client_ip, origin_allowed};
use crate::config::ServerConfig;
use crate::conn::{self, ConnQuery};
use crate::error::{Result, RoomError};
use crate::protocol::{ErrorCode, EventBody};
use crate::revoke::Revocations;
use crate::room::{Room, RoomCmd, RoomCtx};
use crate::store::Store;
use crate::token::{TokenSigner, valid_room};

/// Capacity of each room's command queue.
const ROOM_QUEUE: usize = 8192;

/// A room's mailbox.
#[derive(Clone)]
pub(crate) struct RoomHandle {
    tx: mpsc::Sender<RoomCmd>,
    /// Which task of this room (a room unloaded and loaded again gets a
    /// new one), so an old task never removes its successor.
    generation: u64,
}

/// The loaded rooms, shared with each room's task so an idle one can
/// take itself out.
pub(crate) type Registry = Arc<Mutex<HashMap<String, RoomHandle>>>;

/// What a room task needs to unload itself.
pub(crate) struct Unload {
    pub(crate) registry: Registry,
    pub(crate) generation: u64,
}

impl Unload {
    /// Takes the room out of the registry unless commands are waiting
    /// (checked under the registry's lock, so no new handle is given out
    /// meanwhile). True if it is out.
    pub(crate) fn leave(&self, name: &str, rx: &mpsc::Receiver<RoomCmd>) -> bool {
        let mut rooms = self.registry.lock();
        if !rx.is_empty() {
            return false;
        }
        if rooms
            .get(name)
            .is_some_and(|h| h.generation == self.generation)
        {
            rooms.remove(name);
        }
        true
    }
}

impl RoomHandle {
    pub(crate) async fn send(&self, cmd: RoomCmd) -> Result<()> {
        self.tx
            .send(cmd)
            .await
            .map_err(|_| RoomError::Closed("room"))
    }
}

/// State shared by every request and connection.
pub struct Shared {
    pub(crate) ctx: Arc<RoomCtx>,
    pub(crate) signer: TokenSigner,
    pub(crate) cancel: CancellationToken,
    pub(crate) tasks: TaskTracker,
    rooms: Registry,
    generations: AtomicU64,
    conn_ids: AtomicU64,
    pub(crate) guest_limits: Mutex<HashMap<std::net::IpAddr, crate::limits::TokenBucket>>,
    /// Connection caps and their live counts.
    pub(crate) admission: Arc<Admission>,
    /// Users whose older tokens an admin revoked.
    pub(crate) revoked: Revocations,
    /// Draw records served by the public route: drawn records never
    /// change, and a reload loop on a big draw must not keep the store
    /// thread (which saves every room's ticks) parsing it.
    pub(crate) draw_cache: Mutex<HashMap<(String, String), Arc<crate::activity::draw::DrawRecord>>>,
    /// Product images (`/media/…`).
    pub(crate) media_dir: std::path::PathBuf,
}

impl Shared {
    pub(crate) fn next_conn_id(&self) -> u64 {
        self.conn_ids.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The room's handle, starting its task (which loads it from SQLite)
    /// if it is not loaded. Only an `opener` (a host or admin token, or
    /// anyone where the settings allow) brings a room that was never
    /// opened into being: otherwise anyone with a free guest token could
    /// fill the server with empty rooms.
    pub(crate) async fn room(&self, name: &str, opener: bool) -> Result<RoomHandle> {
        if !valid_room(name) {
            return Err(RoomError::protocol(
                ErrorCode::InvalidArgument,
                "room names are 1-64 of [A-Za-z0-9_.-]",
            ));
        }
        if self.cancel.is_cancelled() {
            return Err(RoomError::Closed("server"));
        }
        if let Some(h) = self.loaded(name) {
            return Ok(h);
        }
        if !opener
            && !self.ctx.settings.anyone_opens_rooms
            && !self.ctx.store.room_exists(name).await?
        {
            return Err(RoomError::protocol(
                ErrorCode::NotFound,
                format!("room {name} is not open; its host opens it"),
            ));
        }
        let mut rooms = self.rooms.lock();
        if let Some(h) = rooms.get(name)
            && !h.tx.is_closed()
        {
            return Ok(h.clone());
        }
        if rooms.len() >= self.ctx.settings.max_rooms {
            return Err(RoomError::protocol(
                ErrorCode::LimitExceeded,
                "too many rooms on this server",
            ));
        }
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        let ctx = self.ctx.clone();
        let cancel = self.cancel.clone();
        let room = name.to_string();
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        let unload = Unload {
            registry: self.rooms.clone(),
            generation,
        };
        self.tasks.spawn(async move {
            match Room::load(room.clone(), ctx).await {
                Ok(r) => r.run(rx, cancel, unload).await,
                Err(e) => tracing::error!(room = %room, error = %e, "could not load room"),
            }
        });
        let h = RoomHandle { tx, generation };
        rooms.insert(name.to_string(), h.clone());
        Ok(h)
    }

    /// The handle of a room whose task is running.
    fn loaded(&self, name: &str) -> Option<RoomHandle> {
        self.rooms
            .lock()
            .get(name)
            .filter(|h| !h.tx.is_closed())
            .cloned()
    }

    /// Handles of every loaded room.
    pub(crate) fn all_rooms(&self) -> Vec<RoomHandle> {
        self.rooms.lock().values().cloned().collect()
    }

    /// Closes `user`'s sockets in every loaded room (their tokens were
    /// revoked).
    pub(crate) async fn close_user_everywhere(&self, user: &str) {
        for h in self.all_rooms() {
            let _ = h
                .send(RoomCmd::Revoked {
                    user: user.to_string(),
                })
                .await;
        }
    }

    /// Sends a notice to every loaded room.
    pub(crate) async fn to_all_rooms(&self, body: EventBody) {
        for h in self.all_rooms() {
            let _ = h.send(RoomCmd::System { body: body.clone() }).await;
        }
    }
}

async fn ws_route(
    ws: WebSocketUpgrade,
    Path(room): Path<String>,
    Query(q): Query<ConnQuery>,
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !valid_room(&room) {
        return crate::api::ApiError(RoomError::protocol(
            ErrorCode::InvalidArgument,
            "room names are 1-64 of [A-Za-z0-9_.-]",
        ))
        .into_response();
    }
    let settings = &shared.ctx.settings;
    if !origin_allowed(&headers, &settings.allowed_origins) {
        return crate::api::ApiError(RoomError::Forbidden(
            "this web origin may not connect; the operator can allow it",
        ))
        .into_response();
    }
    // Refused before the upgrade: a flood costs an HTTP answer, not a
    // socket, a task and a read buffer.
    let ip = client_ip(peer, &headers, &settings.trusted_proxies);
    let slot = match shared.admission.admit_addr(ip) {
        Ok(s) => s,
        Err(full) => {
            let status = match full {
                Full::Total => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::TOO_MANY_REQUESTS,
            };
            tracing::debug!(%ip, ?full, "connection refused at the cap");
            let body =
                serde_json::json!({ "kind": ErrorCode::LimitExceeded, "message": full.message() });
            return (status, axum::Json(body)).into_response();
        }
    };
    let limits = &settings.limits;
    let tasks = shared.tasks.clone();
    ws.max_message_size(limits.max_ws_message_bytes)
        .max_frame_size(limits.max_ws_message_bytes)
        .on_upgrade(move |socket| {
            // Tracked, so shutdown waits for the close frames to go out.
            tasks.track_future(async move {
                conn::serve(socket, shared, room, q).await;
                drop(slot);
            })
        })
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ws/{room}", get(ws_route))
        .merge(crate::web::routes())
        .route("/media/{name}", get(crate::media::serve))
        .nest("/api", crate::api::routes())
        .with_state(shared)
}

/// A running server.
pub struct ServerHandle {
    addr: SocketAddr,
    cancel: CancellationToken,
    serve: tokio::task::JoinHandle<()>,
    pub(crate) shared: Arc<Shared>,
    store_thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .finish()
    }
}

impl ServerHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Rooms loaded now.
    pub fn rooms_loaded(&self) -> usize {
        self.shared.rooms.lock().len()
    }

    /// Sockets held now (those counted against the connection caps).
    pub fn connections(&self) -> usize {
        self.shared.admission.total()
    }

    /// The shared shutdown token (cancel it to begin shutdown).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Stops accepting, closes every connection with 1001, lets rooms
    /// log what they accepted, and waits for the database.
    pub async fn shutdown(mut self) -> Result<()> {
        self.cancel.cancel();
        self.wait().await
    }

    /// Waits until the server stops (after someone cancels the token).
    pub async fn wait(&mut self) -> Result<()> {
        let serve = &mut self.serve;
        let _ = serve.await;
        self.shared.tasks.close();
        self.shared.tasks.wait().await;
        self.shared.ctx.store.stop().await;
        if let Some(th) = self.store_thread.take() {
            tokio::task::spawn_blocking(move || th.join())
                .await
                .map_err(|_| RoomError::Closed("store thread"))?
                .map_err(|_| RoomError::Closed("store thread (panicked)"))?;
        }
        Ok(())
    }
}

/// The room server, started inside the current tokio runtime.
pub struct EmbeddedServer;

impl EmbeddedServer {
    /// Binds `config.listen` (port 0 picks one), opens the data
    /// directory, and serves until [`ServerHandle::shutdown`].
    pub async fn start(config: ServerConfig) -> Result<(SocketAddr, ServerHandle)> {
        config.settings.levels.validate()?;
        let signer = TokenSigner::load_or_create(&config.data_dir)?;
        let (store, store_thread) = Store::open(&config.data_dir)?;
        let gifts = match store.gifts().await? {
            Some(g) => g,
            None => config.settings.default_gifts.clone(),
        };
        let revoked = store.revocations().await?;
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let cancel = CancellationToken::new();
        let caps = config.settings.conn_caps;
        let shared = Arc::new(Shared {
            ctx: Arc::new(RoomCtx {
                settings: Arc::new(config.settings),
                store,
                gifts: parking_lot::RwLock::new(Arc::new(gifts)),
            }),
            signer,
            cancel: cancel.clone(),
            tasks: TaskTracker::new(),
            rooms: Registry::default(),
            generations: AtomicU64::new(0),
            conn_ids: AtomicU64::new(0),
            guest_limits: Mutex::new(HashMap::new()),
            admission: Admission::new(caps),
            revoked: Revocations::new(revoked),
            draw_cache: Mutex::new(HashMap::new()),
            media_dir: config.data_dir.join(crate::media::MEDIA_DIR),
        });
        let app = router(shared.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let c = cancel.clone();
        let serve = tokio::spawn(async move {
            use axum::serve::ListenerExt;
            // Frames are small and answered at once: Nagle plus delayed
            // ACK would add 40 ms to every lineup answer and pop-up.
            let listener = listener.tap_io(|tcp| {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::trace!(error = %e, "TCP_NODELAY not set");
                }
            });
            let r = axum::serve(listener, app)
                .with_graceful_shutdown(async move { c.cancelled().await })
                .await;
            if let Err(e) = r {
                tracing::error!(error = %e, "room server stopped with an error");
            }
        });
        tracing::info!(%addr, "room server listening");
        Ok((
            addr,
            ServerHandle {
                addr,
                cancel,
                serve,
                shared,
                store_thread: Some(store_thread),
            },
        ))
    }
}
