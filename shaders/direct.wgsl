// The direct pass: with no layers to composite, decode + beauty + LUT
// and packing happen in one dispatch, one 8x2 block per invocation,
// reading the camera's plane textures and writing the encoder's layout
// straight into the output buffer, with no full-resolution working
// texture in between. Compiled per (IN_FMT, OUT_FMT, FX_FLAGS) so the
// unused formats and effects cost nothing (see DYNAMIC in yuv.wgsl).
// Prepended by yuv.wgsl, planes.wgsl, beauty_apply.wgsl, lut.wgsl,
// shade.wgsl and pack.wgsl.

fn pack_src(p: vec2<i32>) -> vec3<f32> {
    return shade(p);
}

@compute @workgroup_size(8, 8)
fn direct(@builtin(global_invocation_id) gid: vec3<u32>) {
    pack_block(gid);
}
