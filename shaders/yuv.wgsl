// Shared colour helpers, prepended to every module that reads frames.
//
// Working space: "normalised YCbCr" — Y in [0,1], Cb/Cr in [-0.5,0.5],
// whatever the range (limited/full) of the bytes it came from. The
// conversion to and from RGB is linear with no offset in this space,
// which lets the compositor blend premultiplied overlays in YCbCr and get
// exactly what blending in RGB would give.

const FMT_I420: u32 = 0u;
const FMT_NV12: u32 = 1u;
const FMT_YUY2: u32 = 2u;
const FMT_RGB: u32 = 3u;

// Mirrors `FrameUniform` in src/layers/frame.rs, field for field.
struct Frame {
    size: vec2<u32>,
    in_format: u32,
    flags: u32,
    // raw -> normalised: (v - off) * scale; x,y = luma off/scale, z,w = chroma
    in_range: vec4<f32>,
    // x = Kr, y = Kb
    coeffs: vec4<f32>,
    // x = smoothing amount 0..1, y = eps, z = whitening beta (<=1 off), w = ruddy Cr shift
    beauty: vec4<f32>,
    // x = sharpen amount, y = LUT strength, z = stats downsample factor,
    // w = feature threshold (beauty.wgsl)
    // (the box radius is the RADIUS pipeline constant in beauty.wgsl)
    beauty2: vec4<f32>,
    // x0, x1: canvas columns the main source covers; z, w: source offset
    main_region: vec4<i32>,
}

// Value of a pipeline-overridable constant (IN_FMT, FX_FLAGS, OUT_FMT)
// meaning "not specialised: read the uniform instead".
//
// Why specialise at all: llvmpipe (Mesa 22.3) executes both sides of
// every branch under a lane mask, even when the condition is uniform, so
// a `switch` over formats or an `if` per effect costs as much as the code
// it skips. Compiling one pipeline per (input format, output format,
// effect flags) lets the driver's compiler delete the dead code instead.
const DYNAMIC: u32 = 0xffffffffu;

const FLAG_SMOOTH: u32 = 1u;
const FLAG_WHITEN: u32 = 2u;
const FLAG_RUDDY: u32 = 4u;
const FLAG_SHARPEN: u32 = 8u;
const FLAG_LUT: u32 = 16u;
// The effects that read the statistics pass's texture: smoothing its
// guided filter, whitening and ruddy its soft skin mask.
const FLAG_STATS: u32 = 7u;

fn rgb_to_yuv(rgb: vec3<f32>, k: vec4<f32>) -> vec3<f32> {
    let y = k.x * rgb.r + (1.0 - k.x - k.y) * rgb.g + k.y * rgb.b;
    return vec3<f32>(y, (rgb.b - y) / (2.0 * (1.0 - k.y)), (rgb.r - y) / (2.0 * (1.0 - k.x)));
}

fn yuv_to_rgb(c: vec3<f32>, k: vec4<f32>) -> vec3<f32> {
    let r = c.x + 2.0 * (1.0 - k.x) * c.z;
    let b = c.x + 2.0 * (1.0 - k.y) * c.y;
    let g = (c.x - k.x * r - k.y * b) / (1.0 - k.x - k.y);
    return vec3<f32>(r, g, b);
}

fn raw_to_norm(raw: vec3<f32>, rng: vec4<f32>) -> vec3<f32> {
    return vec3<f32>((raw.x - rng.x) * rng.y, (raw.y - rng.z) * rng.w, (raw.z - rng.z) * rng.w);
}

// Luma of pixel `p` from a 4:2:0 source's Y plane, which is uploaded as
// RGBA8 texels of four horizontal pixels each (input.rs): a quarter of
// the texture fetches, which are what lavapipe spends most on.
fn packed_luma(t0: texture_2d<f32>, p: vec2<i32>) -> f32 {
    return textureLoad(t0, vec2<i32>(p.x >> 2u, p.y), 0)[p.x & 3];
}

// Reads pixel `p` of a frame stored as up to three plane textures and
// returns it in normalised YCbCr. Chroma of subsampled formats is taken
// from the co-sited sample (nearest), so YUV -> YUV repacking is exact.
fn decode(fmt: u32, t0: texture_2d<f32>, t1: texture_2d<f32>, t2: texture_2d<f32>,
          p: vec2<i32>, rng: vec4<f32>, k: vec4<f32>) -> vec3<f32> {
    switch fmt {
        case 0u: {
            let c = p / 2;
            return raw_to_norm(vec3<f32>(packed_luma(t0, p), textureLoad(t1, c, 0).r,
                                         textureLoad(t2, c, 0).r), rng);
        }
        case 1u: {
            let uv = textureLoad(t1, p / 2, 0).rg;
            return raw_to_norm(vec3<f32>(packed_luma(t0, p), uv.x, uv.y), rng);
        }
        case 2u: {
            let t = textureLoad(t0, vec2<i32>(p.x / 2, p.y), 0);
            let y = select(t.r, t.b, (p.x & 1) == 1);
            return raw_to_norm(vec3<f32>(y, t.g, t.a), rng);
        }
        default: {
            return rgb_to_yuv(textureLoad(t0, p, 0).rgb, k);
        }
    }
}

// Luma only: the statistics and sharpen passes need nothing else.
fn decode_luma(fmt: u32, t0: texture_2d<f32>, p: vec2<i32>, rng: vec4<f32>, k: vec4<f32>) -> f32 {
    switch fmt {
        case 0u, 1u: {
            return (packed_luma(t0, p) - rng.x) * rng.y;
        }
        case 2u: {
            let t = textureLoad(t0, vec2<i32>(p.x / 2, p.y), 0);
            return (select(t.r, t.b, (p.x & 1) == 1) - rng.x) * rng.y;
        }
        default: {
            let c = textureLoad(t0, p, 0).rgb;
            return k.x * c.r + (1.0 - k.x - k.y) * c.g + k.y * c.b;
        }
    }
}
