// Basic beauty: skin-aware, edge-preserving smoothing (a guided filter
// whose wide-radius statistics run at 1/F resolution), whitening, ruddy
// and sharpen. Prepended by yuv.wgsl, planes.wgsl and skin.wgsl. The
// statistics entry points live here; `beauty_apply` is called per pixel
// by shade.wgsl.
//
// Smoothing spares facial features: where the 4x4 blocks' means vary
// strongly across a 3x3 neighbourhood (an eye, a brow, the lips'
// outline, a nostril), the guided filter is pushed to identity, as if
// eps were zero there. The window's variance alone cannot tell: at level
// 9 eps is large enough to flatten a whole eye, and the window (about 28
// pixels at 720p) is far wider than the lash line. Block means rather
// than the pixels themselves, because averaging 16 pixels takes sensor
// noise and pores down four times while an eye's outline stays: a grainy
// dim room is smoothed, not mistaken for features. The test is relative
// to brightness, so a dim room's features are spared as a bright one's
// are.
//
// Where smoothing acts is decided here too, at low resolution: the
// blocks' mean chroma is box filtered with the statistics, and the skin
// likelihood (skin.wgsl) is taken of the window's mean colour, so the
// mask is soft and a grainy picture's chroma noise averages out before
// the hue test sees it; it is then mixed with the previous frame's, so
// the noise that is left cannot make it flicker. It is folded
// into the guided filter's linear model, which then costs the per-pixel
// pass nothing extra.

// Each entry point uses its own binding numbers in group 1 so that they
// can share one module without clashing.
@group(1) @binding(0) var stats_out: texture_storage_2d<rgba32float, write>;
@group(1) @binding(1) var blur_h_src: texture_2d<f32>;
@group(1) @binding(2) var blur_h_dst: texture_storage_2d<rgba32float, write>;
@group(1) @binding(3) var blur_v_src: texture_2d<f32>;
@group(1) @binding(4) var blur_v_dst: texture_storage_2d<rgba16float, write>;
// The previous frame's blur_v_dst (copied after each frame): its z is the
// mask, its w 1.0 once a frame has been written.
@group(1) @binding(5) var mask_prev: texture_2d<f32>;
// stats_down's output again, for the vertical pass's feature test.
@group(1) @binding(6) var stats_v: texture_2d<f32>;

// Downsample factor (beauty::FACTOR), a pipeline constant so the loops
// below have fixed trip counts and are unrolled.
override FACTOR: i32 = 4;

// E[Y], E[Y^2] and the mean (Cb, Cr) of each FxF block of
// full-resolution pixels. Keeping
// the second moment (rather than downsampling Y and squaring) means the
// variance still sees the pixel-level noise we want to remove.
//
// A 4:2:0 source's Y plane is packed four pixels to a texel (yuv.wgsl),
// so with F = 4 a block row is one fetch and the whole block four. Other
// sources read F of the F*F pixels, one per row and each in a different
// column ((3j mod F, j), F a power of two), so a stripe of any
// orientation is still seen: the fast guided filter's subsampling (He
// and Sun, 2015, who keep one pixel in s^2); the box filter then
// averages (2r+1)^2 blocks, so the window still sees a few hundred.
@compute @workgroup_size(8, 8)
fn stats_down(@builtin(global_invocation_id) gid: vec3<u32>) {
    let dims = textureDimensions(stats_out);
    if (gid.x >= dims.x || gid.y >= dims.y) {
        return;
    }
    let f = FACTOR;
    let maxp = vec2<i32>(F.size) - vec2<i32>(1);
    let base = vec2<i32>(gid.xy) * f;
    var s = 0.0;
    var s2 = 0.0;
    var n = f32(f);
    if (FACTOR == 4 && IN_FMT <= FMT_NV12) {
        // Past the right edge the last pixel repeats, as min() does below.
        let lim = maxp.x - base.x;
        for (var j = 0; j < 4; j++) {
            let t = textureLoad(in_t0, vec2<i32>(base.x >> 2u, min(base.y + j, maxp.y)), 0);
            let raw = vec4<f32>(t[min(0, lim)], t[min(1, lim)], t[min(2, lim)], t[min(3, lim)]);
            let y = (raw - F.in_range.x) * F.in_range.y;
            s += dot(y, vec4<f32>(1.0));
            s2 += dot(y, y);
        }
        n = 16.0;
    } else {
        for (var j = 0; j < f; j++) {
            let p = min(base + vec2<i32>((j * 3) % f, j), maxp);
            let y = src_luma(p);
            s += y;
            s2 += y * y;
        }
    }
    // The block's colour from two chroma samples on its diagonal: the
    // box filter then averages dozens of blocks.
    let c1 = src_decode(min(base + vec2<i32>(f / 4), maxp));
    let c2 = src_decode(min(base + vec2<i32>(3 * f / 4), maxp));
    textureStore(stats_out, vec2<i32>(gid.xy), vec4<f32>(s / n, s2 / n, 0.5 * (c1.yz + c2.yz)));
}

