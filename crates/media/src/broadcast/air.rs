//! Going on air and off it while the program runs.
//!
//! The program pipeline always runs: sources, processor, preview, meter
//! and ear-return. Going on air attaches an encode branch to each of its
//! two tees (video: encoder → parse → appsink; audio: queue → AAC →
//! appsink) and starts the outputs; going off air cuts both branches at
//! one running time, sends EOS down them so the encoder flushes and the
//! recording is finalised, and removes them. The host's preview and
//! ear-return never stop, and no camera is reopened.
//!
//! A fresh encoder per air: its first frame is an IDR, so every output
//! starts at a keyframe without waiting, and an encoder that has seen EOS
//! is never reused.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use gst::prelude::*;
use parking_lot::{Condvar, Mutex};
use shopcast_push::DynamicBitrate;

use super::shared::Shared;
use crate::config::BroadcastConfig;
use crate::encoder::{VideoEncoder, select_audio_encoder};
use crate::error::MediaError;
use crate::events::{EventSender, OutputId, OutputState};
use crate::output::{Output, OutputShared};
use crate::sources::make;

/// How long going off air waits for each step (the cut, the unlink, the
/// encoders' drain) before it goes on without it.
const STEP_WAIT: Duration = Duration::from_secs(2);

/// What the stats and bitrate threads read of the outputs on air.
pub(super) struct AirShared {
    pub(super) outputs: Arc<[Arc<OutputShared>]>,
    pub(super) encoder: gst::Element,
    /// One controller per output, for those that asked for one.
    pub(super) bitrate: Mutex<Vec<Option<DynamicBitrate>>>,
}

/// One branch hanging off a program tee.
struct Branch {
    tee: gst::Element,
    tee_pad: gst::Pad,
    /// The sink pad of the branch's first element.
    head: gst::Pad,
    elements: Vec<gst::Element>,
}

/// The encode branches and outputs of one time on air.
pub(super) struct Air {
    pub(super) shared: Arc<AirShared>,
    pub(super) outputs: Vec<Output>,
    branches: Vec<Branch>,
    /// How many branch appsinks have seen EOS.
    drained: Arc<(Mutex<usize>, Condvar)>,
}

/// The program's tees an air hangs its branches on.
pub(super) struct Tees {
    pub(super) video: gst::Element,
    pub(super) audio: Option<gst::Element>,
}

impl Air {
    /// Builds the branches, starts the outputs, then links the branches
    /// to the running program. `config` gives the outputs, bitrates and
    /// encoder settings.
    pub(super) fn attach(
        config: &BroadcastConfig,
        template: &VideoEncoder,
        tees: &Tees,
        sh: &Arc<Shared>,
        clock: &gst::Clock,
        events: &EventSender,
    ) -> Result<Self, MediaError> {
        let program = &sh.program;
        let kbps = sh.target_kbps.load(std::sync::atomic::Ordering::Relaxed) as u32;
        let encoder = template.fresh(kbps, config.canvas.fps)?;
        let drained: Arc<(Mutex<usize>, Condvar)> = Arc::default();
        let (video, video_sink) = video_branch(sh.output_format, &encoder)?;
        let audio = match &tees.audio {
            Some(_) => Some(audio_branch(config.audio_kbps)?),
            None => None,
        };
        let outputs = super::outputs::start(config, audio.is_some(), &video_sink, clock, events)?;
        let controllers = super::bitrate::controllers(config, kbps, &outputs)?;
        let shared = Arc::new(AirShared {
            outputs: outputs.iter().map(|o| o.shared.clone()).collect(),
            encoder: encoder.element.clone(),
            bitrate: Mutex::new(controllers),
        });
        sh.current_kbps
            .store(kbps as u64, std::sync::atomic::Ordering::Relaxed);
        super::outputs::connect_encoded(
            &video_sink,
            audio.as_ref().map(|(_, sink)| sink),
            sh,
            &shared,
            &drained,
        );
        let mut air = Self {
            shared,
            outputs,
            branches: Vec::new(),
            drained,
        };
        let mut plans = vec![(tees.video.clone(), video)];
        if let (Some(tee), Some((elements, _))) = (&tees.audio, audio) {
            plans.push((tee.clone(), elements));
        }
        for (tee, elements) in plans {
            match link_branch(program, &tee, elements) {
                Ok(b) => air.branches.push(b),
                Err(e) => {
                    air.detach(program, None);
                    return Err(e);
                }
            }
        }
        Ok(air)
    }

    /// Takes the branches off the program and stops the outputs. With
    /// `end_at`, nothing from that running time on reaches them, so the
    /// picture and the sound end together. Returns each output's last
    /// state.
    pub(super) fn detach(
        &mut self,
        program: &gst::Pipeline,
        end_at: Option<gst::ClockTime>,
    ) -> Vec<(OutputId, OutputState)> {
        if let Some(end_at) = end_at {
            cut_at(&self.branches, end_at);
        }
        for b in &self.branches {
            unlink(b);
        }
        for b in &self.branches {
            // Now unlinked, the EOS runs the encoder's flush on this
            // thread (the audio branch's queue on its own).
            b.head.send_event(gst::event::Eos::new());
        }
        self.wait_drained();
        for b in self.branches.drain(..) {
            for e in &b.elements {
                let _ = e.set_state(gst::State::Null);
                let _ = program.remove(e);
            }
        }
        for o in &mut self.outputs {
            o.stop();
        }
        self.last_states()
    }

    /// Waits for EOS at every attached branch's appsink (the whole
    /// program ending, or [`Air::detach`]).
    pub(super) fn wait_drained(&self) {
        let (lock, cond) = &*self.drained;
        let mut n = lock.lock();
        let want = self.branches.len();
        let deadline = std::time::Instant::now() + STEP_WAIT * 2;
        while *n < want {
            if cond.wait_until(&mut n, deadline).timed_out() {
                tracing::warn!(
                    drained = *n,
                    of = want,
                    "an encode branch did not drain in time"
                );
                break;
            }
        }
    }

