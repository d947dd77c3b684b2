//! Font discovery (fontdb) and simple text layout (ab_glyph) for the
//! product card.
//!
//! [`FontSet::discover`] scans the system font directories once and
//! picks two chains, regular and bold, each "CJK sans-serif face, then
//! Latin sans-serif face". The chosen files are memory-mapped, not read
//! into the heap (Noto Sans CJK is about 20 MB per weight). A character
//! neither chain covers is looked up in every other installed face on
//! first use and the answer is cached, so an installed font is always
//! used before a character is dropped.
//!
//! Layout is per character: the first face in the chain with a glyph
//! for it, real advances, and `kern`-table kerning between neighbours
//! from the same face (ab_glyph does not apply GPOS). There is no
//! complex shaping; Latin and Han text need none.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use fontdb::{Database, Family, ID, Query, Style};
use parking_lot::Mutex;

use super::canvas::{Canvas, Rgba};
use crate::error::GpuError;

/// CJK sans-serif families, in order of preference (Simplified Chinese
/// first). Debian/Ubuntu: `fonts-noto-cjk`.
const CJK_FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "PingFang SC",
    "Microsoft YaHei",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
];

/// Latin sans-serif families, in order of preference. Debian/Ubuntu:
/// `fonts-dejavu-core`.
const LATIN_FAMILIES: &[&str] = &[
    "DejaVu Sans",
    "Noto Sans",
    "Liberation Sans",
    "Arial",
    "Helvetica",
    "Roboto",
    "Open Sans",
    "Cantarell",
    "Ubuntu",
];

/// A face must draw all of these to count as a CJK face.
const CJK_PROBE: &str = "手表库存讲解中";
/// ... and these to count as a Latin face.
const LATIN_PROBE: &str = "Aa09";

/// Font weight used by a piece of card text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn fontdb(self) -> fontdb::Weight {
        match self {
            Weight::Regular => fontdb::Weight::NORMAL,
            Weight::Bold => fontdb::Weight::BOLD,
        }
    }
}

/// One face of a memory-mapped font file (a `.ttc` holds several).
pub(super) struct Face {
    data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    index: u32,
    /// The family name and weight, for logs and tests.
    pub(super) name: String,
}

impl Face {
    /// Parses the face. Cheap (table directory and cmap lookup only),
    /// and checked once when the face was mapped.
    fn font(&self) -> Option<FontRef<'_>> {
        FontRef::try_from_slice_and_index((*self.data).as_ref(), self.index).ok()
    }
}

/// Characters the chains lack, and which other face draws each.
struct Fallback {
    db: Database,
    /// Every face, most suitable for a fallback first.
    order: Vec<ID>,
    by_char: HashMap<(char, Weight), Option<Arc<Face>>>,
    mapped: HashMap<ID, Arc<Face>>,
}

impl Fallback {
    /// Maps the file behind `id` (once per file) and checks it parses.
    fn face(&mut self, id: ID) -> Option<Arc<Face>> {
        if let Some(f) = self.mapped.get(&id) {
            return Some(f.clone());
        }
        let name = face_name(&self.db, id);
        // SAFETY: fontdb memory-maps the font file. Installed fonts are
        // not rewritten in place while the studio runs (package managers
        // replace files by renaming, which keeps the mapped inode
        // valid); the alternative, reading ~20 MB per CJK weight onto
        // the heap, costs far more memory.
        let (data, index) = unsafe { self.db.make_shared_face_data(id) }?;
        let face = Arc::new(Face { data, index, name });
        face.font()?;
        self.mapped.insert(id, face.clone());
        Some(face)
    }

    /// The best face outside the chains that draws `c`, cached.
    fn covering(&mut self, c: char, weight: Weight) -> Option<Arc<Face>> {
        if let Some(hit) = self.by_char.get(&(c, weight)) {
            return hit.clone();
        }
        let found = self
            .order
            .iter()
            .copied()
            .find(|&id| draws(&self.db, id, &c.to_string()))
            .map(|id| {
                // Prefer the same family's face of the wanted weight.
                let family = family_of(&self.db, id);
                match query(&self.db, &family, weight) {
                    Some(w) if w != id && draws(&self.db, w, &c.to_string()) => w,
                    _ => id,
                }
            })
            .and_then(|id| self.face(id));
        match &found {
            Some(f) => {
                tracing::debug!(char = %c.escape_unicode(), face = %f.name, "product card: fallback face")
            }
            None => {
                tracing::debug!(char = %c.escape_unicode(), "product card: no installed font draws this character; it is left out")
            }
        }
        self.by_char.insert((c, weight), found.clone());
        found
    }
}

