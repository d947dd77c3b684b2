// 3D LUT colour filter: the LUT is a 64^3 RGBA8 volume indexed by
// (r, g, b), interpolated tetrahedrally between its nodes: four texel
// loads per pixel rather than the eight of a trilinear sample, the
// interpolation colour-grading tools use, and exact for a linear LUT
// (so the identity LUT returns its input). Pure function, prepended to
// shade.wgsl.

fn lut_node(lut: texture_3d<f32>, i: vec3<i32>) -> vec3<f32> {
    return textureLoad(lut, i, 0).rgb;
}

fn lut_apply(lut: texture_3d<f32>, rgb: vec3<f32>, strength: f32) -> vec3<f32> {
    let n = i32(textureDimensions(lut).x);
    let x = clamp(rgb, vec3<f32>(0.0), vec3<f32>(1.0)) * f32(n - 1);
    let i0 = min(vec3<i32>(x), vec3<i32>(n - 2));
    let f = x - vec3<f32>(i0);
    // The cube's diagonal splits it into six tetrahedra; which one holds
    // the point follows from the order of f's components. Walk from the
    // near corner along the largest fraction's axis, then the middle's.
    let hi = vec3<f32>(f32(f.r >= f.g && f.r >= f.b), 0.0, 0.0)
           + vec3<f32>(0.0, f32(f.g > f.r && f.g >= f.b), 0.0)
           + vec3<f32>(0.0, 0.0, f32(f.b > f.r && f.b > f.g));
    let lo = vec3<f32>(f32(f.r < f.g && f.r < f.b), 0.0, 0.0)
           + vec3<f32>(0.0, f32(f.g <= f.r && f.g < f.b), 0.0)
           + vec3<f32>(0.0, 0.0, f32(f.b <= f.r && f.b <= f.g));
    let f_hi = dot(f, hi);
    let f_lo = dot(f, lo);
    let f_mid = f.r + f.g + f.b - f_hi - f_lo;
    let graded = (1.0 - f_hi) * lut_node(lut, i0)
               + (f_hi - f_mid) * lut_node(lut, i0 + vec3<i32>(hi))
               + (f_mid - f_lo) * lut_node(lut, i0 + vec3<i32>(vec3<f32>(1.0) - lo))
               + f_lo * lut_node(lut, i0 + vec3<i32>(1));
    return mix(rgb, graded, strength);
}
