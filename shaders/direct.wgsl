// The direct pass: with no layers to composite, decode + beauty + LUT
// and packing happen in one dispatch, one 8x2 block per invocation,
// reading the camera's planes from a storage buffer and writing the
// encoder's layout straight into the output buffer. No working texture:
// on llvmpipe the full-resolution RGBA16F store/load round trip and the
// per-pixel invocations were most of the frame's cost.
// Prepended by yuv.wgsl, planes.wgsl, beauty_apply.wgsl, lut.wgsl,
// shade.wgsl and pack.wgsl.

fn pack_src(p: vec2<i32>) -> vec3<f32> {
    return shade(p);
}

@compute @workgroup_size(8, 8)
fn direct(@builtin(global_invocation_id) gid: vec3<u32>) {
    pack_block(gid);
}