/// The card's fonts, found once per process (see [`super::CardRenderer::new`]).
pub(super) struct FontSet {
    regular: Vec<Arc<Face>>,
    bold: Vec<Arc<Face>>,
    fallback: Mutex<Fallback>,
    /// [`FontSet::families`], listed on first use: it parses every face.
    families: std::sync::OnceLock<Vec<String>>,
}

impl FontSet {
    /// Scans the system font directories and picks the chains. Reads
    /// every installed face's name table (milliseconds for a few dozen
    /// faces, more on a cold disk or with hundreds), so it runs once per
    /// process.
    pub(super) fn discover() -> Result<Self, GpuError> {
        let started = Instant::now();
        let mut db = Database::new();
        db.load_system_fonts();
        let cjk = named(&db, CJK_FAMILIES, CJK_PROBE).or_else(|| any_drawing(&db, CJK_PROBE));
        let latin =
            named(&db, LATIN_FAMILIES, LATIN_PROBE).or_else(|| any_drawing(&db, LATIN_PROBE));
        let families: Vec<String> = cjk.into_iter().chain(latin).fold(Vec::new(), |mut v, f| {
            if !v.contains(&f) {
                v.push(f);
            }
            v
        });
        if families.is_empty() {
            return Err(GpuError::Font(format!(
                "looked for a CJK sans-serif font ({}; Debian package fonts-noto-cjk), \
                 then any font drawing {CJK_PROBE:?}, then a sans-serif font ({}; \
                 Debian package fonts-dejavu-core), then any non-serif font drawing \
                 {LATIN_PROBE:?}, among the {} faces in the system font directories",
                CJK_FAMILIES[..3].join(", "),
                LATIN_FAMILIES[..3].join(", "),
                db.len(),
            )));
        }
        let mut order: Vec<ID> = db.faces().map(|f| f.id).collect();
        order.sort_by_key(|&id| db.face(id).map(fallback_rank));
        let mut fallback = Fallback {
            db,
            order,
            by_char: HashMap::new(),
            mapped: HashMap::new(),
        };
        let mut chain = |weight: Weight| -> Vec<Arc<Face>> {
            let ids: Vec<ID> = families
                .iter()
                .filter_map(|family| query(&fallback.db, family, weight))
                .collect();
            ids.into_iter().filter_map(|id| fallback.face(id)).collect()
        };
        let (regular, bold) = (chain(Weight::Regular), chain(Weight::Bold));
        if regular.is_empty() || bold.is_empty() {
            return Err(GpuError::Font(format!(
                "found {families:?} but could not map or parse their files"
            )));
        }
        let names = |c: &[Arc<Face>]| c.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        tracing::info!(
            regular = ?names(&regular),
            bold = ?names(&bold),
            faces = fallback.db.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "product card fonts loaded"
        );
        Ok(FontSet {
            regular,
            bold,
            fallback: Mutex::new(fallback),
            families: std::sync::OnceLock::new(),
        })
    }

