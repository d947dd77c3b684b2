//! Outputs: each push destination and the recording run in a pipeline
//! of their own, fed with the one encode through appsrcs.
//!
//! Separate pipelines are what let one output fail, stall or reconnect
//! without the others or the recording noticing: the program pipeline
//! only ever hands buffers to an appsrc whose queue we watch, and an
//! output that falls too far behind drops up to the next keyframe while
//! the rest carry on.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gst::prelude::*;
use parking_lot::Mutex;

use crate::error::MediaError;
use crate::events::{BroadcastEvent, EventSender, OutputId, OutputState};
use crate::sources::make;
use shopcast_push::{Backoff, PushTarget, ReconnectPolicy};

/// The RTMP sinks, preferred first: librtmp's `rtmpsink` shows
/// congestion in our queue, `rtmp2sink` is the fallback (see where the
/// push pipeline is built). The start-up check names the same two.
pub const RTMP_SINKS: [&str; 2] = ["rtmpsink", "rtmp2sink"];

/// What an output writes to.
#[derive(Clone)]
pub enum OutputTarget {
    /// RTMP(S) or SRT push; the URL holds secrets and is never printed.
    Push { target: PushTarget },
    /// A local recording.
    Record { path: PathBuf },
}

impl OutputTarget {
    /// How the output is named in messages: the redacted URL or the path.
    pub fn describe(&self) -> String {
        match self {
            Self::Push { target } => target.redacted(),
            Self::Record { path } => path.display().to_string(),
        }
    }

    fn is_push(&self) -> bool {
        matches!(self, Self::Push { .. })
    }
}

/// A push that has sent no media this long after starting has failed:
/// an unreachable host must not leave the host guessing.
const NO_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// Counters an output keeps for stats.
#[derive(Debug, Default)]
pub struct OutputCounters {
    pub bytes_sent: AtomicU64,
    pub video_frames: AtomicU64,
    pub dropped_frames: AtomicU64,
}

/// The appsrcs of the current connection attempt.
struct Session {
    video: gst_app::AppSrc,
    audio: Option<gst_app::AppSrc>,
    /// Program running time that maps to 0 in this session, set by the
    /// first keyframe it takes. Every session starts its file or stream
    /// at zero, and at a keyframe.
    offset: Option<gst::ClockTime>,
    video_caps_set: bool,
    audio_caps_set: bool,
    /// Set after a drop: nothing more goes out until the next keyframe,
    /// because a decoder cannot use frames that refer to a dropped one.
    need_keyframe: bool,
}

/// A plain copy of what an output's counters and state were at one
/// moment, for readers on other threads (stats, dynamic bitrate, the
/// summary): they see figures, never the output's locks and atomics.
#[derive(Debug, Clone)]
pub(crate) struct OutputSnapshot {
    pub id: OutputId,
    /// `id` in words, for logs and pipeline names.
    pub name: String,
    /// Redacted URL or recording path.
    pub target: String,
    pub state: OutputState,
    pub bytes_sent: u64,
    pub video_frames: u64,
    pub dropped_frames: u64,
    /// Encoded media queued in this output, in milliseconds.
    pub queued_ms: u64,
}

pub(crate) struct OutputShared {
    pub id: OutputId,
    /// `id` in words, for logs and pipeline names.
    pub name: String,
    pub target: OutputTarget,
    counters: OutputCounters,
    state: Mutex<OutputState>,
    session: Mutex<Option<Session>>,
    queue_limit: gst::ClockTime,
    request_keyframe: Box<dyn Fn() + Send + Sync>,
    has_audio: bool,
    stopping: AtomicBool,
}

