// 3D LUT colour filter: the LUT is a 64^3 RGBA8 volume indexed by
// (r, g, b); hardware trilinear filtering interpolates between nodes.
// Pure function, prepended to shade.wgsl.

fn lut_apply(lut: texture_3d<f32>, samp: sampler, rgb: vec3<f32>, strength: f32) -> vec3<f32> {
    let n = f32(textureDimensions(lut).x);
    // Map [0,1] onto the centres of the first and last texels.
    let coord = (clamp(rgb, vec3<f32>(0.0), vec3<f32>(1.0)) * (n - 1.0) + 0.5) / n;
    let graded = textureSampleLevel(lut, samp, coord, 0.0).rgb;
    return mix(rgb, graded, strength);
}
