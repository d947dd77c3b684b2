//! [`GpuProcessor::process_timed`]: one frame processed synchronously,
//! outside the ring, with the time each stage took. For benchmarks.

use std::time::{Duration, Instant};

use super::GpuProcessor;
use super::ring::Meta;
use crate::error::GpuError;

/// Wall-clock split of one synchronous frame, for benchmarks.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    /// Mapping the input and copying its planes to the GPU.
    pub upload: Duration,
    /// All passes (beauty, direct or frame + composite + pack), submit
    /// to completion.
    pub compute: Duration,
    /// Copy into the readback buffer, mapping, and copying into the
    /// pooled GStreamer buffer.
    pub readback: Duration,
}

impl StageTimes {
    pub fn total(&self) -> Duration {
        self.upload + self.compute + self.readback
    }
}

impl GpuProcessor {
    /// Processes one frame synchronously (no ring) and reports where the
    /// time went. For benchmarks; the broadcast path uses
    /// [`FrameProcessor::process`](shopcast_media::FrameProcessor::process).
    pub fn process_timed(
        &mut self,
        main: gst::Buffer,
        extras: &[Option<gst::Buffer>],
    ) -> Result<(gst::Buffer, StageTimes), GpuError> {
        self.frame_time = main.pts().map(Duration::from);
        self.sync_settings();
        if !self.state.live_mut()?.ring.is_empty() {
            return Err(GpuError::Unsupported(
                "process_timed with frames in flight".into(),
            ));
        }
        let device = self.ctx.device.clone();
        let wait = |i: wgpu::SubmissionIndex| {
            device
                .poll(wgpu::PollType::Wait {
                    submission_index: Some(i),
                    timeout: Some(Duration::from_secs(10)),
                })
                .map_err(|e| GpuError::Gpu(e.to_string()))
        };
        let meta = Meta::of(main.as_ref());
        let t0 = Instant::now();
        // Upload: the queued texture writes execute at the next submit.
        let encoder = self.encode_frame(main.as_ref(), extras)?;
        wait(self.ctx.queue.submit([]))?;
        let t1 = Instant::now();
        wait(self.ctx.queue.submit([encoder.finish()]))?;
        let t2 = Instant::now();
        let copy = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("readback"),
            });
        let live = self.state.live_mut()?;
        let pending = live.ring.submit(&self.ctx, &self.pack, copy, meta)?;
        let out = live
            .ring
            .finish(&self.ctx, pending, &live.layout, &live.out_info)?;
        let t3 = Instant::now();
        Ok((
            out,
            StageTimes {
                upload: t1 - t0,
                compute: t2 - t1,
                readback: t3 - t2,
            },
        ))
    }
}