    fn chain(&self, weight: Weight) -> &[Arc<Face>] {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Faces outside the chains for the characters of `texts` that the
    /// chains cannot draw. The first call for a new character searches
    /// every installed face; later calls hit a cache.
    pub(super) fn fallbacks(&self, texts: &[(&str, Weight)]) -> Vec<(Weight, Arc<Face>)> {
        let mut out: Vec<(Weight, Arc<Face>)> = Vec::new();
        for &(text, weight) in texts {
            let chain: Vec<FontRef<'_>> =
                self.chain(weight).iter().filter_map(|f| f.font()).collect();
            for c in text.chars().filter(|&c| visible(c)) {
                if chain.iter().any(|f| f.glyph_id(c).0 != 0) {
                    continue;
                }
                let Some(face) = self.fallback.lock().covering(c, weight) else {
                    continue;
                };
                if !out
                    .iter()
                    .any(|(w, f)| *w == weight && Arc::ptr_eq(f, &face))
                {
                    out.push((weight, face));
                }
            }
        }
        out
    }

    /// The face of installed `family` closest to `weight`, mapped once;
    /// `None` when no such family is installed.
    pub(super) fn family_face(&self, family: &str, weight: Weight) -> Option<Arc<Face>> {
        let mut fallback = self.fallback.lock();
        let id = query(&fallback.db, family, weight)?;
        fallback.face(id)
    }

    /// Every installed family that draws Latin or Chinese text (symbol
    /// and colour-emoji fonts are left out), sorted, each once.
    pub(super) fn families(&self) -> &[String] {
        self.families.get_or_init(|| {
            let fallback = self.fallback.lock();
            let db = &fallback.db;
            let mut out: Vec<String> = db
                .faces()
                .filter(|f| draws(db, f.id, "A") || draws(db, f.id, "中"))
                .filter_map(|f| f.families.first().map(|(name, _)| name.clone()))
                .collect();
            out.sort_by_key(|n| n.to_lowercase());
            out.dedup();
            out
        })
    }

    /// The chains' face names, regular then bold.
    #[cfg(test)]
    pub(super) fn names(&self) -> (Vec<String>, Vec<String>) {
        let n = |c: &[Arc<Face>]| c.iter().map(|f| f.name.clone()).collect();
        (n(&self.regular), n(&self.bold))
    }

    /// The glyph id the first regular face gives `c` (0 = none).
    #[cfg(test)]
    pub(super) fn primary_glyph(&self, c: char, weight: Weight) -> u16 {
        self.chain(weight)[0].font().map_or(0, |f| f.glyph_id(c).0)
    }
}

/// The family's face closest to `weight` (upright, normal width).
fn query(db: &Database, family: &str, weight: Weight) -> Option<ID> {
    db.query(&Query {
        families: &[Family::Name(family)],
        weight: weight.fontdb(),
        ..Query::default()
    })
}

fn family_of(db: &Database, id: ID) -> String {
    db.face(id)
        .and_then(|f| f.families.first())
        .map(|(name, _)| name.clone())
        .unwrap_or_default()
}

fn face_name(db: &Database, id: ID) -> String {
    let weight = db.face(id).map_or(0, |f| f.weight.0);
    format!("{} {weight}", family_of(db, id))
}

/// True when face `id` has outlines for every character of `text`
/// (a colour-bitmap face such as Noto Color Emoji does not count).
fn draws(db: &Database, id: ID, text: &str) -> bool {
    db.with_face_data(id, |data, index| {
        FontRef::try_from_slice_and_index(data, index).is_ok_and(|f| {
            text.chars().all(|c| {
                let g = f.glyph_id(c);
                g.0 != 0 && f.outline(g).is_some()
            })
        })
    })
    .unwrap_or(false)
}

/// The first of `families` that is installed and draws `probe`.
fn named(db: &Database, families: &[&str], probe: &str) -> Option<String> {
    families
        .iter()
        .find(|family| query(db, family, Weight::Regular).is_some_and(|id| draws(db, id, probe)))
        .map(|f| (*f).to_owned())
}

/// The family of the most suitable face drawing `probe`, if any.
fn any_drawing(db: &Database, probe: &str) -> Option<String> {
    let mut faces: Vec<&fontdb::FaceInfo> = db.faces().collect();
    faces.sort_by_key(|f| fallback_rank(f));
    faces
        .into_iter()
        .filter(|f| !f.monospaced && f.style == Style::Normal)
        .find(|f| draws(db, f.id, probe))
        .map(|f| family_of(db, f.id))
}

/// Lower is better: upright, proportional, sans-serif, near regular.
fn fallback_rank(f: &fontdb::FaceInfo) -> (bool, bool, bool, u16) {
    let name = f
        .families
        .first()
        .map(|(n, _)| n.to_lowercase())
        .unwrap_or_default();
    let serif = name.contains("serif") && !name.contains("sans");
    (
        f.style != Style::Normal,
        f.monospaced || name.contains("mono"),
        serif,
        f.weight.0.abs_diff(400),
    )
}

/// False for characters that draw nothing and need no font: controls,
/// zero-width marks, variation selectors, byte-order marks.
fn visible(c: char) -> bool {
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'))
}

/// One laid-out character.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shaped {
    pub ch: char,
    font: usize,
    id: GlyphId,
    pub advance: f32,
    /// Kerning against the previous glyph (ignored at a line start).
    pub kern: f32,
}