// Box radius in low-resolution pixels (beauty::radius), a pipeline
// constant so the loops below unroll.
override RADIUS: i32 = 3;

// The box filter's sums slide: each invocation produces BLUR_RUN outputs
// in a row (blur_h) or a column (blur_v) from 2 * RADIUS + BLUR_RUN loads,
// instead of (2 * RADIUS + 1) loads for each.
const BLUR_RUN: i32 = 4;

fn load_h(p: vec2<i32>, dims: vec2<i32>) -> vec4<f32> {
    return textureLoad(blur_h_src, vec2<i32>(clamp(p.x, 0, dims.x - 1), p.y), 0);
}

fn load_v(p: vec2<i32>, dims: vec2<i32>) -> vec4<f32> {
    return textureLoad(blur_v_src, vec2<i32>(p.x, clamp(p.y, 0, dims.y - 1)), 0);
}

// The variance of the block means around `p` (3x3 blocks), relative to
// their brightness, as if they were mid-grey: (std / mean)^2 / 4.
fn feature(p: vec2<i32>, dims: vec2<i32>) -> f32 {
    var m = 0.0;
    var m2 = 0.0;
    for (var dy = -1; dy <= 1; dy++) {
        for (var dx = -1; dx <= 1; dx++) {
            let q = clamp(p + vec2<i32>(dx, dy), vec2<i32>(0), dims - vec2<i32>(1));
            let v = textureLoad(stats_v, q, 0).x;
            m += v;
            m2 += v * v;
        }
    }
    m /= 9.0;
    return max(m2 / 9.0 - m * m, 0.0) * 0.25 / max(m * m, 0.01);
}

// Weight of the current frame's mask against the previous one's: the
// mask settles within a few frames of a move, and noise averages out.
const MASK_NEW: f32 = 0.5;

@compute @workgroup_size(8, 8)
fn blur_h(@builtin(global_invocation_id) gid: vec3<u32>) {
    let dims = vec2<i32>(textureDimensions(blur_h_dst));
    let p0 = vec2<i32>(i32(gid.x) * BLUR_RUN, i32(gid.y));
    if (p0.x >= dims.x || p0.y >= dims.y) {
        return;
    }
    let n = f32(2 * RADIUS + 1);
    var acc = vec4<f32>(0.0);
    for (var i = -RADIUS; i <= RADIUS; i++) {
        acc += load_h(p0 + vec2<i32>(i, 0), dims);
    }
    for (var k = 0; k < BLUR_RUN; k++) {
        let p = p0 + vec2<i32>(k, 0);
        if (p.x < dims.x) {
            textureStore(blur_h_dst, p, acc / n);
        }
        acc += load_h(p + vec2<i32>(RADIUS + 1, 0), dims) - load_h(p - vec2<i32>(RADIUS, 0), dims);
    }
}

// Vertical box pass, then the guided filter's per-window linear model:
// a = var / (var + eps), b = (1 - a) * mean. Flat (skin) windows get
// a ~ 0 (replace by the mean), edges get a ~ 1 (keep the pixel). The
// model is then blended towards identity by k = amount * mask, so the
// per-pixel pass's a*y + b is already y + k * (smoothed - y).
@compute @workgroup_size(8, 8)
fn blur_v(@builtin(global_invocation_id) gid: vec3<u32>) {
    let dims = vec2<i32>(textureDimensions(blur_v_dst));
    let p0 = vec2<i32>(i32(gid.x), i32(gid.y) * BLUR_RUN);
    if (p0.x >= dims.x || p0.y >= dims.y) {
        return;
    }
    let n = f32(2 * RADIUS + 1);
    var acc = vec4<f32>(0.0);
    for (var i = -RADIUS; i <= RADIUS; i++) {
        acc += load_v(p0 + vec2<i32>(0, i), dims);
    }
    for (var k = 0; k < BLUR_RUN; k++) {
        let p = p0 + vec2<i32>(0, k);
        if (p.y < dims.y) {
            let m = acc / n;
            let var_ = max(m.y - m.x * m.x, 0.0);
            // A feature (relative variance above beauty2.w) keeps
            // its pixels whatever the window says.
            let wide = var_ / (var_ + F.beauty.y);
            let feat = smoothstep(F.beauty2.w, 4.0 * F.beauty2.w, feature(p, dims));
            let a = wide + (1.0 - wide) * feat;
            let now = skin_mask(vec3<f32>(m.x, m.z, m.w));
            let prev = textureLoad(mask_prev, p, 0);
            let skin = select(now, mix(prev.z, now, MASK_NEW), prev.w > 0.5);
            let k = F.beauty.x * skin;
            textureStore(blur_v_dst, p, vec4<f32>(1.0 - k + k * a, k * (1.0 - a) * m.x, skin, 1.0));
        }
        acc += load_v(p + vec2<i32>(0, RADIUS + 1), dims) - load_v(p - vec2<i32>(0, RADIUS), dims);
    }
}
