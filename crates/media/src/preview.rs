//! The host's preview: the processed program frames, scaled down to
//! tightly packed RGBA in a pipeline of their own, handed over on a
//! channel that never blocks the program.
//!
//! Raw RGBA rather than JPEG: the host sees the program's own pixels, not
//! a second lossy encode, and the web view paints them with a plain copy
//! (`putImageData`). A JPEG had to go through a `Blob` and
//! `createImageBitmap` on the page, and WebKit's web and network processes
//! grew by about 10 MiB a minute doing that 30 times a second
//! (`docs/benchmarks.md`). 640x360 RGBA is 27 MB/s on loopback, which
//! costs less CPU than encoding and decoding the JPEG did. The preview
//! pipeline is separate so that a slow window can only ever lose preview
//! frames, never program ones.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use gst::prelude::*;
use parking_lot::Mutex;

use crate::error::MediaError;
use crate::sources::make;

/// How the preview is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewConfig {
    /// The preview fits in this box, keeping the canvas's aspect.
    pub max_width: u32,
    pub max_height: u32,
}

impl Default for PreviewConfig {
    fn default() -> Self {
        Self {
            max_width: 640,
            max_height: 640,
        }
    }
}

impl PreviewConfig {
    /// The preview size for a canvas: scaled to fit, never up, even.
    pub fn size_for(&self, width: u32, height: u32) -> (u32, u32) {
        let box_w = if width >= height {
            self.max_width
        } else {
            self.max_width.min(self.max_height * 9 / 16)
        };
        let box_h = if width >= height {
            self.max_height.min(self.max_width * 9 / 16)
        } else {
            self.max_height
        };
        let scale = (box_w as f64 / width as f64)
            .min(box_h as f64 / height as f64)
            .min(1.0);
        let even = |v: f64| ((v.round() as u32) & !1).max(2);
        (even(width as f64 * scale), even(height as f64 * scale))
    }
}

/// Bytes kept free in front of a preview frame's pixels, so that a
/// consumer can put its own header there and send the buffer as it is:
/// a 640x360 frame is 900 KB, and copying it into a message would be one
/// more pass over it per frame.
pub const PREVIEW_HEADROOM: usize = 24;

/// One preview frame.
#[derive(Debug, Clone)]
pub struct PreviewFrame {
    pub seq: u32,
    /// Unix µs when the source frame reached the program: the page
    /// subtracts it from its own clock to show capture-to-screen latency.
    pub captured_unix_us: u64,
    pub width: u32,
    pub height: u32,
    /// [`PREVIEW_HEADROOM`] free bytes, then the pixels.
    buf: Vec<u8>,
}

impl PreviewFrame {
    /// A frame from packed RGBA pixels (`width * height * 4` bytes).
    pub fn new(seq: u32, captured_unix_us: u64, width: u32, height: u32, rgba: &[u8]) -> Self {
        let mut buf = Vec::with_capacity(PREVIEW_HEADROOM + rgba.len());
        buf.resize(PREVIEW_HEADROOM, 0);
        buf.extend_from_slice(rgba);
        Self {
            seq,
            captured_unix_us,
            width,
            height,
            buf,
        }
    }

    /// `width * height * 4` bytes, row after row with no padding.
    pub fn rgba(&self) -> &[u8] {
        &self.buf[PREVIEW_HEADROOM..]
    }

    /// The whole buffer, its first [`PREVIEW_HEADROOM`] bytes written by
    /// `header`: the pixels are not copied.
    pub fn into_message(self, header: impl FnOnce(&mut [u8; PREVIEW_HEADROOM])) -> Vec<u8> {
        let mut buf = self.buf;
        if let Some(room) = buf.first_chunk_mut::<PREVIEW_HEADROOM>() {
            header(room);
        }
        buf
    }
}

/// Whether anyone is watching the preview. While nobody is (the window
/// is minimised, or its preview panel is hidden), program frames are not
/// handed to the preview at all: no scale, no convert, no copy. It starts
/// open, so a reader that never uses it gets every frame.
#[derive(Debug, Clone)]
pub struct PreviewGate(Arc<AtomicBool>);

impl Default for PreviewGate {
    fn default() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }
}

impl PreviewGate {
    pub fn set_watched(&self, watched: bool) {
        self.0.store(watched, Ordering::Relaxed);
    }