/// Width of a run laid out from its first glyph.
pub(super) fn width(run: &[Shaped]) -> f32 {
    run.iter()
        .enumerate()
        .map(|(i, g)| g.advance + if i > 0 { g.kern } else { 0.0 })
        .sum()
}

/// The parsed faces for one render: the chains plus any fallbacks.
pub(super) struct Fonts<'a> {
    fonts: Vec<FontRef<'a>>,
    regular: Vec<usize>,
    bold: Vec<usize>,
}

impl<'a> Fonts<'a> {
    /// The chains, each after the `first` faces of its weight (a text
    /// layer's chosen font), then `extra` fallbacks.
    pub(super) fn new(
        set: &'a FontSet,
        first: &'a [(Weight, Arc<Face>)],
        extra: &'a [(Weight, Arc<Face>)],
    ) -> Self {
        let mut fonts = Vec::new();
        let mut regular = Vec::new();
        let mut bold = Vec::new();
        let all = first
            .iter()
            .map(|(w, f)| (*w, f))
            .chain(set.regular.iter().map(|f| (Weight::Regular, f)))
            .chain(set.bold.iter().map(|f| (Weight::Bold, f)))
            .chain(extra.iter().map(|(w, f)| (*w, f)));
        for (weight, face) in all {
            if let Some(font) = face.font() {
                match weight {
                    Weight::Regular => regular.push(fonts.len()),
                    Weight::Bold => bold.push(fonts.len()),
                }
                fonts.push(font);
            }
        }
        Fonts {
            fonts,
            regular,
            bold,
        }
    }

    /// `em` pixels per em, whatever the face's ascent/descent.
    fn scale(&self, font: usize, em: f32) -> PxScale {
        let f = &self.fonts[font];
        let upem = f.units_per_em().unwrap_or(1000.0);
        PxScale::from(em * f.height_unscaled() / upem)
    }

    fn pick(&self, weight: Weight, c: char) -> Option<(usize, GlyphId)> {
        let chain = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        chain.iter().find_map(|&i| {
            let id = self.fonts[i].glyph_id(c);
            (id.0 != 0).then_some((i, id))
        })
    }

    /// Lays `text` out on one line. Whitespace and line breaks become
    /// spaces; characters no installed font draws are left out.
    pub(super) fn shape(&self, text: &str, weight: Weight, em: f32) -> Vec<Shaped> {
        let mut out = Vec::with_capacity(text.len());
        let mut prev: Option<(usize, GlyphId)> = None;
        for c in text.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c != ' ' && !visible(c) {
                continue;
            }
            let Some((font, id)) = self.pick(weight, c) else {
                continue;
            };
            let sf = self.fonts[font].as_scaled(self.scale(font, em));
            let kern = match prev {
                Some((pf, pid)) if pf == font => sf.kern(pid, id),
                _ => 0.0,
            };
            out.push(Shaped {
                ch: c,
                font,
                id,
                advance: sf.h_advance(id),
                kern,
            });
            prev = Some((font, id));
        }
        out
    }

    /// Draws `run` with its first glyph's origin at (`x`, `baseline`).
    /// Returns the pen position after the last glyph.
    pub(super) fn draw(
        &self,
        canvas: &mut Canvas,
        run: &[Shaped],
        em: f32,
        x: f32,
        baseline: f32,
        color: Rgba,
    ) -> f32 {
        self.cover(run, em, x, baseline, |px, py, coverage| {
            canvas.blend(px, py, color, coverage)
        })
    }

    /// Like [`Fonts::draw`], but hands each covered pixel and its
    /// coverage (0-1) to `plot` instead of painting it.
    pub(super) fn cover(
        &self,
        run: &[Shaped],
        em: f32,
        x: f32,
        baseline: f32,
        mut plot: impl FnMut(i32, i32, f32),
    ) -> f32 {
        let mut pen = x;
        for (i, g) in run.iter().enumerate() {
            if i > 0 {
                pen += g.kern;
            }
            let font = &self.fonts[g.font];
            let glyph =
                g.id.with_scale_and_position(self.scale(g.font, em), point(pen, baseline));
            if let Some(outlined) = font.outline_glyph(glyph) {
                let b = outlined.px_bounds();
                let (x0, y0) = (b.min.x as i32, b.min.y as i32);
                outlined.draw(|gx, gy, coverage| plot(x0 + gx as i32, y0 + gy as i32, coverage));
            }
            pen += g.advance;
        }
        pen
    }
}
