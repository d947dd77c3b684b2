// Per-pixel half of basic beauty, prepended to shade.wgsl (after
// yuv.wgsl). Pure functions: the caller does the texture reads.

// Soft skin likelihood from normalised chroma (the classic Cb 77..127,
// Cr 133..173 box, widened with smoothstep ramps so the mask has no
// visible boundary), faded out in deep shadows where hair and pupils
// share skin's hue.
fn skin_mask(c: vec3<f32>) -> f32 {
    let cb = smoothstep(-0.27, -0.19, c.y) * (1.0 - smoothstep(-0.01, 0.05, c.y));
    let cr = smoothstep(0.0, 0.05, c.z) * (1.0 - smoothstep(0.17, 0.24, c.z));
    let y = smoothstep(0.06, 0.2, c.x);
    return cb * cr * y;
}

// `ab` is the bilinearly upsampled guided-filter model, `lap` the
// pixel's luma minus its 4-neighbour mean (for sharpen), `flags` the
// FLAG_* set (a specialisation constant where possible, see yuv.wgsl).
fn beauty_apply(c: vec3<f32>, ab: vec2<f32>, lap: f32, f: Frame, flags: u32) -> vec3<f32> {
    var o = c;
    let mask = skin_mask(c);
    var smooth_amt = 0.0;
    if ((flags & FLAG_SMOOTH) != 0u) {
        smooth_amt = f.beauty.x * mask;
        o.x = mix(o.x, ab.x * c.x + ab.y, smooth_amt);
    }
    if ((flags & FLAG_SHARPEN) != 0u) {
        // Sharpen outlines, not the skin texture we just smoothed away.
        o.x += f.beauty2.x * lap * (1.0 - smooth_amt);
    }
    if ((flags & FLAG_WHITEN) != 0u) {
        // log curve: lifts mid-tones, fixes 0 and 1, so no highlight clips.
        let beta = f.beauty.z;
        let yc = clamp(o.x, 0.0, 1.0);
        let w = log(1.0 + (beta - 1.0) * yc) / log(beta);
        o.x = mix(o.x, w, mask);
    }
    if ((flags & FLAG_RUDDY) != 0u) {
        o.z += f.beauty.w * mask;
        o.y -= 0.25 * f.beauty.w * mask;
    }
    return o;
}
