// The main source frame's plane textures and the frame uniform: group 0
// of every pass that reads the camera. Prepended after yuv.wgsl.
//
// Textures rather than a storage buffer of u32 words: on llvmpipe (Mesa
// 22.3) a storage-buffer load at a per-lane address is done lane by lane,
// and the word-reading version of this file measured slower than
// textureLoad once the format switch below is specialised away.

@group(0) @binding(0) var in_t0: texture_2d<f32>;
@group(0) @binding(1) var in_t1: texture_2d<f32>;
@group(0) @binding(2) var in_t2: texture_2d<f32>;
@group(0) @binding(3) var<uniform> F: Frame;

// Specialisation (see DYNAMIC in yuv.wgsl): the FMT_* code of the source
// and the FLAG_* set, or DYNAMIC to follow `F`.
override IN_FMT: u32 = 0xffffffffu;
override FX_FLAGS: u32 = 0xffffffffu;

fn in_format() -> u32 {
    return select(F.in_format, IN_FMT, IN_FMT != DYNAMIC);
}

fn fx_flags() -> u32 {
    return select(F.flags, FX_FLAGS, FX_FLAGS != DYNAMIC);
}

// Pixel `p` (inside the frame) in normalised YCbCr.
fn src_decode(p: vec2<i32>) -> vec3<f32> {
    return decode(in_format(), in_t0, in_t1, in_t2, p, F.in_range, F.coeffs);
}

// Luma only (statistics, sharpen).
fn src_luma(p: vec2<i32>) -> f32 {
    return decode_luma(in_format(), in_t0, p, F.in_range, F.coeffs);
}
