//! The frame processor hook: every program frame passes through one.
//!
//! The program pipeline pulls the main source's frames on its own
//! thread, hands each one (plus the newest frame of every extra source)
//! to a [`FrameProcessor`], and pushes whatever the processor returns to
//! the encoder. `crates/gpu` implements the hook with wgpu; the
//! [`DefaultProcessor`] here passes the main frame through untouched and
//! draws extra sources as picture-in-picture on the CPU.

use gst_video::prelude::*;
use gst_video::{VideoFormat, VideoInfo};

use crate::error::ProcessorError;

/// A rectangle on the canvas, in pixels, with its origin at the top left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// One extra (picture-in-picture) source as the processor sees it.
#[derive(Debug, Clone)]
pub struct ExtraLayout {
    /// Format and size of the frames that source delivers. The pipeline
    /// scales each extra source to `rect`'s size before delivery.
    pub info: VideoInfo,
    /// Where the default layout places it on the canvas.
    pub rect: Rect,
}

/// What a processor learns once, before the first frame.
#[derive(Debug, Clone)]
pub struct ProcessorConfig {
    /// Format, canvas size and frame rate of the main source's frames.
    pub input: VideoInfo,
    /// The format the encoder wants. The processor's output must have
    /// the canvas size and this format.
    pub output_format: VideoFormat,
    /// Extra sources, in the order they were given on the command line.
    pub extras: Vec<ExtraLayout>,
}

/// The hook every program frame goes through.
///
/// Called from the pipeline's processing thread only, so `&mut self` is
/// enough; live parameter changes reach an implementation through its
/// own shared control handle.
///
/// A processor may hold frames back (for example a GPU readback ring of
/// 2-3 frames). Whatever frame it returns must carry the PTS and
/// duration of the input frame it was made from; [`drain`] hands over
/// the held-back frames at end of stream.
///
/// [`drain`]: FrameProcessor::drain
pub trait FrameProcessor: Send {
    /// A short name for logs and stats.
    fn name(&self) -> &str;

    /// Input formats this processor accepts for the main and extra
    /// sources, best first. The pipeline converts on the CPU only when
    /// the source's native format is not in this list.
    fn input_formats(&self) -> Vec<VideoFormat>;

    /// Called once before the first frame.
    fn start(&mut self, config: &ProcessorConfig) -> Result<(), ProcessorError>;

    /// Processes one main frame. `extras[i]` is the newest frame of the
    /// i-th extra source, handed in again on every call while the source
    /// runs, or `None` when it has no frame: not yet, or not any more
    /// (it ended or failed). A `None` extra is left out of the picture.
    /// Returns a finished frame, or `None` while the processor is still
    /// filling its pipeline.
    fn process(
        &mut self,
        main: gst::Buffer,
        extras: &[Option<gst::Buffer>],
    ) -> Result<Option<gst::Buffer>, ProcessorError>;

    /// Returns the frames still held back, oldest first. Called once at
    /// end of stream.
    fn drain(&mut self) -> Result<Vec<gst::Buffer>, ProcessorError> {
        Ok(Vec::new())
    }
}

/// Places `count` extra sources as picture-in-picture windows stacked
/// up the right-hand edge of the canvas, each a third of the canvas's
/// shorter side wide (keeping 16:9 for landscape canvases, 9:16 for
/// portrait ones), with a margin of 1/32 of the width.
pub fn pip_layout(canvas_width: u32, canvas_height: u32, count: usize) -> Vec<Rect> {
    let margin = even(canvas_width / 32);
    let portrait = canvas_height > canvas_width;
    let (width, height) = if portrait {
        let w = even(canvas_width * 2 / 5);
        (w, even(w * 16 / 9))
    } else {
        let w = even(canvas_width / 3);
        (w, even(w * 9 / 16))
    };
    (0..count)
        .map(|i| {
            let i = i as u32;
            let x = canvas_width.saturating_sub(width + margin);
            let y = canvas_height.saturating_sub((height + margin) * (i + 1));
            Rect {
                x: even(x),
                y: even(y),
                width,
                height,
            }
        })
        .collect()
}