impl OutputShared {
    /// Hands one encoded video buffer to this output.
    pub(crate) fn push_video(&self, buffer: &gst::Buffer, caps: Option<&gst::Caps>) {
        let mut guard = self.session.lock();
        let Some(session) = guard.as_mut() else {
            if self.is_waiting() {
                self.counters.dropped_frames.fetch_add(1, Ordering::Relaxed);
            }
            return;
        };
        let keyframe = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT);
        if session.need_keyframe {
            if !keyframe {
                if session.offset.is_some() {
                    self.counters.dropped_frames.fetch_add(1, Ordering::Relaxed);
                }
                return;
            }
            session.need_keyframe = false;
        }
        if session.video.current_level_time() > self.queue_limit {
            // The far side is not keeping up. Drop here, for this output
            // only, and restart at a keyframe once it drains.
            self.counters.dropped_frames.fetch_add(1, Ordering::Relaxed);
            session.need_keyframe = true;
            (self.request_keyframe)();
            return;
        }
        let Some(pts) = buffer.pts() else { return };
        let offset = *session.offset.get_or_insert(pts);
        if !session.video_caps_set
            && let Some(caps) = caps
        {
            session.video.set_caps(Some(caps));
            session.video_caps_set = true;
        }
        let mut out = buffer.copy();
        {
            let out = out.make_mut();
            out.set_pts(pts.checked_sub(offset));
            out.set_dts(
                buffer
                    .dts()
                    .and_then(|d| d.checked_sub(offset))
                    .or(out.pts()),
            );
        }
        if session.video.push_buffer(out).is_ok() {
            self.counters.video_frames.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Hands one encoded audio buffer to this output.
    pub(crate) fn push_audio(&self, buffer: &gst::Buffer, caps: Option<&gst::Caps>) {
        let mut guard = self.session.lock();
        let Some(session) = guard.as_mut() else {
            return;
        };
        let (Some(offset), Some(audio)) = (session.offset, session.audio.as_ref()) else {
            return;
        };
        let Some(pts) = buffer.pts() else { return };
        // Audio from before the session's first keyframe has no picture.
        let Some(rel) = pts.checked_sub(offset) else {
            tracing::trace!(%pts, %offset, "audio before the session start");
            return;
        };
        if !session.audio_caps_set
            && let Some(caps) = caps
        {
            audio.set_caps(Some(caps));
            session.audio_caps_set = true;
        }
        let mut out = buffer.copy();
        out.make_mut().set_pts(rel);
        out.make_mut().set_dts(rel);
        if let Err(e) = audio.push_buffer(out) {
            tracing::debug!(error = ?e, "audio push refused");
        }
    }

    fn is_waiting(&self) -> bool {
        matches!(
            *self.state.lock(),
            OutputState::Reconnecting { .. } | OutputState::Connecting
        )
    }

    /// Copies out the figures other threads read.
    pub(crate) fn snapshot(&self) -> OutputSnapshot {
        // The state lock is released before `queued_ms` takes the session
        // lock: `push_video` takes them the other way round.
        let state = self.state.lock().clone();
        OutputSnapshot {
            id: self.id.clone(),
            name: self.name.clone(),
            target: self.target.describe(),
            state,
            bytes_sent: self.counters.bytes_sent.load(Ordering::Relaxed),
            video_frames: self.counters.video_frames.load(Ordering::Relaxed),
            dropped_frames: self.counters.dropped_frames.load(Ordering::Relaxed),
            queued_ms: self.queued_ms(),
        }
    }

    /// Encoded media queued in this output, in milliseconds.
    fn queued_ms(&self) -> u64 {
        self.session
            .lock()
            .as_ref()
            .map(|s| s.video.current_level_time().mseconds())
            .unwrap_or(0)
    }
}

/// Commands for an output's supervisor thread.
pub(crate) enum OutputCommand {
    Stop,
    ReconnectNow,
}

/// A running output: its shared state and supervisor thread.
pub(crate) struct Output {
    pub shared: Arc<OutputShared>,
    commands: mpsc::Sender<OutputCommand>,
    thread: Option<std::thread::JoinHandle<()>>,
}

pub(crate) struct OutputSpec {
    pub id: OutputId,
    pub target: OutputTarget,
    pub queue_limit: Duration,
    pub reconnect: ReconnectPolicy,
    pub has_audio: bool,
}

impl Output {
    /// Starts an output. Its first connection attempt happens on its own
    /// thread; progress is reported as events.
    pub(crate) fn start(
        spec: OutputSpec,
        clock: gst::Clock,
        events: EventSender,
        request_keyframe: Box<dyn Fn() + Send + Sync>,
    ) -> Result<Self, MediaError> {
        if let OutputTarget::Record { path } = &spec.target {
            check_writable_dir(path)?;
        }
        let shared = Arc::new(OutputShared {
            name: spec.id.to_string(),
            id: spec.id.clone(),
            target: spec.target.clone(),
            counters: OutputCounters::default(),
            state: Mutex::new(OutputState::Connecting),
            session: Mutex::new(None),
            queue_limit: gst::ClockTime::from_nseconds(spec.queue_limit.as_nanos() as u64),
            request_keyframe,
            has_audio: spec.has_audio,
            stopping: AtomicBool::new(false),
        });
        let (tx, rx) = mpsc::channel();
        let thread_shared = shared.clone();
        let reconnect = spec.reconnect;
        let thread = std::thread::Builder::new()
            .name(format!("output-{}", spec.id))
            .spawn(move || supervise(thread_shared, reconnect, clock, events, rx))
            .map_err(|e| MediaError::Glib(format!("could not start output thread: {e}")))?;
        Ok(Self {
            shared,
            commands: tx,
            thread: Some(thread),
        })
    }

