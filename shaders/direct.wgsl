// The direct pass: with no layers to composite, decode + beauty + LUT
// and packing happen in one dispatch, one 8x2 block per invocation,
// reading the camera's plane textures and writing the encoder's layout
// straight into the output buffer, with no full-resolution working
// texture in between. Compiled per (IN_FMT, OUT_FMT, FX_FLAGS) so the
// unused formats and effects cost nothing (see DYNAMIC in yuv.wgsl).
// Prepended by yuv.wgsl, planes.wgsl, beauty_apply.wgsl, lut.wgsl,
// shade.wgsl and pack.wgsl.
//
// The common case, a 4:2:0 camera (NV12, I420) to a 4:2:0 encoder, has a
// block path of its own: each row's eight luma values come from two
// texel loads of the packed Y plane, each of the block's four chroma
// samples is read once instead of once per pixel, and the guided
// filter's (a, b) comes
// from eight texel loads per block, interpolated with weights that are
// constants, instead of one filtered sample per pixel. On lavapipe a
// filtered sample is a long stretch of code per pixel. The processor uses
// this pass only when the main source fills the canvas
// (`main_region` = the whole frame), which the block path relies on.

fn pack_src(p: vec2<i32>) -> vec3<f32> {
    return shade(p);
}

// Both ends 4:2:0 and known when the pipeline was compiled.
fn block_path() -> bool {
    return IN_FMT <= FMT_NV12 && OUT_FMT <= OUT_NV12;
}

// (a, b) around one 8x2 block. The statistics are at 1/4 resolution
// (beauty::FACTOR, asserted in direct.rs), so pixel x of a block starting
// at column 8*bx sits at low-resolution column 2*bx - 0.375 + x/4: the
// block needs columns 2*bx-1 .. 2*bx+2 (c0..c3 below), and both of its
// rows fall between the same two low-resolution rows.
struct AbBlock {
    // (a, b) of columns c0, c1 and of c2, c3, in the upper and lower row.
    top01: vec4<f32>,
    top23: vec4<f32>,
    bot01: vec4<f32>,
    bot23: vec4<f32>,
    // The soft skin mask of columns c0..c3, upper and lower row.
    mtop: vec4<f32>,
    mbot: vec4<f32>,
    // Vertical weight of the lower row, for block rows 0 and 1.
    wy: vec2<f32>,
}

fn ab_load(c: i32, r: i32, dims: vec2<i32>) -> vec3<f32> {
    // Clamped like the sampler's clamp-to-edge.
    return textureLoad(ab_tex, clamp(vec2<i32>(c, r), vec2<i32>(0), dims - vec2<i32>(1)), 0).xyz;
}

fn ab_block(bx: i32, by: i32) -> AbBlock {
    let dims = vec2<i32>(textureDimensions(ab_tex));
    let c0 = 2 * bx - 1;
    // Rows 2*by and 2*by+1 sit at low-resolution rows by/2 - 0.375 + r/4.
    let odd = (by & 1) == 1;
    let r0 = select(by / 2 - 1, by / 2, odd);
    let wy = select(vec2<f32>(0.625, 0.875), vec2<f32>(0.125, 0.375), odd);
    let t0 = ab_load(c0, r0, dims);
    let t1 = ab_load(c0 + 1, r0, dims);
    let t2 = ab_load(c0 + 2, r0, dims);
    let t3 = ab_load(c0 + 3, r0, dims);
    let b0 = ab_load(c0, r0 + 1, dims);
    let b1 = ab_load(c0 + 1, r0 + 1, dims);
    let b2 = ab_load(c0 + 2, r0 + 1, dims);
    let b3 = ab_load(c0 + 3, r0 + 1, dims);
    return AbBlock(
        vec4<f32>(t0.xy, t1.xy), vec4<f32>(t2.xy, t3.xy),
        vec4<f32>(b0.xy, b1.xy), vec4<f32>(b2.xy, b3.xy),
        vec4<f32>(t0.z, t1.z, t2.z, t3.z), vec4<f32>(b0.z, b1.z, b2.z, b3.z),
        wy,
    );
}

// Horizontal interpolation for pixel `i` (0..7, a constant at every call
// site, so the selects fold away): it lies at 0.625 + i/4 columns from c0.
fn ab_row(l01: vec4<f32>, l23: vec4<f32>, i: i32) -> vec2<f32> {
    let k = (i + 2) / 4;
    let w = 0.625 + 0.25 * f32(i) - f32(k);
    let left = select(select(l23.xy, l01.zw, k == 1), l01.xy, k == 0);
    let right = select(select(l23.zw, l23.xy, k == 1), l01.zw, k == 0);
    return mix(left, right, w);
}

// The same for one value per column (the mask).
fn m_row(m: vec4<f32>, i: i32) -> f32 {
    let k = (i + 2) / 4;
    let w = 0.625 + 0.25 * f32(i) - f32(k);
    return mix(m[k], m[k + 1], w);
}