fn even(v: u32) -> u32 {
    v & !1
}

// Side by side, beside picture-in-picture: both are pure placement
// arithmetic, tested without a GPU. Only the wgpu processor draws side
// by side (it crops each source to its cell), so these are used there.

/// Texture coordinates (u0, v0, u1, v1) that show the whole source.
pub const FULL_UV: [f32; 4] = [0.0, 0.0, 1.0, 1.0];

/// One extra source's place on the canvas: the destination rectangle in
/// pixels and the part of the source drawn into it, as (u0, v0, u1, v1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub dst: Rect,
    pub uv: [f32; 4],
}

impl Placement {
    /// The whole source scaled into `dst`, as picture-in-picture draws it
    /// (the pipeline already scaled the source to `dst`'s size).
    pub fn whole(dst: Rect) -> Self {
        Self { dst, uv: FULL_UV }
    }
}

/// The main source's region side by side, in the GPU frame uniform's
/// `main_region` terms (x0, x1, source dx, source dy): the left half of the canvas
/// shows the centre half of the main frame.
pub fn side_by_side_main(canvas_width: u32) -> [i32; 4] {
    [0, (canvas_width / 2) as i32, (canvas_width / 4) as i32, 0]
}

/// Side by side: the extra sources of the given (width, height) sizes,
/// in order, stacked in equal cells down the right half of the canvas,
/// each cropped about its centre to its cell's aspect ratio so it fills
/// the cell undistorted. The right half takes the odd column of an odd
/// canvas width; rows left over by the integer division stay black.
pub fn side_by_side<I>(
    canvas_width: u32,
    canvas_height: u32,
    sources: I,
) -> impl Iterator<Item = Placement>
where
    I: IntoIterator<Item = (u32, u32)>,
    I::IntoIter: ExactSizeIterator,
{
    let sources = sources.into_iter();
    let n = sources.len().max(1) as u32;
    let (w, h) = (canvas_width, canvas_height);
    let (dw, dh) = (w - w / 2, h / n);
    sources.enumerate().map(move |(i, (sw, sh))| {
        let (sw, sh) = (sw as f32, sh as f32);
        let (sa, da) = (sw / sh, dw as f32 / dh as f32);
        let uv = if sa > da {
            let u = da / sa;
            [(1.0 - u) / 2.0, 0.0, (1.0 + u) / 2.0, 1.0]
        } else {
            let v = sa / da;
            [0.0, (1.0 - v) / 2.0, 1.0, (1.0 + v) / 2.0]
        };
        Placement {
            dst: Rect {
                x: w / 2,
                y: i as u32 * h / n,
                width: dw,
                height: dh,
            },
            uv,
        }
    })
}

/// Passes the main frame through unchanged; with extra sources it copies
/// each one into its picture-in-picture rectangle.
///
/// Works on planar and semi-planar YUV and packed RGB formats, which is
/// everything [`DefaultProcessor::input_formats`] asks for.
#[derive(Debug, Default)]
pub struct DefaultProcessor {
    config: Option<ProcessorConfig>,
}

impl DefaultProcessor {
    pub fn new() -> Self {
        Self::default()
    }
}

impl FrameProcessor for DefaultProcessor {
    fn name(&self) -> &str {
        "identity"
    }

    fn input_formats(&self) -> Vec<VideoFormat> {
        // I420 is what x264 takes, so the common path needs no conversion.
        vec![VideoFormat::I420]
    }

