// Draws one layer (an extra video source or an RGBA overlay) as a quad
// onto the working texture, blending premultiplied in normalised YCbCr.
// Prepended by yuv.wgsl.

// Mirrors `LayerUniform` in src/layers/composite.rs.
struct Layer {
    // destination rectangle in NDC: x0, y0, x1, y1
    dst: vec4<f32>,
    // source rectangle in UV: u0, v0, u1, v1
    uv: vec4<f32>,
    kind: u32,
    format: u32,
    opacity: f32,
    _pad0: u32,
    src_size: vec2<f32>,
    _pad1: vec2<f32>,
    in_range: vec4<f32>,
    coeffs: vec4<f32>,
}

const KIND_OVERLAY: u32 = 0u;

@group(0) @binding(0) var<uniform> L: Layer;
@group(0) @binding(1) var t0: texture_2d<f32>;
@group(0) @binding(2) var t1: texture_2d<f32>;
@group(0) @binding(3) var t2: texture_2d<f32>;
@group(0) @binding(4) var samp: sampler;

struct VsOut {
    @builtin(position) pos: vec4<f32>,
    @location(0) uv: vec2<f32>,
}

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> VsOut {
    let corner = vec2<f32>(f32(vi & 1u), f32(vi >> 1u));
    var o: VsOut;
    o.pos = vec4<f32>(mix(L.dst.xy, L.dst.zw, corner), 0.0, 1.0);
    o.uv = mix(L.uv.xy, L.uv.zw, corner);
    return o;
}

@fragment
fn fs(in: VsOut) -> @location(0) vec4<f32> {
    if (L.kind == KIND_OVERLAY) {
        // Premultiplied RGBA; the RGB -> YCbCr map is linear, so the
        // premultiplied colour converts directly.
        let p = textureSampleLevel(t0, samp, in.uv, 0.0);
        return vec4<f32>(rgb_to_yuv(p.rgb, L.coeffs), p.a) * L.opacity;
    }
    let px = clamp(vec2<i32>(floor(in.uv * L.src_size)), vec2<i32>(0), vec2<i32>(L.src_size) - vec2<i32>(1));
    let c = decode(L.format, t0, t1, t2, px, L.in_range, L.coeffs);
    return vec4<f32>(c, 1.0) * L.opacity;
}
