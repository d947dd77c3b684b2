// Decode, beauty and LUT for one canvas pixel: the per-pixel work shared
// by the frame pass (frame.wgsl) and the direct pass (direct.wgsl).
// Prepended after yuv.wgsl, planes.wgsl, beauty_apply.wgsl and lut.wgsl.

@group(1) @binding(0) var ab_tex: texture_2d<f32>;
@group(1) @binding(1) var lin: sampler;
@group(1) @binding(2) var lut_tex: texture_3d<f32>;

fn luma_at(p: vec2<i32>) -> f32 {
    let q = clamp(p, vec2<i32>(0), vec2<i32>(F.size) - vec2<i32>(1));
    return src_luma(q);
}

fn shade(p: vec2<i32>) -> vec3<f32> {
    // Outside the main source's columns (side-by-side layout) the canvas
    // is black until the compositor draws the extra sources there.
    if (p.x < F.main_region.x || p.x >= F.main_region.y) {
        return vec3<f32>(0.0);
    }
    let sp = p + F.main_region.zw;
    var ab = vec3<f32>(1.0, 0.0, 0.0);
    if ((fx_flags() & FLAG_STATS) != 0u) {
        let low = vec2<f32>(textureDimensions(ab_tex));
        let uv = (vec2<f32>(sp) + 0.5) / (F.beauty2.z * low);
        ab = textureSampleLevel(ab_tex, lin, uv, 0.0).xyz;
    }
    return shade_decoded(src_decode(sp), sp, ab);
}

// Beauty and LUT for source pixel `sp`, already decoded to `c`, with the
// guided filter's (a, b) and the soft skin mask at that pixel (unused
// unless an effect in FLAG_STATS is on).
fn shade_decoded(decoded: vec3<f32>, sp: vec2<i32>, ab: vec3<f32>) -> vec3<f32> {
    var c = decoded;
    let flags = fx_flags();
    if ((flags & (FLAG_SMOOTH | FLAG_WHITEN | FLAG_RUDDY | FLAG_SHARPEN)) != 0u) {
        // (Laplacian, lowest, highest) of the pixel's 4-neighbourhood.
        var sharp = vec3<f32>(0.0, c.x, c.x);
        if ((flags & FLAG_SHARPEN) != 0u) {
            let e = luma_at(sp + vec2<i32>(1, 0));
            let w = luma_at(sp - vec2<i32>(1, 0));
            let s = luma_at(sp + vec2<i32>(0, 1));
            let n = luma_at(sp - vec2<i32>(0, 1));
            sharp = vec3<f32>(c.x - 0.25 * (e + w + s + n),
                              min(min(min(e, w), min(s, n)), c.x),
                              max(max(max(e, w), max(s, n)), c.x));
        }
        c = beauty_apply(c, ab, sharp, F, flags);
    }
    if ((flags & FLAG_LUT) != 0u) {
        let rgb = lut_apply(lut_tex, yuv_to_rgb(c, F.coeffs), F.beauty2.y);
        c = rgb_to_yuv(rgb, F.coeffs);
    }
    return c;
}