    fn start(&mut self, config: &ProcessorConfig) -> Result<(), ProcessorError> {
        if config.input.format() != config.output_format {
            return Err(ProcessorError::Unsupported(format!(
                "identity processor cannot convert {:?} to {:?}",
                config.input.format(),
                config.output_format
            )));
        }
        for extra in &config.extras {
            if extra.info.format() != config.input.format() {
                return Err(ProcessorError::Unsupported(format!(
                    "extra source format {:?} differs from the main source's {:?}",
                    extra.info.format(),
                    config.input.format()
                )));
            }
        }
        self.config = Some(config.clone());
        Ok(())
    }

    fn process(
        &mut self,
        main: gst::Buffer,
        extras: &[Option<gst::Buffer>],
    ) -> Result<Option<gst::Buffer>, ProcessorError> {
        let Some(config) = &self.config else {
            return Err(ProcessorError::NotStarted);
        };
        if extras.iter().all(Option::is_none) {
            // Zero-copy: the identity path hands the very same buffer on.
            return Ok(Some(main));
        }
        let mut out = main;
        {
            let out_ref = out.make_mut();
            let mut frame =
                gst_video::VideoFrameRef::from_buffer_ref_writable(out_ref, &config.input)
                    .map_err(|_| ProcessorError::Map("main frame"))?;
            for (layout, buffer) in config.extras.iter().zip(extras) {
                let Some(buffer) = buffer else { continue };
                let src = gst_video::VideoFrameRef::from_buffer_ref_readable(
                    buffer.as_ref(),
                    &layout.info,
                )
                .map_err(|_| ProcessorError::Map("extra frame"))?;
                blit(&src, &mut frame, layout.rect)?;
            }
        }
        Ok(Some(out))
    }
}

/// Copies `src` into `dst` at `rect`, plane by plane, clipping at the
/// canvas edge. Both frames must share a format.
pub fn blit(
    src: &gst_video::VideoFrameRef<&gst::BufferRef>,
    dst: &mut gst_video::VideoFrameRef<&mut gst::BufferRef>,
    rect: Rect,
) -> Result<(), ProcessorError> {
    let finfo = dst.format_info();
    if src.format() != dst.format() {
        return Err(ProcessorError::Unsupported(format!(
            "cannot blit {:?} onto {:?}",
            src.format(),
            dst.format()
        )));
    }
    let copy_w = rect
        .width
        .min(src.width())
        .min(dst.width().saturating_sub(rect.x));
    let copy_h = rect
        .height
        .min(src.height())
        .min(dst.height().saturating_sub(rect.y));
    for plane in 0..finfo.n_planes() {
        let comp = plane_component(&finfo, plane);
        let w_sub = finfo.w_sub()[comp as usize];
        let h_sub = finfo.h_sub()[comp as usize];
        let pstride = finfo.pixel_stride()[comp as usize].max(1) as usize;
        // For semi-planar chroma the pixel stride already spans both
        // interleaved components.
        let bytes_per_px = pstride;
        let px0 = (rect.x >> w_sub) as usize * bytes_per_px;
        let py0 = (rect.y >> h_sub) as usize;
        let row_bytes = (copy_w as usize).div_ceil(1 << w_sub) * bytes_per_px;
        let rows = (copy_h as usize).div_ceil(1 << h_sub);
        let src_stride = src.plane_stride()[plane as usize] as usize;
        let dst_stride = dst.plane_stride()[plane as usize] as usize;
        let src_data = src
            .plane_data(plane)
            .map_err(|_| ProcessorError::Map("extra plane"))?;
        let dst_data = dst
            .plane_data_mut(plane)
            .map_err(|_| ProcessorError::Map("main plane"))?;
        for row in 0..rows {
            let s = row * src_stride;
            let d = (py0 + row) * dst_stride + px0;
            if s + row_bytes > src_data.len() || d + row_bytes > dst_data.len() {
                break;
            }
            dst_data[d..d + row_bytes].copy_from_slice(&src_data[s..s + row_bytes]);
        }
    }
    Ok(())
}

