// Per-pixel half of basic beauty, prepended to shade.wgsl (after
// yuv.wgsl). Pure functions: the caller does the texture reads.

// `ab` is the bilinearly upsampled guided-filter model, already blended
// by amount * skin mask and opened up on features, and the soft skin
// mask itself (beauty.wgsl); `sharp` the pixel's luma minus its
// 4-neighbour mean (for sharpen) and that neighbourhood's lowest and
// highest luma; `flags` the FLAG_* set (a specialisation constant where
// possible, see yuv.wgsl).
fn beauty_apply(c: vec3<f32>, ab: vec3<f32>, sharp: vec3<f32>, f: Frame, flags: u32) -> vec3<f32> {
    var o = c;
    // How much of the pixel the smoothing replaced, 0..1.
    var smoothed = 0.0;
    if ((flags & FLAG_SMOOTH) != 0u) {
        o.x = ab.x * c.x + ab.y;
        smoothed = clamp(1.0 - ab.x, 0.0, 1.0);
    }
    if ((flags & FLAG_SHARPEN) != 0u) {
        // Sharpen outlines, not the skin texture we just smoothed away,
        // and never past the neighbourhood's own range: an edge steepens
        // without the bright and dark halos (ringing) of a plain unsharp
        // mask.
        let lo = min(sharp.y, o.x);
        let hi = max(sharp.z, o.x);
        o.x = clamp(o.x + f.beauty2.x * sharp.x * (1.0 - smoothed), lo, hi);
    }
    // The colour conversion and the hue tests below, per pixel, only when
    // an effect uses them (the unspecialised pipeline would run them
    // always).
    if ((flags & (FLAG_WHITEN | FLAG_RUDDY)) == 0u) {
        return o;
    }
    // Whitening and ruddy follow the pixel's own colour, so they stop at
    // the face's edge rather than at the soft mask's wide border; inside
    // that border a looser hue test fills the face's redder parts, so a
    // whitened face keeps one tone.
    let m = skin_masks(c);
    let mask = max(m.x, smoothstep(0.1, 0.6, ab.z) * m.y);
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