    pub(crate) fn reconnect_now(&self) {
        let _ = self.commands.send(OutputCommand::ReconnectNow);
    }

    /// Sends EOS and waits for the output to finish writing.
    pub(crate) fn stop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let _ = self.commands.send(OutputCommand::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.stop();
    }
}

fn check_writable_dir(path: &Path) -> Result<(), MediaError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let meta = std::fs::metadata(&dir).map_err(|e| MediaError::Recording {
        path: path.display().to_string(),
        reason: format!("folder {} is not usable: {e}", dir.display()),
    })?;
    if !meta.is_dir() {
        return Err(MediaError::Recording {
            path: path.display().to_string(),
            reason: format!("{} is not a folder", dir.display()),
        });
    }
    Ok(())
}

/// One connection attempt's pipeline.
struct Attempt {
    pipeline: gst::Pipeline,
    /// Bytes the sink has finished writing in this attempt.
    written: Arc<AtomicU64>,
}

fn build_attempt(shared: &OutputShared, clock: &gst::Clock) -> Result<Attempt, MediaError> {
    let pipeline = gst::Pipeline::with_name(&format!("output-{}", shared.name));
    pipeline.use_clock(Some(clock));
    let appsrc = |name: &str| {
        gst_app::AppSrc::builder()
            .name(name)
            .format(gst::Format::Time)
            // The program pipeline already runs in real time; the output
            // only has to write buffers as they come, in order.
            .is_live(false)
            .block(false)
            .max_bytes(0)
            .build()
    };
    let video = appsrc("video");
    let audio = shared.has_audio.then(|| appsrc("audio"));
    let (mux, sink) = match &shared.target {
        OutputTarget::Push { target } => match target.protocol() {
            shopcast_push::Protocol::Srt => {
                let mux = make("mpegtsmux", None)?;
                // SRT's live mode sends at most 1316 bytes (7 TS packets)
                // per message and drops larger ones, which would lose
                // every keyframe.
                mux.set_property("alignment", 7i32);
                let sink = make("srtsink", None)?;
                sink.set_property("uri", target.gst_location());
                sink.set_property("wait-for-connection", false);
                (mux, sink)
            }
            _ => {
                let mux = make("flvmux", None)?;
                mux.set_property("streamable", true);
                // librtmp's sink writes to the socket in its render call,
                // so a slow link backs up into our queue where it can be
                // measured and acted on. rtmp2sink queues without bound
                // inside its connection and hides congestion.
                let sink = match make(RTMP_SINKS[0], None) {
                    Ok(s) => s,
                    Err(_) => make(RTMP_SINKS[1], None)?,
                };
                sink.set_property("location", target.gst_location());
                (mux, sink)
            }
        },
        OutputTarget::Record { path } => {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            let mux = match ext.as_str() {
                // Fragmented MP4: every fragment is self-contained, so a
                // file cut off by a crash plays up to its last fragment.
                "mp4" | "m4v" => {
                    let m = make("mp4mux", None)?;
                    m.set_property("fragment-duration", 1000u32);
                    m.set_property("streamable", true);
                    m
                }
                "flv" => {
                    let m = make("flvmux", None)?;
                    m.set_property("streamable", true);
                    m
                }
                "ts" => make("mpegtsmux", None)?,
                // Matroska writes clusters as it goes; a cut-off file
                // lacks only its index and plays anyway.
                _ => {
                    let m = make("matroskamux", None)?;
                    m.set_property("offset-to-zero", true);
                    m
                }
            };
            let sink = make("filesink", None)?;
            sink.set_property("location", path.to_string_lossy().to_string());
            (mux, sink)
        }
    };
    sink.set_property("sync", false);
    sink.set_property("async", false);
    pipeline.add_many([video.upcast_ref(), &mux, &sink])?;
    // MPEG-TS carries H.264 as a byte stream and AAC as ADTS; the encode
    // is AVC and raw AAC for FLV and Matroska, so TS outputs re-frame.
    let transport_stream = mux.factory().is_some_and(|f| f.name() == "mpegtsmux");
    let reframe = |src: &gst::Element, parser: &str| -> Result<gst::Element, MediaError> {
        if !transport_stream {
            return Ok(src.clone());
        }
        let p = make(parser, None)?;
        if parser == "h264parse" {
            // A byte stream has no codec_data: SPS/PPS go in-band before
            // every keyframe so a receiver can join at any of them.
            p.set_property("config-interval", -1i32);
        }
        pipeline.add(&p)?;
        src.link(&p)?;
        Ok(p)
    };
    let video_out = reframe(video.upcast_ref(), "h264parse")?;
    link_to_mux(&video_out, &mux, &["video", "video_%u", "sink_%d"])?;
    if let Some(audio) = &audio {
        pipeline.add(audio)?;
        let audio_out = reframe(audio.upcast_ref(), "aacparse")?;
        link_to_mux(&audio_out, &mux, &["audio", "audio_%u", "sink_%d"])?;
    }
    mux.link(&sink)?;
    // Counts bytes once the sink has taken them: a buffer reaches the pad
    // only after the sink finished writing the one before.
    let written = Arc::new(AtomicU64::new(0));
    if let Some(pad) = sink.static_pad("sink") {
        let w = written.clone();
        pad.add_probe(
            gst::PadProbeType::BUFFER | gst::PadProbeType::BUFFER_LIST,
            move |_, info| {
                let n = match &info.data {
                    Some(gst::PadProbeData::Buffer(b)) => b.size(),
                    Some(gst::PadProbeData::BufferList(l)) => l.calculate_size(),
                    _ => 0,
                };
                w.fetch_add(n as u64, Ordering::Relaxed);
                gst::PadProbeReturn::Ok
            },
        );
    }
    pipeline.set_state(gst::State::Playing)?;
    *shared.session.lock() = Some(Session {
        video,
        audio,
        offset: None,
        video_caps_set: false,
        audio_caps_set: false,
        need_keyframe: true,
    });
    (shared.request_keyframe)();
    Ok(Attempt { pipeline, written })
}