fn ab_px(blk: AbBlock, i: i32, r: i32) -> vec3<f32> {
    let wy = select(blk.wy.x, blk.wy.y, r == 1);
    return vec3<f32>(mix(ab_row(blk.top01, blk.top23, i), ab_row(blk.bot01, blk.bot23, i), wy),
                     mix(m_row(blk.mtop, i), m_row(blk.mbot, i), wy));
}

// Raw (Cb, Cr) of chroma sample `c`.
fn chroma_at(c: vec2<i32>) -> vec2<f32> {
    let q = min(c, vec2<i32>(textureDimensions(in_t1)) - vec2<i32>(1));
    if (IN_FMT == FMT_NV12) {
        return textureLoad(in_t1, q, 0).rg;
    }
    return vec2<f32>(textureLoad(in_t1, q, 0).r, textureLoad(in_t2, q, 0).r);
}

// The luma of one block row: pixels x0..x0+7 as two RGBA8 texels of the
// packed Y plane (see packed_luma in yuv.wgsl).
struct LumaRow {
    left: vec4<f32>,
    right: vec4<f32>,
}

fn luma_row(x0: i32, y: i32) -> LumaRow {
    let last = vec2<i32>(textureDimensions(in_t0)) - vec2<i32>(1);
    let t = vec2<i32>(x0 >> 2u, min(y, last.y));
    return LumaRow(textureLoad(in_t0, t, 0), textureLoad(in_t0, min(t + vec2<i32>(1, 0), last), 0));
}

// Pixel `i` of a block row. Past the frame's right edge the last pixel
// repeats (what px() does on the per-pixel path); inside, `k` is just
// `i`, a constant.
fn luma_pick(row: LumaRow, i: i32, x0: i32) -> f32 {
    let k = min(i, i32(F.size.x) - 1 - x0);
    return select(row.left[k & 3], row.right[k & 3], k >= 4);
}

// Pixel `i` of row `r` of the block at (x0, y0), shaded, given its raw
// luma and chroma. Padding pixels (past the frame's edge) repeat the edge.
fn block_px(x0: i32, y0: i32, i: i32, r: i32, luma: f32, cbcr: vec2<f32>, blk: AbBlock) -> vec3<f32> {
    let p = min(vec2<i32>(x0 + i, y0 + r), vec2<i32>(F.size) - vec2<i32>(1));
    let c = raw_to_norm(vec3<f32>(luma, cbcr.x, cbcr.y), F.in_range);
    var ab = vec3<f32>(1.0, 0.0, 0.0);
    if ((fx_flags() & FLAG_STATS) != 0u) {
        ab = ab_px(blk, i, r);
    }
    return shade_decoded(c, p, ab);
}

// Pixels i0..i0+3 of row r, whose chroma samples are ch_a and ch_b.
fn block_quad4(x0: i32, y0: i32, i0: i32, r: i32, row: LumaRow, ch_a: vec2<f32>, ch_b: vec2<f32>, blk: AbBlock) -> Quad4 {
    let a = block_px(x0, y0, i0, r, luma_pick(row, i0, x0), ch_a, blk);
    let b = block_px(x0, y0, i0 + 1, r, luma_pick(row, i0 + 1, x0), ch_a, blk);
    let c = block_px(x0, y0, i0 + 2, r, luma_pick(row, i0 + 2, x0), ch_b, blk);
    let d = block_px(x0, y0, i0 + 3, r, luma_pick(row, i0 + 3, x0), ch_b, blk);
    return Quad4(vec4<f32>(raw_y(a), raw_y(b), raw_y(c), raw_y(d)),
                 vec2<f32>(a.y + b.y, c.y + d.y), vec2<f32>(a.z + b.z, c.z + d.z));
}

fn block_420(gid: vec3<u32>) {
    let x0 = i32(gid.x * 8u);
    let y0 = i32(gid.y * 2u);
    if (x0 >= i32(P.size.x) || y0 >= i32(P.size.y)) {
        return;
    }
    let c = vec2<i32>(x0 / 2, y0 / 2);
    let ch0 = chroma_at(c);
    let ch1 = chroma_at(c + vec2<i32>(1, 0));
    let ch2 = chroma_at(c + vec2<i32>(2, 0));
    let ch3 = chroma_at(c + vec2<i32>(3, 0));
    var blk = AbBlock(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0),
                      vec4<f32>(0.0), vec4<f32>(0.0), vec2<f32>(0.0));
    if ((fx_flags() & FLAG_STATS) != 0u) {
        blk = ab_block(i32(gid.x), i32(gid.y));
    }
    let top = luma_row(x0, y0);
    let bottom = luma_row(x0, y0 + 1);
    write_420(gid, out_format(),
              block_quad4(x0, y0, 0, 0, top, ch0, ch1, blk), block_quad4(x0, y0, 4, 0, top, ch2, ch3, blk),
              block_quad4(x0, y0, 0, 1, bottom, ch0, ch1, blk), block_quad4(x0, y0, 4, 1, bottom, ch2, ch3, blk));
}

@compute @workgroup_size(8, 8)
fn direct(@builtin(global_invocation_id) gid: vec3<u32>) {
    if (block_path()) {
        block_420(gid);
    } else {
        pack_block(gid);
    }
}
