//! The readback ring: GPU buffers the packed frames are copied into,
//! mapped asynchronously, and copied out into pooled GStreamer buffers
//! carrying the input's timing, in submission order.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use gst_video::VideoInfo;
use gst_video::prelude::*;

use crate::device::GpuContext;
use crate::error::GpuError;
use crate::layers::pack::{PackPass, PackedLayout};

/// Frames in flight between submit and readback. With 3 slots, the
/// frame read back is the one submitted two calls earlier, so the CPU
/// never waits for the GPU on the frame it just submitted.
pub const RING_DEPTH: usize = 2;
const RING_SLOTS: usize = RING_DEPTH + 1;

const MAP_PENDING: u8 = 0;
const MAP_OK: u8 = 1;
const MAP_FAILED: u8 = 2;

struct Slot {
    buffer: wgpu::Buffer,
    state: Arc<AtomicU8>,
}

/// Timing fields copied from an input buffer onto its output.
#[derive(Debug, Clone, Copy)]
pub(super) struct Meta {
    pts: Option<gst::ClockTime>,
    dts: Option<gst::ClockTime>,
    duration: Option<gst::ClockTime>,
    offset: u64,
    offset_end: u64,
    flags: gst::BufferFlags,
}

impl Meta {
    pub fn of(b: &gst::BufferRef) -> Self {
        Meta {
            pts: b.pts(),
            dts: b.dts(),
            duration: b.duration(),
            offset: b.offset(),
            offset_end: b.offset_end(),
            flags: b.flags() - gst::BufferFlags::TAG_MEMORY,
        }
    }

    fn apply(&self, b: &mut gst::BufferRef) {
        b.set_pts(self.pts);
        b.set_dts(self.dts);
        b.set_duration(self.duration);
        b.set_offset(self.offset);
        b.set_offset_end(self.offset_end);
        b.set_flags(self.flags);
    }
}

pub(super) enum Pending {
    Gpu {
        slot: usize,
        meta: Meta,
        submission: wgpu::SubmissionIndex,
    },
    /// A frame that needed no GPU work, queued behind in-flight ones so
    /// output order never changes.
    Pass(gst::Buffer),
}

/// The slots, which of them are free, the frames in flight (oldest
/// first) and the pool the output buffers come from.
pub(super) struct Ring {
    slots: Vec<Slot>,
    free: Vec<usize>,
    pending: VecDeque<Pending>,
    pool: gst::BufferPool,
}

impl Ring {
    /// Allocates the slots for `layout` and activates a buffer pool for
    /// `out_info`.
    pub fn new(
        device: &wgpu::Device,
        layout: &PackedLayout,
        out_info: &VideoInfo,
    ) -> Result<Self, GpuError> {
        let slots = (0..RING_SLOTS)
            .map(|i| Slot {
                buffer: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(&format!("readback slot {i}")),
                    size: layout.size,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
                state: Arc::new(AtomicU8::new(MAP_PENDING)),
            })
            .collect();
        let pool = gst_video::VideoBufferPool::new();
        let caps = out_info
            .to_caps()
            .map_err(|e| GpuError::Unsupported(format!("output caps: {e}")))?;
        let mut pool_config = pool.config();
        // Enough for the ring plus what the encoder holds on to; the
        // pool grows if downstream keeps more.
        pool_config.set_params(
            Some(&caps),
            out_info.size() as u32,
            (RING_SLOTS + 2) as u32,
            0,
        );
        pool.set_config(pool_config)
            .map_err(|e| GpuError::Unsupported(format!("buffer pool: {e}")))?;
        pool.set_active(true)
            .map_err(|e| GpuError::Unsupported(format!("buffer pool: {e}")))?;
        Ok(Self {
            slots,
            free: (0..RING_SLOTS).rev().collect(),
            pending: VecDeque::with_capacity(RING_SLOTS + 1),
            pool: pool.upcast(),
        })
    }

    /// True when no frame is in flight.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Queues `p` behind the frames in flight; once more than
    /// [`RING_DEPTH`] are queued, hands back the oldest to [`Self::finish`].
    pub fn push(&mut self, p: Pending) -> Option<Pending> {
        self.pending.push_back(p);
        if self.pending.len() > RING_DEPTH {
            self.pending.pop_front()
        } else {
            None
        }
    }