/// Links an appsrc to a muxer's request pad. The appsrc has no caps yet
/// (they come with the first encoded buffer), so the pad is picked by
/// template name rather than by caps.
fn link_to_mux(
    src: &gst::Element,
    mux: &gst::Element,
    templates: &[&str],
) -> Result<(), MediaError> {
    let src_pad = src
        .static_pad("src")
        .ok_or_else(|| MediaError::Glib("appsrc has no src pad".into()))?;
    let sink_pad = templates
        .iter()
        .find_map(|t| mux.request_pad_simple(t))
        .ok_or_else(|| {
            MediaError::Glib(format!("{} has no pad for {}", mux.name(), templates[0]))
        })?;
    src_pad
        .link(&sink_pad)
        .map_err(|e| MediaError::Glib(format!("could not link to {}: {e:?}", mux.name())))?;
    Ok(())
}

fn teardown(shared: &OutputShared, attempt: Attempt, eos: bool) {
    let session = shared.session.lock().take();
    if eos && let Some(session) = &session {
        let _ = session.video.end_of_stream();
        if let Some(a) = &session.audio {
            let _ = a.end_of_stream();
        }
        let bus = attempt.pipeline.bus();
        // A push output whose server has gone quiet must not hold up
        // shutdown for long; a recording gets longer to finalise.
        let wait = if shared.target.is_push() {
            gst::ClockTime::from_seconds(3)
        } else {
            gst::ClockTime::from_seconds(15)
        };
        if let Some(bus) = bus {
            let _ = bus.timed_pop_filtered(wait, &[gst::MessageType::Eos, gst::MessageType::Error]);
        }
    }
    let _ = attempt.pipeline.set_state(gst::State::Null);
}