    pub fn watched(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Frames waiting for a reader. Two: one being read, one fresh.
const PREVIEW_QUEUE: usize = 2;
/// Arrival stamps kept to match encoded frames (the processor may hold
/// up to three frames back).
const STAMPS: usize = 16;

pub(crate) fn unix_us_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// The running preview branch.
pub(crate) struct PreviewTap {
    pipeline: gst::Pipeline,
    src: gst_app::AppSrc,
    stamps: Arc<Mutex<VecDeque<(gst::ClockTime, u64)>>>,
    pub(crate) gate: PreviewGate,
}

impl PreviewTap {
    /// `input` is the program's raw frame format.
    pub(crate) fn start(
        input: &gst_video::VideoInfo,
        config: PreviewConfig,
    ) -> Result<(Self, mpsc::Receiver<PreviewFrame>), MediaError> {
        let (width, height) = config.size_for(input.width(), input.height());
        let pipeline = gst::Pipeline::with_name("preview");
        let src = gst_app::AppSrc::builder()
            .name("preview-src")
            .caps(&input.to_caps()?)
            .format(gst::Format::Time)
            .is_live(true)
            .block(false)
            .max_buffers(2)
            .leaky_type(gst_app::AppLeakyType::Downstream)
            .build();
        let scale = make("videoscale", None)?;
        let convert = make("videoconvert", None)?;
        let caps = make("capsfilter", None)?;
        caps.set_property(
            "caps",
            gst::Caps::builder("video/x-raw")
                .field("format", "RGBA")
                .field("width", width as i32)
                .field("height", height as i32)
                .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
                .build(),
        );
        let sink = gst_app::AppSink::builder()
            .name("preview-sink")
            .sync(false)
            .max_buffers(1)
            .drop(true)
            .build();
        pipeline.add_many([src.upcast_ref(), &scale, &convert, &caps])?;
        pipeline.add(&sink)?;
        gst::Element::link_many([src.upcast_ref(), &scale, &convert, &caps, sink.upcast_ref()])?;

        let (tx, rx) = mpsc::sync_channel(PREVIEW_QUEUE);
        let stamps: Arc<Mutex<VecDeque<(gst::ClockTime, u64)>>> = Arc::default();
        let lookup = stamps.clone();
        let mut seq = 0u32;
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let Some(buffer) = sample.buffer() else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    let captured = buffer
                        .pts()
                        .and_then(|pts| {
                            lookup
                                .lock()
                                .iter()
                                .find(|(p, _)| *p == pts)
                                .map(|(_, us)| *us)
                        })
                        .unwrap_or_else(unix_us_now);
                    let Some(buf) = packed_rgba(buffer, &sample, width, height) else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    seq = seq.wrapping_add(1);
                    // A full queue means the reader is behind: this
                    // frame goes, the reader gets a fresher one next.
                    let _ = tx.try_send(PreviewFrame {
                        seq,
                        captured_unix_us: captured,
                        width,
                        height,
                        buf,
                    });
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        pipeline.set_state(gst::State::Playing)?;
        Ok((
            Self {
                pipeline,
                src,
                stamps,
                gate: PreviewGate::default(),
            },
            rx,
        ))
    }

    /// Remembers when the frame with this PTS reached the program.
    pub(crate) fn note_arrival(&self, pts: gst::ClockTime, unix_us: u64) {
        let mut s = self.stamps.lock();
        if s.len() >= STAMPS {
            s.pop_front();
        }
        s.push_back((pts, unix_us));
    }

    /// Hands a processed frame over, if anyone watches; never blocks
    /// (the appsrc leaks).
    pub(crate) fn push(&self, frame: &gst::Buffer) {
        if !self.gate.watched() {
            return;
        }
        let _ = self.src.push_buffer(frame.clone());
    }

    pub(crate) fn stop(&self) {
        let _ = self.pipeline.set_state(gst::State::Null);
        for child in self.pipeline.children() {
            let _ = self.pipeline.remove(&child);
        }
    }
}

/// The frame's pixels without row padding, after [`PREVIEW_HEADROOM`]
/// free bytes. GStreamer may pad rows (its default stride for RGBA is
/// already `width * 4`, but a scaler or a pool may choose otherwise), and
/// the page expects them packed.
fn packed_rgba(
    buffer: &gst::BufferRef,
    sample: &gst::Sample,
    width: u32,
    height: u32,
) -> Option<Vec<u8>> {
    use gst_video::prelude::VideoFrameExt;
    let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).ok()?;
    let row = width as usize * 4;
    let rows = height as usize;
    let stride = usize::try_from(*frame.plane_stride().first()?).ok()?;
    let data = frame.plane_data(0).ok()?;
    let mut out = Vec::with_capacity(PREVIEW_HEADROOM + row * rows);
    out.resize(PREVIEW_HEADROOM, 0);
    if stride == row {
        out.extend_from_slice(data.get(..row * rows)?);
        return Some(out);
    }
    for r in 0..rows {
        out.extend_from_slice(data.get(r * stride..r * stride + row)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_fits_the_canvas_without_upscaling() {
        let c = PreviewConfig::default();
        assert_eq!(c.size_for(1280, 720), (640, 360));
        assert_eq!(c.size_for(1920, 1080), (640, 360));
        assert_eq!(c.size_for(720, 1280), (360, 640));
        assert_eq!(c.size_for(320, 180), (320, 180));
        // 4:3 keeps its shape inside the 16:9 box.
        assert_eq!(c.size_for(640, 480), (480, 360));
    }
}
