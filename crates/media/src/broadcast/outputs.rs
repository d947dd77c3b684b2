//! Starts the outputs (push destinations and the recording) and feeds
//! them the one encode.
//!
//! The fan-out callbacks run on the program pipeline's encoded-video and
//! encoded-audio streaming threads.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use gst::prelude::*;
use shopcast_push::ReconnectPolicy;

use parking_lot::{Condvar, Mutex};

use super::air::AirShared;
use super::shared::Shared;
use crate::config::BroadcastConfig;
use crate::error::MediaError;
use crate::events::{EventSender, OutputId};
use crate::output::{Output, OutputSpec, OutputTarget};

/// Starts one output per push destination, then the recording. Each
/// can ask the encoder for a keyframe through `video_sink`.
pub(super) fn start(
    config: &BroadcastConfig,
    has_audio: bool,
    video_sink: &gst_app::AppSink,
    clock: &gst::Clock,
    events: &EventSender,
) -> Result<Vec<Output>, MediaError> {
    let mut specs = Vec::new();
    for p in &config.push {
        specs.push(OutputSpec {
            id: OutputId::Push(p.name.clone()),
            target: OutputTarget::Push {
                target: p.target.clone(),
            },
            queue_limit: config.output_queue,
            reconnect: p.reconnect,
            has_audio,
        });
    }
    if let Some(path) = &config.record {
        specs.push(OutputSpec {
            id: OutputId::Recording,
            target: OutputTarget::Record { path: path.clone() },
            // A recording is local: let it queue longer than a push
            // before it gives up frames.
            queue_limit: config.output_queue.max(Duration::from_secs(10)),
            reconnect: ReconnectPolicy::default(),
            has_audio,
        });
    }
    // Weak: the appsink's callbacks hold the shared state that holds
    // the outputs, and a strong ref here would close that cycle.
    let keyframe_sink = video_sink.downgrade();
    let request_keyframe: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
        if let Some(sink) = keyframe_sink.upgrade() {
            let ev = gst_video::UpstreamForceKeyUnitEvent::builder()
                .all_headers(true)
                .build();
            sink.send_event(ev);
        }
    });
    let mut outputs = Vec::new();
    for spec in specs {
        let rk = request_keyframe.clone();
        outputs.push(Output::start(
            spec,
            clock.clone(),
            events.clone(),
            Box::new(move || rk()),
        )?);
    }
    Ok(outputs)
}

/// Encoded media fans out to every output on air; each appsink's EOS is
/// counted in `drained` so going off air knows when the encoders have
/// flushed.
pub(super) fn connect_encoded(
    video_sink: &gst_app::AppSink,
    audio_sink: Option<&gst_app::AppSink>,
    shared: &Arc<Shared>,
    air: &Arc<AirShared>,
    drained: &Arc<(Mutex<usize>, Condvar)>,
) {
    let on_eos = |drained: &Arc<(Mutex<usize>, Condvar)>| {
        let drained = drained.clone();
        move |_: &gst_app::AppSink| {
            let (lock, cond) = &*drained;
            *lock.lock() += 1;
            cond.notify_all();
        }
    };
    let sh = shared.clone();
    let outputs = air.outputs.clone();
    video_sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let caps = sample.caps_owned();
                if let Some(buffer) = running_time_buffer(&sample) {
                    sh.counters.encoded_frames.fetch_add(1, Ordering::Relaxed);
                    sh.counters
                        .encoded_bytes
                        .fetch_add(buffer.size() as u64, Ordering::Relaxed);
                    for o in outputs.iter() {
                        o.push_video(&buffer, caps.as_ref());
                    }
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .eos(on_eos(drained))
            .build(),
    );
    if let Some(sink) = audio_sink {
        let outputs = air.outputs.clone();
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    if let Some(buffer) = running_time_buffer(&sample) {
                        let caps = sample.caps_owned();
                        for o in outputs.iter() {
                            o.push_audio(&buffer, caps.as_ref());
                        }
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .eos(on_eos(drained))
                .build(),
        );
    }
}

/// The sample's buffer with PTS and DTS in running time. Encoders put
/// their output in segment time (x264enc offsets it by 1000 hours so DTS
/// never goes negative); outputs line audio and video up in running time.
fn running_time_buffer(sample: &gst::Sample) -> Option<gst::Buffer> {
    let mut buffer = sample.buffer_owned()?;
    let segment = sample
        .segment()
        .and_then(|s| s.downcast_ref::<gst::ClockTime>().cloned());
    if let Some(segment) = segment {
        let pts = buffer.pts().and_then(|t| segment.to_running_time(t));
        let dts = buffer
            .dts()
            .and_then(|t| segment.to_running_time(t))
            .or(pts);
        let b = buffer.make_mut();
        b.set_pts(pts);
        b.set_dts(dts);
    }
    Some(buffer)
}