    pub(super) fn last_states(&self) -> Vec<(OutputId, OutputState)> {
        self.outputs
            .iter()
            .map(|o| {
                let s = o.shared.snapshot();
                (s.id, s.state)
            })
            .collect()
    }
}

/// Video: [convert] → encoder → parse (SPS/PPS per IDR) → avc caps →
/// appsink. No queue: the program appsrc's own thread runs the encoder,
/// so its queue level is the encoder's backlog (frames.rs drops on it).
fn video_branch(
    program_format: gst_video::VideoFormat,
    encoder: &VideoEncoder,
) -> Result<(Vec<gst::Element>, gst_app::AppSink), MediaError> {
    let parse = make("h264parse", None)?;
    // SPS/PPS before every keyframe: an output that (re)connects
    // mid-stream can start at any keyframe.
    parse.set_property("config-interval", -1i32);
    let caps = make("capsfilter", None)?;
    caps.set_property(
        "caps",
        gst::Caps::builder("video/x-h264")
            .field("stream-format", "avc")
            .field("alignment", "au")
            .build(),
    );
    let sink = encoded_sink("encoded-video", 64);
    let mut elements = Vec::new();
    if program_format != encoder.input_format {
        elements.push(make("videoconvert", None)?);
    }
    elements.extend([encoder.element.clone(), parse, caps, sink.clone().upcast()]);
    Ok((elements, sink))
}

/// Audio: queue → convert → AAC → parse → appsink.
fn audio_branch(kbps: u32) -> Result<(Vec<gst::Element>, gst_app::AppSink), MediaError> {
    let sink = encoded_sink("encoded-audio", 256);
    let elements = vec![
        make("queue", None)?,
        make("audioconvert", None)?,
        select_audio_encoder(kbps)?,
        make("aacparse", None)?,
        sink.clone().upcast(),
    ];
    Ok((elements, sink))
}

fn encoded_sink(name: &str, max_buffers: u32) -> gst_app::AppSink {
    let sink = gst_app::AppSink::builder()
        .name(name)
        .sync(false)
        .max_buffers(max_buffers)
        .build();
    // Joining a running pipeline: an async sink would make the whole
    // program wait for it to preroll.
    sink.set_property("async", false);
    sink
}

/// Adds a branch to the program, brings it to the program's state (sink
/// first, so nothing flows into an element that is not ready), and links
/// it to a new pad of the tee.
fn link_branch(
    program: &gst::Pipeline,
    tee: &gst::Element,
    elements: Vec<gst::Element>,
) -> Result<Branch, MediaError> {
    program.add_many(&elements)?;
    let fail = |e: MediaError| {
        for el in &elements {
            let _ = el.set_state(gst::State::Null);
            let _ = program.remove(el);
        }
        e
    };
    gst::Element::link_many(&elements).map_err(|e| fail(e.into()))?;
    for e in elements.iter().rev() {
        e.sync_state_with_parent().map_err(|e| {
            fail(MediaError::Glib(format!(
                "encode branch did not start: {e}"
            )))
        })?;
    }
    let head = elements
        .first()
        .and_then(|e| e.static_pad("sink"))
        .ok_or_else(|| fail(MediaError::Glib("encode branch has no sink pad".into())))?;
    let tee_pad = tee
        .request_pad_simple("src_%u")
        .ok_or_else(|| fail(MediaError::Glib("the program tee gave no pad".into())))?;
    if let Err(e) = tee_pad.link(&head) {
        tee.release_request_pad(&tee_pad);
        return Err(fail(MediaError::Glib(format!(
            "could not attach the encoder: {e:?}"
        ))));
    }
    Ok(Branch {
        tee: tee.clone(),
        tee_pad,
        head,
        elements,
    })
}

/// Drops every buffer from `end_at` on at each branch's tee pad, and
/// waits (bounded) until each has seen one, so both branches end at the
/// same running time. A branch whose source has stalled is not waited
/// for past [`STEP_WAIT`].
fn cut_at(branches: &[Branch], end_at: gst::ClockTime) {
    let (tx, rx) = mpsc::channel();
    for b in branches {
        let tx = tx.clone();
        let told = std::sync::atomic::AtomicBool::new(false);
        b.tee_pad
            .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
                let Some(pts) = info.buffer().and_then(|b| b.pts()) else {
                    return gst::PadProbeReturn::Ok;
                };
                if pts < end_at {
                    return gst::PadProbeReturn::Ok;
                }
                if !told.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    let _ = tx.send(());
                }
                gst::PadProbeReturn::Drop
            });
    }
    drop(tx);
    let deadline = std::time::Instant::now() + STEP_WAIT;
    for _ in branches {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if rx.recv_timeout(left).is_err() {
            tracing::warn!("a branch saw nothing past the end of the air in time");
            break;
        }
    }
}

/// Unlinks a branch from its tee once no buffer is passing, then gives
/// the tee its pad back.
fn unlink(b: &Branch) {
    let (tx, rx) = mpsc::channel();
    let head = b.head.clone();
    b.tee_pad.add_probe(gst::PadProbeType::IDLE, move |pad, _| {
        let _ = pad.unlink(&head);
        let _ = tx.send(());
        gst::PadProbeReturn::Remove
    });
    if rx.recv_timeout(STEP_WAIT).is_err() {
        tracing::warn!("an encode branch stayed busy; unlinking it anyway");
        let _ = b.tee_pad.unlink(&b.head);
    }
    b.tee.release_request_pad(&b.tee_pad);
}
