// The main pass: decode the camera frame, apply beauty and the LUT, and
// write normalised YCbCr into the working texture. Prepended by
// yuv.wgsl, beauty_apply.wgsl and lut.wgsl.

@group(0) @binding(0) var in_t0: texture_2d<f32>;
@group(0) @binding(1) var in_t1: texture_2d<f32>;
@group(0) @binding(2) var in_t2: texture_2d<f32>;
@group(0) @binding(3) var<uniform> F: Frame;

@group(1) @binding(0) var ab_tex: texture_2d<f32>;
@group(1) @binding(1) var lin: sampler;
@group(1) @binding(2) var lut_tex: texture_3d<f32>;
@group(1) @binding(3) var work: texture_storage_2d<rgba16float, write>;

fn luma_at(p: vec2<i32>) -> f32 {
    let q = clamp(p, vec2<i32>(0), vec2<i32>(F.size) - vec2<i32>(1));
    return decode_luma(F.in_format, in_t0, q, F.in_range, F.coeffs);
}

// Decode, beauty and LUT for one canvas pixel.
fn shade(p: vec2<i32>) -> vec3<f32> {
    // Outside the main source's columns (side-by-side layout) the canvas
    // is black until the compositor draws the extra sources there.
    if (p.x < F.main_region.x || p.x >= F.main_region.y) {
        return vec3<f32>(0.0);
    }
    let sp = p + F.main_region.zw;
    var c = decode(F.in_format, in_t0, in_t1, in_t2, sp, F.in_range, F.coeffs);
    if ((F.flags & (FLAG_SMOOTH | FLAG_WHITEN | FLAG_RUDDY | FLAG_SHARPEN)) != 0u) {
        var ab = vec2<f32>(1.0, 0.0);
        if ((F.flags & FLAG_SMOOTH) != 0u) {
            let low = vec2<f32>(textureDimensions(ab_tex));
            let uv = (vec2<f32>(sp) + 0.5) / (F.beauty2.z * low);
            ab = textureSampleLevel(ab_tex, lin, uv, 0.0).xy;
        }
        var lap = 0.0;
        if ((F.flags & FLAG_SHARPEN) != 0u) {
            let n = luma_at(sp + vec2<i32>(1, 0)) + luma_at(sp - vec2<i32>(1, 0))
                  + luma_at(sp + vec2<i32>(0, 1)) + luma_at(sp - vec2<i32>(0, 1));
            lap = c.x - 0.25 * n;
        }
        c = beauty_apply(c, ab, lap, F);
    }
    if ((F.flags & FLAG_LUT) != 0u) {
        let rgb = lut_apply(lut_tex, lin, yuv_to_rgb(c, F.coeffs), F.beauty2.y);
        c = rgb_to_yuv(rgb, F.coeffs);
    }
    return c;
}

@compute @workgroup_size(8, 8)
fn main_pass(@builtin(global_invocation_id) gid: vec3<u32>) {
    if (gid.x >= F.size.x || gid.y >= F.size.y) {
        return;
    }
    let p = vec2<i32>(gid.xy);
    textureStore(work, p, vec4<f32>(shade(p), 1.0));
}
