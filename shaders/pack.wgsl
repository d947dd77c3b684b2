// Packs canvas pixels into the encoder's byte layout in a storage
// buffer that is copied straight into the readback ring. One invocation
// handles an 8x2 pixel block so every write is a whole u32: 2x2 Y words,
// one U and one V word (I420), two UV words (NV12), four words per row
// (YUY2), or 16 RGBA words.
// Prepended by yuv.wgsl; the file that follows defines
// `pack_src(p) -> vec3<f32>` (pixel p in normalised YCbCr) and the entry
// point calling `pack_block`: pack_work.wgsl reads the working texture,
// direct.wgsl shades the camera frame in place.

// Mirrors `PackUniform` in src/layers/pack.rs.
struct Pack {
    size: vec2<u32>,
    out_format: u32,
    // Y (or RGBA) row stride in u32 words
    stride_words: u32,
    // normalised -> raw: v / scale + off (x,y luma; z,w chroma)
    out_range: vec4<f32>,
    coeffs: vec4<f32>,
    // word offsets of the planes: x = U or UV, y = V; z = 1 for BGR order, w = 1 to force alpha 255
    planes: vec4<u32>,
}

const OUT_I420: u32 = 0u;
const OUT_NV12: u32 = 1u;
const OUT_YUY2: u32 = 2u;

// Group 1, bindings 3 and 4: free in both includers' layouts.
@group(1) @binding(3) var<storage, read_write> outbuf: array<u32>;
@group(1) @binding(4) var<uniform> P: Pack;

// Specialisation (see DYNAMIC in yuv.wgsl): OUT_* code or DYNAMIC.
override OUT_FMT: u32 = 0xffffffffu;

fn out_format() -> u32 {
    return select(P.out_format, OUT_FMT, OUT_FMT != DYNAMIC);
}

// Padding columns/rows (sizes not a multiple of 8x2) repeat the edge.
fn px(x: i32, y: i32) -> vec3<f32> {
    return pack_src(min(vec2<i32>(x, y), vec2<i32>(P.size) - vec2<i32>(1)));
}

fn raw_y(c: vec3<f32>) -> f32 {
    return c.x / P.out_range.y + P.out_range.x;
}

fn raw_c(v: f32) -> f32 {
    return v / P.out_range.w + P.out_range.z;
}

fn raw_c4(v: vec4<f32>) -> vec4<f32> {
    return v / P.out_range.w + P.out_range.z;
}

// Four pixels of a row: raw luma, and Cb/Cr summed per horizontal pair.
struct Quad4 {
    ys: vec4<f32>,
    cb: vec2<f32>,
    cr: vec2<f32>,
}

fn quad4(x: i32, y: i32) -> Quad4 {
    let a = px(x, y);
    let b = px(x + 1, y);
    let c = px(x + 2, y);
    let d = px(x + 3, y);
    return Quad4(vec4<f32>(raw_y(a), raw_y(b), raw_y(c), raw_y(d)),
                 vec2<f32>(a.y + b.y, c.y + d.y), vec2<f32>(a.z + b.z, c.z + d.z));
}

// Packs the 8x2 block `gid` (in blocks).
fn pack_block(gid: vec3<u32>) {
    let fmt = out_format();
    let x0 = i32(gid.x * 8u);
    let y0 = i32(gid.y * 2u);
    if (x0 >= i32(P.size.x) || y0 >= i32(P.size.y)) {
        return;
    }
    if (fmt >= FMT_RGB) {
        for (var r = 0; r < 2; r++) {
            let row = u32(y0 + r) * P.stride_words + u32(x0);
            for (var i = 0; i < 8; i++) {
                let c = yuv_to_rgb(px(x0 + i, y0 + r), P.coeffs);
                let rgb = select(c, c.bgr, P.planes.z == 1u);
                outbuf[row + u32(i)] = pack4x8unorm(vec4<f32>(rgb, 1.0));
            }
        }
        return;
    }
    if (fmt == OUT_YUY2) {
        for (var r = 0; r < 2; r++) {
            let row = u32(y0 + r) * P.stride_words + gid.x * 4u;
            for (var i = 0; i < 4; i++) {
                let a = px(x0 + 2 * i, y0 + r);
                let b = px(x0 + 2 * i + 1, y0 + r);
                outbuf[row + u32(i)] = pack4x8unorm(vec4<f32>(raw_y(a), raw_c((a.y + b.y) * 0.5),
                                                              raw_y(b), raw_c((a.z + b.z) * 0.5)));
            }
        }
        return;
    }
    // 4:2:0, written out without loops or arrays: with the shading
    // inlined the driver does not unroll them, and a dynamically indexed
    // local array becomes per-lane scratch memory on llvmpipe.
    write_420(gid, fmt, quad4(x0, y0), quad4(x0 + 4, y0), quad4(x0, y0 + 1), quad4(x0 + 4, y0 + 1));
}

// Writes the 8x2 block `gid` in I420 or NV12 from its four row quarters
// (t = top row, b = bottom row; 0 = left half, 1 = right half).
fn write_420(gid: vec3<u32>, fmt: u32, t0: Quad4, t1: Quad4, b0: Quad4, b1: Quad4) {
    let row = gid.y * 2u * P.stride_words + gid.x * 2u;
    outbuf[row] = pack4x8unorm(t0.ys);
    outbuf[row + 1u] = pack4x8unorm(t1.ys);
    outbuf[row + P.stride_words] = pack4x8unorm(b0.ys);
    outbuf[row + P.stride_words + 1u] = pack4x8unorm(b1.ys);
    let u = raw_c4((vec4<f32>(t0.cb, t1.cb) + vec4<f32>(b0.cb, b1.cb)) * 0.25);
    let v = raw_c4((vec4<f32>(t0.cr, t1.cr) + vec4<f32>(b0.cr, b1.cr)) * 0.25);
    if (fmt == OUT_I420) {
        let crow = gid.y * (P.stride_words / 2u) + gid.x;
        outbuf[P.planes.x + crow] = pack4x8unorm(u);
        outbuf[P.planes.y + crow] = pack4x8unorm(v);
    } else {
        let crow = gid.y * P.stride_words + gid.x * 2u;
        outbuf[P.planes.x + crow] = pack4x8unorm(vec4<f32>(u.x, v.x, u.y, v.y));
        outbuf[P.planes.x + crow + 1u] = pack4x8unorm(vec4<f32>(u.z, v.z, u.w, v.w));
    }
}
