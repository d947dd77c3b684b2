// Basic beauty: skin-aware, edge-preserving smoothing (a guided filter
// whose wide-radius statistics run at 1/F resolution), whitening, ruddy
// and sharpen. Prepended by yuv.wgsl and planes.wgsl. The statistics entry points live
// here; `beauty_apply` is called per pixel by shade.wgsl.

// Each entry point uses its own binding numbers in group 1 so that they
// can share one module without clashing.
@group(1) @binding(0) var stats_out: texture_storage_2d<rgba32float, write>;
@group(1) @binding(1) var blur_h_src: texture_2d<f32>;
@group(1) @binding(2) var blur_h_dst: texture_storage_2d<rgba32float, write>;
@group(1) @binding(3) var blur_v_src: texture_2d<f32>;
@group(1) @binding(4) var blur_v_dst: texture_storage_2d<rgba16float, write>;

// Downsample factor (beauty::FACTOR), a pipeline constant so the loops
// below have fixed trip counts and are unrolled.
override FACTOR: i32 = 4;

// E[Y] and E[Y^2] of each FxF block, estimated from F of its F*F
// full-resolution pixels: one per row, each in a different column
// ((3j mod F, j), F a power of two), so a stripe of any orientation is
// still seen. Subsampling the guide for the statistics is the fast
// guided filter's idea (He and Sun, 2015, who keep one pixel in s^2);
// the box filter below then averages (2r+1)^2 blocks, so the window
// still sees a few hundred pixels. Reading a quarter of the pixels made
// the whole chain about a fifth faster on lavapipe (docs/benchmarks.md).
// Keeping the second moment (rather than downsampling Y and squaring)
// means the variance below still sees the pixel-level noise we want to
// remove.
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
    for (var j = 0; j < f; j++) {
        let p = min(base + vec2<i32>((j * 3) % f, j), maxp);
        let y = src_luma(p);
        s += y;
        s2 += y * y;
    }
    let n = f32(f);
    textureStore(stats_out, vec2<i32>(gid.xy), vec4<f32>(s / n, s2 / n, 0.0, 0.0));
}

@compute @workgroup_size(8, 8)
fn blur_h(@builtin(global_invocation_id) gid: vec3<u32>) {
    let dims = textureDimensions(blur_h_dst);
    if (gid.x >= dims.x || gid.y >= dims.y) {
        return;
    }
    let r = i32(F.beauty2.w);
    let p = vec2<i32>(gid.xy);
    var acc = vec2<f32>(0.0);
    for (var i = -r; i <= r; i++) {
        let q = vec2<i32>(clamp(p.x + i, 0, i32(dims.x) - 1), p.y);
        acc += textureLoad(blur_h_src, q, 0).xy;
    }
    textureStore(blur_h_dst, p, vec4<f32>(acc / f32(2 * r + 1), 0.0, 0.0));
}

// Vertical box pass, then the guided filter's per-window linear model:
// a = var / (var + eps), b = (1 - a) * mean. Flat (skin) windows get
// a ~ 0 (replace by the mean), edges get a ~ 1 (keep the pixel).
@compute @workgroup_size(8, 8)
fn blur_v(@builtin(global_invocation_id) gid: vec3<u32>) {
    let dims = textureDimensions(blur_v_dst);
    if (gid.x >= dims.x || gid.y >= dims.y) {
        return;
    }
    let r = i32(F.beauty2.w);
    let p = vec2<i32>(gid.xy);
    var acc = vec2<f32>(0.0);
    for (var i = -r; i <= r; i++) {
        let q = vec2<i32>(p.x, clamp(p.y + i, 0, i32(dims.y) - 1));
        acc += textureLoad(blur_v_src, q, 0).xy;
    }
    let m = acc / f32(2 * r + 1);
    let var_ = max(m.y - m.x * m.x, 0.0);
    let a = var_ / (var_ + F.beauty.y);
    textureStore(blur_v_dst, p, vec4<f32>(a, (1.0 - a) * m.x, 0.0, 0.0));
}