fn error_text(shared: &OutputShared, err: &gst::message::Error) -> String {
    let redactor = match &shared.target {
        OutputTarget::Push { target } => target.redactor(),
        OutputTarget::Record { .. } => shopcast_push::Redactor::new(),
    };
    let base = err.error().to_string();
    // GStreamer's debug string is "file.c(line): func (): /element/path:\n
    // detail"; the detail after the newline is what a host can act on.
    let detail = err
        .debug()
        .map(|d| d.to_string())
        .map(|d| {
            d.split_once('\n')
                .map(|(_, rest)| rest.to_string())
                .unwrap_or(d)
        })
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty() && !base.contains(d.as_str()))
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    redactor.scrub(&format!("{base}{detail}"))
}

fn describe_failure(shared: &OutputShared, reason: &str) -> String {
    match &shared.target {
        OutputTarget::Push { target } => {
            let hp = host_port(target.expose_url());
            format!("could not push to {hp} ({}): {reason}", target.redacted())
        }
        OutputTarget::Record { path } => {
            format!("recording to {} failed: {reason}", path.display())
        }
    }
}

/// `host:port` of a push URL, with the scheme's default port filled in.
pub fn host_port(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "?".into();
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.strip_suffix(':').unwrap_or(host);
    if host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        return host.to_string();
    }
    let port = match scheme.to_ascii_lowercase().as_str() {
        "rtmps" => 443,
        "srt" => 9000,
        _ => 1935,
    };
    format!("{host}:{port}")
}

fn set_state(shared: &OutputShared, events: &EventSender, state: OutputState) {
    {
        let mut s = shared.state.lock();
        if *s == state {
            return;
        }
        *s = state.clone();
    }
    match &state {
        OutputState::Failed { reason } => {
            tracing::error!(output = %shared.name, %reason, "output failed")
        }
        OutputState::Reconnecting { attempt, of, .. } => {
            tracing::warn!(output = %shared.name, attempt, of, "output reconnecting")
        }
        s => tracing::info!(output = %shared.name, state = ?s, "output state"),
    }
    events.send(BroadcastEvent::Output {
        output: shared.id.clone(),
        state,
    });
}

