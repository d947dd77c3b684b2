// Pack pass over the working texture (after compositing). Prepended by
// yuv.wgsl and pack.wgsl.

@group(0) @binding(0) var work: texture_2d<f32>;

fn pack_src(p: vec2<i32>) -> vec3<f32> {
    return textureLoad(work, p, 0).xyz;
}

@compute @workgroup_size(8, 8)
fn pack(@builtin(global_invocation_id) gid: vec3<u32>) {
    pack_block(gid);
}