fn plane_component(finfo: &gst_video::VideoFormatInfo, plane: u32) -> u32 {
    (0..finfo.n_components())
        .find(|&c| finfo.plane()[c as usize] == plane)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_layout_stays_inside_landscape_and_portrait_canvases() {
        for (w, h) in [
            (1280, 720),
            (720, 1280),
            (1920, 1080),
            (1080, 1920),
            (640, 360),
        ] {
            let rects = pip_layout(w, h, 2);
            assert_eq!(rects.len(), 2);
            for r in &rects {
                assert!(r.x + r.width <= w, "{r:?} overflows width {w}");
                assert!(r.y + r.height <= h, "{r:?} overflows height {h}");
                assert_eq!(r.x % 2, 0);
                assert_eq!(r.width % 2, 0);
            }
            // Stacked windows do not overlap.
            assert!(rects[1].y + rects[1].height <= rects[0].y);
        }
    }

    fn rect(x: u32, y: u32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    fn assert_uv(got: [f32; 4], want: [f32; 4]) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "uv {got:?}, want {want:?}");
        }
    }

    #[test]
    fn main_shows_its_centre_half_in_the_left_half() {
        assert_eq!(side_by_side_main(1280), [0, 640, 320, 0]);
        // Odd width: the left half rounds down.
        assert_eq!(side_by_side_main(1281), [0, 640, 320, 0]);
    }

    #[test]
    fn two_landscape_sources_fill_16_9_cells_uncropped() {
        // 1280x720 canvas, 2 sources: cells are (1280 - 640) x 720/2 =
        // 640x360, at x = 640 and y = 0, 360; 16:9 like the sources, so
        // nothing is cropped.
        let got: Vec<_> = side_by_side(1280, 720, [(1280, 720), (640, 360)]).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].dst, rect(640, 0, 640, 360));
        assert_eq!(got[1].dst, rect(640, 360, 640, 360));
        assert_uv(got[0].uv, FULL_UV);
        assert_uv(got[1].uv, FULL_UV);
    }

    #[test]
    fn portrait_source_is_cropped_top_and_bottom() {
        // One cell, 640x720 (aspect 8/9). A 720x1280 source (9/16) is
        // narrower, so it keeps its full width and shows the centre
        // v = (9/16) / (8/9) = 81/128 of its height:
        // v0 = (1 - 81/128) / 2 = 47/256, v1 = (1 + 81/128) / 2 = 209/256.
        let got: Vec<_> = side_by_side(1280, 720, [(720, 1280)]).collect();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].dst, rect(640, 0, 640, 720));
        assert_uv(got[0].uv, [0.0, 47.0 / 256.0, 1.0, 209.0 / 256.0]);
    }

    #[test]
    fn wide_source_in_a_tall_cell_is_cropped_left_and_right() {
        // One cell, 640x720 (8/9). A 16:9 source is wider, so it keeps its
        // full height and shows the centre u = (8/9) / (16/9) = 1/2 of its
        // width: u0 = 1/4, u1 = 3/4.
        let got: Vec<_> = side_by_side(1280, 720, [(1920, 1080)]).collect();
        assert_eq!(got[0].dst, rect(640, 0, 640, 720));
        assert_uv(got[0].uv, [0.25, 0.0, 0.75, 1.0]);
    }

    #[test]
    fn odd_canvas_gives_the_right_half_the_spare_column_and_row() {
        // 1281x721, 2 sources: x = 1281/2 = 640, width 1281 - 640 = 641;
        // height 721/2 = 360, rows at 0*721/2 = 0 and 1*721/2 = 360; the
        // 721st row stays below the cells.
        let got: Vec<_> = side_by_side(1281, 721, [(1280, 720), (1280, 720)]).collect();
        assert_eq!(got[0].dst, rect(640, 0, 641, 360));
        assert_eq!(got[1].dst, rect(640, 360, 641, 360));
    }

    #[test]
    fn no_sources_no_placements() {
        assert_eq!(side_by_side(1280, 720, []).count(), 0);
    }
}
