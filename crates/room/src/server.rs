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
use crate::cluster::relay::Relay;
use crate::cluster::{Cluster, owner};
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
    to: To,
    /// Which task of this room (a room unloaded and loaded again gets a
    /// new one), so an old task never removes its successor.
    generation: u64,
}

/// Where a room's commands go.
#[derive(Clone)]
enum To {
    /// Its task runs in this process.
    Local(mpsc::Sender<RoomCmd>),
    /// Another process serves it (Redis mode).
    Remote(Arc<Relay>),
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
        match &self.to {
            To::Local(tx) => tx.send(cmd).await.map_err(|_| RoomError::Closed("room")),
            To::Remote(r) => r.send(cmd).await,
        }
    }

    fn is_closed(&self) -> bool {
        match &self.to {
            To::Local(tx) => tx.is_closed(),
            To::Remote(r) => r.is_closed(),
        }
    }

    /// Whether its task runs in this process.
    fn is_local(&self) -> bool {
        matches!(self.to, To::Local(_))
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
    /// Redis mode: this process among the others.
    pub(crate) cluster: Option<Arc<Cluster>>,
    /// Redis mode: one room is taken or relayed at a time, so that two
    /// sockets arriving together do not relay to their own process.
    opening: tokio::sync::Mutex<()>,
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
        if let Some(cluster) = &self.cluster {
            return self.cluster_room(cluster, name).await;
        }
        let mut rooms = self.rooms.lock();
        if let Some(h) = rooms.get(name)
            && !h.is_closed()
        {
            return Ok(h.clone());
        }
        self.room_cap(rooms.len())?;
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        let h = self.spawn_room(name, generation, None);
        rooms.insert(name.to_string(), h.clone());
        Ok(h)
    }

    fn room_cap(&self, loaded: usize) -> Result<()> {
        if loaded >= self.ctx.settings.max_rooms {
            return Err(RoomError::protocol(
                ErrorCode::LimitExceeded,
                "too many rooms on this server",
            ));
        }
        Ok(())
    }

    /// Starts a room's task here; in Redis mode with the lease `owned`
    /// already taken: its fence token, and where its inbox starts.
    fn spawn_room(
        &self,
        name: &str,
        generation: u64,
        owned: Option<(String, String)>,
    ) -> RoomHandle {
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        let ctx = self.ctx.clone();
        let room = name.to_string();
        let unload = Unload {
            registry: self.rooms.clone(),
            generation,
        };
        let cluster = self.cluster.clone().zip(owned);
        // A room that loses its lease stops alone; the server's shutdown
        // stops them all.
        let cancel = self.cancel.child_token();
        let inbox_tx = tx.clone();
        self.tasks.spawn(async move {
            let loaded = Room::load(room.clone(), ctx.clone()).await;
            let r = match loaded {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(room = %room, error = %e, "could not load room");
                    if let (Some((c, (token, _))), Some(store)) = (&cluster, ctx.store.redis()) {
                        store.set_fence(&room, None);
                        c.release(&room, token).await;
                    }
                    return;
                }
            };
            let Some((cluster, (token, start))) = cluster else {
                r.run(rx, cancel, unload).await;
                return;
            };
            let stop = CancellationToken::new();
            let publisher = crate::cluster::spawn_publisher(&cluster, &room);
            owner::keep_lease(
                cluster.clone(),
                room.clone(),
                token.clone(),
                cancel.clone(),
                stop.clone(),
            );
            tokio::spawn(owner::inbox(
                cluster.clone(),
                room.clone(),
                start,
                inbox_tx,
                publisher.clone(),
                stop.clone(),
            ));
            r.with_publisher(publisher).run(rx, cancel, unload).await;
            stop.cancel();
            if let Some(store) = ctx.store.redis() {
                store.set_fence(&room, None);
            }
            cluster.release(&room, &token).await;
        });
        RoomHandle {
            to: To::Local(tx),
            generation,
        }
    }

    /// Redis mode: serves the room here if no process does, or relays
    /// to the one that does.
    async fn cluster_room(&self, cluster: &Arc<Cluster>, name: &str) -> Result<RoomHandle> {
        let _one = self.opening.lock().await;
        if let Some(h) = self.loaded(name) {
            return Ok(h);
        }
        self.room_cap(self.rooms.lock().len())?;
        for _ in 0..5 {
            let generation = self.generations.fetch_add(1, Ordering::Relaxed);
            // Where the inbox will be read from, fixed *before* the lease
            // is taken: relays write to the inbox as soon as they see an
            // owner, and a join written between the lease and this read
            // would never be answered.
            let key = crate::store::redis::room_key(name, "in");
            let start = crate::cluster::stream_tail(&mut cluster.conn(), &key).await?;
            if let Some(token) = cluster.acquire(name, generation).await? {
                if let Some(store) = self.ctx.store.redis() {
                    store.set_fence(name, Some(token.clone()));
                }
                let h = self.spawn_room(name, generation, Some((token, start)));
                self.rooms.lock().insert(name.to_string(), h.clone());
                return Ok(h);
            }
            let Some(owner) = cluster.owner(name).await? else {
                // Released between the two calls: try to take it again.
                continue;
            };
            let registry = self.rooms.clone();
            let room = name.to_string();
            let relay = Relay::start(
                cluster.clone(),
                name.to_string(),
                owner,
                self.ctx.settings.max_lag_events,
                self.cancel.clone(),
                move || {
                    let mut rooms = registry.lock();
                    if rooms.get(&room).is_some_and(|h| h.generation == generation) {
                        rooms.remove(&room);
                    }
                },
            )
            .await?;
            self.tasks.spawn({
                let relay = relay.clone();
                async move { relay.closed().await }
            });
            let h = RoomHandle {
                to: To::Remote(relay),
                generation,
            };
            self.rooms.lock().insert(name.to_string(), h.clone());
            return Ok(h);
        }
        Err(RoomError::Closed("the room's server (it keeps moving)"))
    }

    /// The handle of a room whose task is running.
    fn loaded(&self, name: &str) -> Option<RoomHandle> {
        self.rooms
            .lock()
            .get(name)
            .filter(|h| !h.is_closed())
            .cloned()
    }

    /// Handles of the rooms whose task runs in this process.
    fn rooms_here(&self) -> Vec<RoomHandle> {
        self.rooms
            .lock()
            .values()
            .filter(|h| h.is_local())
            .cloned()
            .collect()
    }

    /// Closes `user`'s sockets in every room (their tokens signed up to
    /// `before` were revoked). In Redis mode every process hears of it.
    pub(crate) async fn close_user_everywhere(&self, user: &str, before: u64) -> Result<()> {
        if let Some(c) = &self.cluster {
            let g = crate::cluster::global::Global::Revoked {
                user: user.to_string(),
                before,
            };
            return c.announce(&g).await;
        }
        self.close_user_here(user).await;
        Ok(())
    }

    /// Closes `user`'s sockets in the rooms run here (a relayed room's
    /// sockets are closed by the process that runs it).
    pub(crate) async fn close_user_here(&self, user: &str) {
        for h in self.rooms_here() {
            let _ = h
                .send(RoomCmd::Revoked {
                    user: user.to_string(),
                })
                .await;
        }
    }

    /// Sends a notice to every room. In Redis mode it goes through
    /// Redis, so rooms run by other processes get it too, once.
    pub(crate) async fn to_all_rooms(&self, body: EventBody) -> Result<()> {
        if let Some(c) = &self.cluster {
            return c
                .announce(&crate::cluster::global::Global::System {
                    body: Box::new(body),
                })
                .await;
        }
        self.to_rooms_here(body).await;
        Ok(())
    }

    /// Sends a notice to the rooms run here.
    pub(crate) async fn to_rooms_here(&self, body: EventBody) {
        for h in self.rooms_here() {
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

    /// Rooms loaded now (served here or, in Redis mode, relayed).
    pub fn rooms_loaded(&self) -> usize {
        self.shared.rooms.lock().len()
    }

    /// Rooms whose task runs in this process.
    pub fn rooms_served(&self) -> usize {
        self.shared
            .rooms
            .lock()
            .values()
            .filter(|h| h.is_local())
            .count()
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
        let (store, store_thread, cluster) = match &config.redis {
            Some(url) => {
                crate::config::create_data_dir(&config.data_dir)?;
                let store = Store::open_redis(url).await?;
                let conn = store
                    .redis()
                    .map(|r| r.conn())
                    .ok_or(RoomError::Closed("store"))?;
                let cluster = Cluster::connect(url, conn).await?;
                (store, None, Some(cluster))
            }
            None => {
                let (store, th) = Store::open(&config.data_dir)?;
                (store, Some(th), None)
            }
        };
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
            cluster: cluster.clone(),
            opening: tokio::sync::Mutex::new(()),
        });
        if let Some(c) = &cluster {
            c.heartbeat(cancel.clone());
            let start = c.global_tail().await?;
            tokio::spawn(crate::cluster::global::read(
                c.clone(),
                shared.clone(),
                start,
            ));
        }
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
                store_thread,
            },
        ))
    }
}
