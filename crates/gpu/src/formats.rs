//! Mapping GStreamer video formats and colorimetry onto what the
//! shaders understand.

use gst_video::{VideoColorMatrix, VideoColorRange, VideoFormat, VideoInfo};

use crate::error::GpuError;

/// Input formats the processor reads natively, best first. I420 and
/// NV12 are what cameras and encoders mostly speak; YUY2 is common on
/// UVC webcams; the RGB family covers screen capture and images.
pub const INPUT_FORMATS: [VideoFormat; 7] = [
    VideoFormat::I420,
    VideoFormat::Nv12,
    VideoFormat::Yuy2,
    VideoFormat::Rgba,
    VideoFormat::Bgra,
    VideoFormat::Rgbx,
    VideoFormat::Bgrx,
];

/// Output formats the pack pass writes.
pub const OUTPUT_FORMATS: [VideoFormat; 7] = [
    VideoFormat::I420,
    VideoFormat::Nv12,
    VideoFormat::Yuy2,
    VideoFormat::Rgba,
    VideoFormat::Bgra,
    VideoFormat::Rgbx,
    VideoFormat::Bgrx,
];

/// Shader format code (FMT_* in yuv.wgsl).
pub(crate) fn in_code(f: VideoFormat) -> Result<u32, GpuError> {
    Ok(match f {
        VideoFormat::I420 => 0,
        VideoFormat::Nv12 => 1,
        VideoFormat::Yuy2 => 2,
        VideoFormat::Rgba | VideoFormat::Bgra | VideoFormat::Rgbx | VideoFormat::Bgrx => 3,
        other => {
            return Err(GpuError::Unsupported(format!(
                "input format {other:?} (supported: {INPUT_FORMATS:?})"
            )));
        }
    })
}

pub(crate) fn is_yuv(f: VideoFormat) -> bool {
    matches!(f, VideoFormat::I420 | VideoFormat::Nv12 | VideoFormat::Yuy2)
}

/// Output code for pack.wgsl: 0 I420, 1 NV12, 2 YUY2, 3 RGB family; and whether
/// the RGB family wants B and R swapped.
pub(crate) fn out_code(f: VideoFormat) -> Result<(u32, bool), GpuError> {
    Ok(match f {
        VideoFormat::I420 => (0, false),
        VideoFormat::Nv12 => (1, false),
        VideoFormat::Yuy2 => (2, false),
        VideoFormat::Rgba | VideoFormat::Rgbx => (3, false),
        VideoFormat::Bgra | VideoFormat::Bgrx => (3, true),
        other => {
            return Err(GpuError::Unsupported(format!(
                "output format {other:?} (supported: {OUTPUT_FORMATS:?})"
            )));
        }
    })
}

/// Raw-to-normalised parameters `(y_off, y_scale, c_off, c_scale)` for a
/// YUV frame: normalised = (raw - off) * scale.
pub(crate) fn range_params(info: &VideoInfo) -> [f32; 4] {
    let c_off = 128.0 / 255.0;
    match info.colorimetry().range() {
        VideoColorRange::Range0_255 => [0.0, 1.0, c_off, 1.0],
        // Unknown is treated as limited, as GStreamer does for YUV.
        _ => [16.0 / 255.0, 255.0 / 219.0, c_off, 255.0 / 224.0],
    }
}

/// `(Kr, Kb, 0, 0)` of a YUV frame's matrix; BT.709 if unknown or RGB.
pub(crate) fn coeffs(info: &VideoInfo) -> [f32; 4] {
    let (kr, kb) = match info.colorimetry().matrix() {
        VideoColorMatrix::Bt601 => (0.299, 0.114),
        VideoColorMatrix::Bt2020 => (0.2627, 0.0593),
        VideoColorMatrix::Fcc => (0.30, 0.11),
        VideoColorMatrix::Smpte240m => (0.212, 0.087),
        _ => (0.2126, 0.0722),
    };
    [kr, kb, 0.0, 0.0]
}

/// The output frame description: canvas size, `format`, and the input's
/// colorimetry when both are YUV (so YUV -> YUV repacking needs no
/// matrix change), the format's default otherwise.
pub(crate) fn output_info(input: &VideoInfo, format: VideoFormat) -> Result<VideoInfo, GpuError> {
    let mut b = VideoInfo::builder(format, input.width(), input.height())
        .fps(input.fps())
        .par(input.par());
    let colorimetry = input.colorimetry();
    if is_yuv(input.format()) && is_yuv(format) {
        b = b.colorimetry(&colorimetry);
    }
    b.build()
        .map_err(|e| GpuError::Unsupported(format!("output {format:?}: {e}")))
}
