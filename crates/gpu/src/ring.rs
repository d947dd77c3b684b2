//! The readback ring's pieces: slots, the timing copied from input to
//! output, and the copy from a mapped slot into a pooled buffer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use gst_video::prelude::*;

use crate::error::GpuError;
use crate::processor::Live;

pub(crate) const MAP_PENDING: u8 = 0;
pub(crate) const MAP_OK: u8 = 1;
pub(crate) const MAP_FAILED: u8 = 2;

pub(crate) struct Slot {
    pub buffer: wgpu::Buffer,
    pub state: Arc<AtomicU8>,
}

/// Timing fields copied from an input buffer onto its output.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
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

    pub fn apply(&self, b: &mut gst::BufferRef) {
        b.set_pts(self.pts);
        b.set_dts(self.dts);
        b.set_duration(self.duration);
        b.set_offset(self.offset);
        b.set_offset_end(self.offset_end);
        b.set_flags(self.flags);
    }
}

/// Copies a mapped ring slot into a pooled buffer with the output's
/// layout and strides.
pub(crate) fn copy_out(live: &mut Live, slot: usize, meta: &Meta) -> Result<gst::Buffer, GpuError> {
    let s = &live.ring[slot];
    if s.state.load(Ordering::Acquire) != MAP_OK {
        return Err(GpuError::Gpu("readback mapping failed".into()));
    }
    let mut out = live
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
        let mut frame = gst_video::VideoFrameRef::from_buffer_ref_writable(out_ref, &live.out_info)
            .map_err(|_| GpuError::Gpu("could not map the output buffer".into()))?;
        for (i, p) in live.layout.planes.iter().enumerate() {
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
