// The skin model, shared by the statistics (beauty.wgsl: the soft,
// temporally smoothed mask that decides where smoothing acts) and the
// per-pixel pass (beauty_apply.wgsl: whitening and ruddy, which must not
// tint a backdrop or clothes beside the face). Prepended after yuv.wgsl
// and planes.wgsl (it reads F.coeffs).

// Soft skin likelihood from normalised YCbCr. Skin of every tone lies
// close to one hue, the "skin tone line" of a vectorscope: about 54
// degrees from the -Cb axis towards +Cr in this space. The real faces in
// benches/faces sit within 10 degrees of it, while the backdrops around
// them do not: a red curtain is 16 degrees off, yellow drapes and walls
// 25 or more, blue and green backdrops on the far side. So the mask is
// the cosine of the angle to that line, ramped between 18 degrees
// (0.951) and 10 (0.985), times a saturation window (grey, white and
// black are not skin; neither is a vivid orange) and a fade in deep
// shadow, where hair and pupils share skin's hue.
const SKIN_AXIS: vec2<f32> = vec2<f32>(0.5878, 0.8090);

fn skin_mask(c: vec3<f32>) -> f32 {
    return skin_masks(c).x;
}

// (strict, loose): the mask above, and the same with the hue window
// opened to 30 degrees (0.866 .. 0.940), for pixels already inside a
// region the soft mask calls skin, so that a ruddy nose or cheek, redder
// than the skin line, is treated like the face around it. One colour
// conversion serves both.
//
// `c` is in the stream's own matrix (F.coeffs: BT.601 for SD sizes,
// BT.709 for HD); the hue is measured in BT.709's, where the numbers
// above were taken, or the same red curtain would move 15 degrees
// towards skin whenever the canvas is below 720 lines.
fn skin_masks(c: vec3<f32>) -> vec2<f32> {
    let rgb = yuv_to_rgb(c, F.coeffs);
    let y709 = dot(rgb, vec3<f32>(0.2126, 0.7152, 0.0722));
    let v = vec2<f32>((y709 - rgb.b) / 1.8556, (rgb.r - y709) / 1.5748);
    let inv = inverseSqrt(max(dot(v, v), 1e-8));
    let sat = dot(v, v) * inv;
    let along = dot(v, SKIN_AXIS) * inv;
    let chroma = smoothstep(0.03, 0.07, sat) * (1.0 - smoothstep(0.28, 0.36, sat));
    let base = chroma * smoothstep(0.06, 0.2, c.x);
    return base * vec2<f32>(smoothstep(0.951, 0.985, along), smoothstep(0.866, 0.940, along));
}
