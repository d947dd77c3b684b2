//! Ear-return: the processed microphone played back to the host through
//! cpal, with a short queue so the host hears themselves with little
//! delay.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use gst::prelude::*;
use parking_lot::Mutex;

use crate::error::MediaError;
use crate::sources::make;

/// Longest queue before old samples are thrown away, in milliseconds.
/// Anything longer is an echo, not a monitor.
const MAX_QUEUE_MS: usize = 60;

/// The playback side of the monitor. Dropping it stops playback.
pub struct EarReturn {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for EarReturn {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Ring {
    samples: VecDeque<f32>,
    cap: usize,
}

/// Opens the default output device and returns the ear-return plus the
/// appsink branch (converter, resampler, caps, appsink) that feeds it,
/// for the caller to link after its audio tee.
pub(crate) fn start() -> Result<(EarReturn, Vec<gst::Element>), MediaError> {
    let host = cpal::default_host();
    let device = host
        .default_output_device()
        .ok_or_else(|| MediaError::Monitor("no audio output device".into()))?;
    let config = device.default_output_config().map_err(|e| {
        MediaError::Monitor(format!("the audio output device has no usable format: {e}"))
    })?;
    let rate = config.sample_rate();
    let channels = config.channels() as usize;
    let cap = rate as usize * channels * MAX_QUEUE_MS / 1000;
    let ring = Arc::new(Mutex::new(Ring {
        samples: VecDeque::with_capacity(cap * 2),
        cap,
    }));

    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let play_ring = ring.clone();
    // cpal streams are not Send on every platform: the stream lives and
    // dies on this thread.
    let thread = std::thread::Builder::new()
        .name("ear-return".into())
        .spawn(move || {
            let err_fn = |e| tracing::warn!("ear-return playback error: {e}");
            let stream = device.build_output_stream(
                config.config(),
                move |out: &mut [f32], _| {
                    let mut ring = play_ring.lock();
                    for s in out.iter_mut() {
                        *s = ring.samples.pop_front().unwrap_or(0.0);
                    }
                },
                err_fn,
                None,
            );
            let stream = match stream {
                Ok(s) => s,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            if let Err(e) = stream.play() {
                let _ = ready_tx.send(Err(e.to_string()));
                return;
            }
            let _ = ready_tx.send(Ok(()));
            let _ = stop_rx.recv();
            drop(stream);
        })
        .map_err(|e| MediaError::Glib(format!("could not start ear-return thread: {e}")))?;
    match ready_rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let _ = thread.join();
            return Err(MediaError::Monitor(format!(
                "could not open the audio output: {e}"
            )));
        }
        Err(_) => {
            let _ = thread.join();
            return Err(MediaError::Monitor(
                "the audio output thread ended early".into(),
            ));
        }
    }

    let queue = make("queue", None)?;
    // Never let monitoring hold up the program audio.
    queue.set_property_from_str("leaky", "downstream");
    queue.set_property("max-size-time", 100_000_000u64);
    let convert = make("audioconvert", None)?;
    let resample = make("audioresample", None)?;
    let caps = make("capsfilter", None)?;
    caps.set_property(
        "caps",
        gst::Caps::builder("audio/x-raw")
            .field("format", "F32LE")
            .field("layout", "interleaved")
            .field("rate", rate as i32)
            .field("channels", channels as i32)
            .build(),
    );
    let sink = gst_app::AppSink::builder()
        .name("monitor")
        .sync(false)
        .max_buffers(4)
        .drop(true)
        .callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    if let Some(buffer) = sample.buffer()
                        && let Ok(map) = buffer.map_readable()
                    {
                        let mut ring = ring.lock();
                        for chunk in map.as_slice().chunks_exact(4) {
                            let v = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                            ring.samples.push_back(v);
                        }
                        let excess = ring.samples.len().saturating_sub(ring.cap);
                        ring.samples.drain(..excess);
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        )
        .build();
    Ok((
        EarReturn {
            stop: Some(stop_tx),
            thread: Some(thread),
        },
        vec![queue, convert, resample, caps, sink.upcast()],
    ))
}