    /// Takes the oldest frame in flight, for draining at end of stream.
    pub fn pop_oldest(&mut self) -> Option<Pending> {
        self.pending.pop_front()
    }

    /// Submits `encoder` with `pack`'s copy into a free slot and requests
    /// that slot's mapping.
    pub fn submit(
        &mut self,
        ctx: &GpuContext,
        pack: &PackPass,
        mut encoder: wgpu::CommandEncoder,
        meta: Meta,
    ) -> Result<Pending, GpuError> {
        let slot = self
            .free
            .pop()
            .ok_or_else(|| GpuError::Gpu("readback ring overrun".into()))?;
        let s = &self.slots[slot];
        pack.encode_copy(&mut encoder, &s.buffer);
        let submission = ctx.queue.submit([encoder.finish()]);
        let state = s.state.clone();
        s.buffer.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            state.store(
                if r.is_ok() { MAP_OK } else { MAP_FAILED },
                Ordering::Release,
            );
        });
        ctx.check_fault()?;
        Ok(Pending::Gpu {
            slot,
            meta,
            submission,
        })
    }

    /// Waits for a submitted frame's readback and copies it into a
    /// pooled buffer carrying the input's timing.
    pub fn finish(
        &mut self,
        ctx: &GpuContext,
        p: Pending,
        layout: &PackedLayout,
        out_info: &VideoInfo,
    ) -> Result<gst::Buffer, GpuError> {
        let (slot, meta, submission) = match p {
            Pending::Pass(b) => return Ok(b),
            Pending::Gpu {
                slot,
                meta,
                submission,
            } => (slot, meta, submission),
        };
        let s = &self.slots[slot];
        while s.state.load(Ordering::Acquire) == MAP_PENDING {
            ctx.device
                .poll(wgpu::PollType::Wait {
                    submission_index: Some(submission.clone()),
                    timeout: Some(Duration::from_secs(5)),
                })
                .map_err(|e| GpuError::Gpu(format!("waiting for frame: {e}")))?;
            ctx.check_fault()?;
        }
        let result = self.copy_out(slot, &meta, layout, out_info);
        let s = &self.slots[slot];
        s.buffer.unmap();
        s.state.store(MAP_PENDING, Ordering::Release);
        self.free.push(slot);
        result
    }

    /// Copies a mapped slot into a pooled buffer with the output's
    /// layout and strides.
    fn copy_out(
        &self,
        slot: usize,
        meta: &Meta,
        layout: &PackedLayout,
        out_info: &VideoInfo,
    ) -> Result<gst::Buffer, GpuError> {
        let s = &self.slots[slot];
        if s.state.load(Ordering::Acquire) != MAP_OK {
            return Err(GpuError::Gpu("readback mapping failed".into()));
        }
        let mut out = self
            .pool
            .acquire_buffer(None)
            .map_err(|e| GpuError::Gpu(format!("no output buffer from the pool: {e:?}")))?;
        {
            let out_ref = out
                .get_mut()
                .ok_or_else(|| GpuError::Gpu("pooled buffer is shared".into()))?;
            meta.apply(out_ref);
            let mapped = s
                .buffer
                .slice(..)
                .get_mapped_range()
                .map_err(|e| GpuError::Gpu(format!("readback range: {e:?}")))?;
            let mut frame = gst_video::VideoFrameRef::from_buffer_ref_writable(out_ref, out_info)
                .map_err(|_| GpuError::Gpu("could not map the output buffer".into()))?;
            for (i, p) in layout.planes.iter().enumerate() {
                let stride = frame.plane_stride()[i] as usize;
                let dst = frame
                    .plane_data_mut(i as u32)
                    .map_err(|_| GpuError::Gpu(format!("output plane {i}")))?;
                for row in 0..p.rows {
                    let src = &mapped[p.offset + row * p.stride..][..p.row_bytes];
                    dst[row * stride..][..p.row_bytes].copy_from_slice(src);
                }
            }
        }
        Ok(out)
    }
}