/// The output's thread: runs connection attempts, watches their bus,
/// reconnects after a loss, and finalises at stop.
fn supervise(
    shared: Arc<OutputShared>,
    policy: ReconnectPolicy,
    clock: gst::Clock,
    events: EventSender,
    commands: mpsc::Receiver<OutputCommand>,
) {
    let span =
        tracing::info_span!("output", name = %shared.name, target = %shared.target.describe());
    let _enter = span.enter();
    let mut backoff = Backoff::new(policy);
    let mut ever_live = false;
    loop {
        set_state(&shared, &events, OutputState::Connecting);
        let attempt = match build_attempt(&shared, &clock) {
            Ok(a) => a,
            Err(e) => {
                let reason = describe_failure(&shared, &e.to_string());
                set_state(&shared, &events, OutputState::Failed { reason });
                return;
            }
        };
        let bus = attempt.pipeline.bus();
        let started = Instant::now();
        let bytes_before = shared.counters.bytes_sent.load(Ordering::Relaxed);
        let mut live = false;
        let outcome: Result<(), String> = loop {
            match commands.try_recv() {
                Ok(OutputCommand::Stop) | Err(mpsc::TryRecvError::Disconnected) => {
                    teardown(&shared, attempt, true);
                    set_state(&shared, &events, OutputState::Stopped);
                    return;
                }
                Ok(OutputCommand::ReconnectNow) | Err(mpsc::TryRecvError::Empty) => {}
            }
            let msg = bus.as_ref().and_then(|b| {
                b.timed_pop_filtered(
                    gst::ClockTime::from_mseconds(100),
                    &[gst::MessageType::Error, gst::MessageType::Eos],
                )
            });
            if let Some(msg) = msg {
                match msg.view() {
                    gst::MessageView::Error(err) => break Err(error_text(&shared, err)),
                    gst::MessageView::Eos(_) => break Err("the server ended the stream".into()),
                    _ => {}
                }
            }
            // rtmp2sink reports socket bytes; files have no socket, so
            // their size on disk stands in.
            let bytes = attempt.written.load(Ordering::Relaxed);
            shared
                .counters
                .bytes_sent
                .store(bytes_before + bytes, Ordering::Relaxed);
            // Live once media (not just the handshake) has gone out.
            if !live && bytes > 4096 && shared.counters.video_frames.load(Ordering::Relaxed) > 0 {
                live = true;
                ever_live = true;
                backoff.on_connected();
                set_state(&shared, &events, OutputState::Live);
            }
            if !live && shared.target.is_push() && started.elapsed() > NO_ANSWER_TIMEOUT {
                break Err("no answer from the server within 5 s".into());
            }
        };
        let reason = outcome.err().unwrap_or_default();
        teardown(&shared, attempt, false);
        if shared.stopping.load(Ordering::SeqCst) {
            set_state(&shared, &events, OutputState::Stopped);
            return;
        }
        // Only a connection that once worked is retried: a wrong URL or a
        // dead server at go-live is something the host must see at once.
        let retry = if shared.target.is_push() && ever_live {
            backoff.on_disconnect()
        } else {
            None
        };
        let Some(retry) = retry else {
            let reason = describe_failure(&shared, &reason);
            set_state(&shared, &events, OutputState::Failed { reason });
            // Keep answering Stop so the caller's join returns.
            let _ = commands.recv();
            return;
        };
        tracing::warn!(output = %shared.name, reason = %reason, "connection lost");
        set_state(&shared, &events, retry.state());
        let delay = retry.delay;
        match commands.recv_timeout(delay) {
            Ok(OutputCommand::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                set_state(&shared, &events, OutputState::Stopped);
                return;
            }
            Ok(OutputCommand::ReconnectNow) | Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_fills_in_default_ports() {
        assert_eq!(host_port("rtmp://a.example/live/k"), "a.example:1935");
        assert_eq!(host_port("rtmps://a.example/live/k"), "a.example:443");
        assert_eq!(host_port("rtmp://127.0.0.1:1/live/k?x=1"), "127.0.0.1:1");
        assert_eq!(host_port("srt://h:7001?streamid=x"), "h:7001");
    }
}
