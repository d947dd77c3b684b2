//! `shopcast-gpu`: the wgpu frame processor — basic beauty (smoothing,
//! whitening, ruddy, sharpen), LUT colour filters, overlays and
//! picture-in-picture — behind the media crate's
//! [`shopcast_media::FrameProcessor`] hook.
//!
//! Main types:
//! - [`GpuProcessor`]: the processor. Built once ([`GpuProcessor::new`]
//!   or [`build_processor`], which falls back to identity without a
//!   GPU), then driven by the program pipeline's processing thread only
//!   (`start`, `process`, `drain`). It owns the wgpu device, the passes
//!   in [`layers`](crate) and a readback ring of [`RING_DEPTH`] + 1 slots.
//! - [`GpuControl`]: a `Clone + Send + Sync` handle used from any other
//!   thread (CLI, UI, room events) to change beauty, LUT, overlays and
//!   layout live; the processor picks changes up at its next frame.
//! - [`EffectSettings`] and the `FromStr` flag values [`Beauty`],
//!   [`LutArg`], [`OverlayArg`]; [`list_luts`] / [`assets_dir`] for the
//!   shipped LUTs (see [`assets`] for how the directory is found).
//! - [`CardRenderer`]: draws the current product's card (image, name,
//!   prices, stock) on the CPU as an [`RgbaImage`] to place as an
//!   overlay; it loads system fonts once, so call it off the frame
//!   thread.
//! - [`GpuContext`]: headless device selection honouring `WGPU_BACKEND`
//!   and `WGPU_ADAPTER_NAME`.
//!
//! wgpu work happens on the calling thread; wgpu and the Vulkan driver
//! (lavapipe on CI) may run their own worker threads.

pub mod assets;
mod card;
mod control;
mod device;
mod error;
mod formats;
mod image;
mod layers;
pub mod lut;
mod processor;
mod scene;
mod settings;

pub use assets::{ASSETS_ENV, assets_dir, list_luts, resolve_lut, set_bundled_assets_dir};
pub use card::{
    CardRenderer, ProductCardContent, TEXT_MAX_LINES, TEXT_MAX_WIDTH, TEXT_OUTLINE_PX,
    TEXT_SIZE_PX, TextStyle,
};
pub use control::{GpuControl, OverlayId, OverlayInfo};
pub use device::{GpuContext, probe_adapter};
pub use error::GpuError;
pub use formats::{INPUT_FORMATS, OUTPUT_FORMATS};
pub use image::{RgbaImage, decode_png_rgba, encode_png_rgba};
pub use lut::Lut;
pub use processor::{GpuProcessor, RING_DEPTH, StageTimes, build_processor};
pub use scene::{Crop, LayerContent, LayerRect, SceneLayer, SceneSet};
pub use settings::{
    Beauty, DEFAULT_LUT_STRENGTH, EffectSettings, Layout, LutArg, LutSource, MAX_LEVEL, OverlayArg,
};
