// The frame pass, used only when layers are composited: shade every
// pixel into the working texture, which the compositor draws onto and
// pack_work.wgsl packs. Without layers the direct pass (direct.wgsl)
// does both in one go. Prepended by yuv.wgsl, planes.wgsl,
// beauty_apply.wgsl, lut.wgsl and shade.wgsl.

@group(1) @binding(3) var work: texture_storage_2d<rgba16float, write>;

@compute @workgroup_size(8, 8)
fn main_pass(@builtin(global_invocation_id) gid: vec3<u32>) {
    if (gid.x >= F.size.x || gid.y >= F.size.y) {
        return;
    }
    let p = vec2<i32>(gid.xy);
    textureStore(work, p, vec4<f32>(shade(p), 1.0));
}
