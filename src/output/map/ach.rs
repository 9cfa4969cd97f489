//! `ach.png`: the competing-hypotheses matrix as a heat map. A row per claim (evidence), a column
//! per account (hypothesis); a cell's colour is its verdict, its shade and number the share of the
//! account's realizations that bear the claim out. Rows run from the most diagnostic claim to the
//! least; a claim that scores the same under every account has a grey label. The bottom rows give
//! each hypothesis's inconsistency score, unweighted and weighted by credibility and relevance.
//! Past [`MAX_ROWS`] claims the picture shows that many, the most diagnostic, and says how many
//! more are in `ach.csv`: a picture must stay a size a viewer can open.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::wrap;
use super::style::{MUTED, TEXT};
use super::{RenderError, Size};
use crate::check::{Check, Verdict};

const CONSISTENT: RGBColor = RGBColor(26, 152, 80);
const NOT_RULED_OUT: RGBColor = RGBColor(150, 150, 150);
const INCONSISTENT: RGBColor = RGBColor(240, 140, 50);
const IMPOSSIBLE: RGBColor = RGBColor(60, 20, 70);

/// The cell colour: the verdict's colour, paler the weaker the evidence.
fn fill(v: Verdict, p: f64) -> RGBColor {
    let (c, strength) = match v {
        Verdict::Consistent => (CONSISTENT, 0.35 + 0.65 * p),
        Verdict::NotRuledOut => (NOT_RULED_OUT, 0.6),
        Verdict::Inconsistent => (INCONSISTENT, 0.35 + 0.65 * (1.0 - p)),
        Verdict::Impossible => (IMPOSSIBLE, 1.0),
    };
    let mix = |a: u8| (a as f64 * strength + 255.0 * (1.0 - strength)).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// White text on dark cells, dark text on pale ones.
fn ink(c: RGBColor) -> RGBColor {
    let luma = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if luma < 140.0 { WHITE } else { TEXT }
}

/// The most claims the heat map draws (its height is then about 6,300 px at the default width).
pub const MAX_ROWS: usize = 120;

/// The claims drawn, in their order: the most diagnostic first (Heuer sorts the matrix so), in
/// claim order among equals, at most [`MAX_ROWS`].
fn shown(diagnosticity: &[f64]) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..diagnosticity.len()).collect();
    rows.sort_by(|&a, &b| {
        diagnosticity[b]
            .total_cmp(&diagnosticity[a])
            .then(a.cmp(&b))
    });
    rows.truncate(MAX_ROWS);
    rows
}

/// Each drawn claim's row label: its source, then the claim's words, whole.
fn claim_labels(check: &Check, rows: &[usize]) -> Vec<String> {
    rows.iter()
        .map(|&c| {
            let sc = &check.claims[c];
            format!(
                "{}: {} [credibility {}, relevance {}]",
                check.accounts[sc.account].source,
                sc.claim.says,
                sc.credibility.level,
                sc.claim.relevance
            )
        })
        .collect()
}

/// `text` wrapped to `width` px at `size`.
fn wrapped<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
    width: i32,
) -> Vec<String> {
    wrap(
        root,
        text,
        &("sans-serif", size).into_font().color(&TEXT),
        width,
    )
}

/// The type size of the rows and each row's height: every label wrapped whole, rows at least
/// `min` high (more where a label takes more lines), all within `room`; the type shrinks until
/// they fit (to 9 px, when there are very many claims).
fn row_heights<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: &[String],
    (room, min, max): (i32, i32, i32),
    width: i32,
) -> (f64, Vec<i32>) {
    let n = labels.len().max(1) as i32 + 1;
    let base = (room / n).clamp(min, max);
    let mut size = (base as f64 * 0.55).clamp(9.0, 15.0 * max as f64 / 60.0);
    loop {
        let line_h = (size * 1.25).round() as i32;
        let heights: Vec<i32> = labels
            .iter()
            .map(|l| base.max(wrapped(root, l, size, width).len() as i32 * line_h + 8))
            .collect();
        if heights.iter().sum::<i32>() + base <= room || size <= 9.0 {
            return (size, heights);
        }
        size = (size - 1.0).max(9.0);
    }
}

/// Where the grid stands and how large things are drawn.
#[derive(Clone, Copy)]
struct Grid {
    /// Of the default 1800×1100 px: lengths and type grow and shrink with the picture.
    scale: f64,
    /// The grid's left edge (the labels end just before it) and a column's width.
    left: i32,
    col_w: i32,
}

impl Grid {
    fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    fn font(&self, s: f64) -> f64 {
        s * self.scale
    }
}

/// The cells of claim `c`'s row: colour by verdict, the share, a frame on the source's own account.
fn judgement_cells<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    check: &Check,
    c: usize,
    (y, row_h): (i32, i32),
    (g, cell_font): (Grid, f64),
) -> Result<(), RenderError> {
    let err = RenderError::from;
    for a in 0..check.accounts.len() {
        let j = check.judgement(c, a);
        let x = g.left + a as i32 * g.col_w;
        let colour = fill(j.verdict, j.probability);
        root.draw(&Rectangle::new(
            [(x + 1, y + 1), (x + g.col_w - 1, y + row_h - 1)],
            colour.filled(),
        ))
        .map_err(err)?;
        if check.claims[c].account == a {
            root.draw(&Rectangle::new(
                [(x + 2, y + 2), (x + g.col_w - 2, y + row_h - 2)],
                TEXT.stroke_width(g.px(2.0).max(1) as u32),
            ))
            .map_err(err)?;
        }
        let text = match j.verdict {
            Verdict::Impossible => "impossible".to_string(),
            _ => format!("{:.0}%", j.probability * 100.0),
        };
        root.draw(&Text::new(
            text,
            (x + g.col_w / 2, y + row_h / 2),
            ("sans-serif", cell_font.min(g.font(15.0)))
                .into_font()
                .color(&ink(colour))
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// A bottom row: a score per hypothesis with its rank (ties share a rank), under `label`.
fn score_row<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    label: &str,
    (scores, places): (&[f64], usize),
    (y, row_h): (i32, i32),
    (g, cell_font): (Grid, f64),
) -> Result<(), RenderError> {
    let err = RenderError::from;
    let bold = ("sans-serif", cell_font, FontStyle::Bold)
        .into_font()
        .color(&TEXT);
    root.draw(&Text::new(
        label.to_string(),
        (g.left - g.px(10.0), y + row_h / 2),
        bold.pos(Pos::new(HPos::Right, VPos::Center)),
    ))
    .map_err(err)?;
    for (a, score) in scores.iter().enumerate() {
        let rank = 1 + scores.iter().filter(|&&other| other < *score).count();
        let x = g.left + a as i32 * g.col_w;
        root.draw(&Rectangle::new(
            [(x + 1, y + 3), (x + g.col_w - 1, y + row_h - 1)],
            RGBColor(235, 235, 235).filled(),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            format!("{score:.places$} (#{rank})"),
            (x + g.col_w / 2, y + row_h / 2),
            bold.pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The key to the colours, along the bottom, and what the frames, grey labels and scores mean.
fn key<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (margin, h): (i32, i32),
    g: Grid,
) -> Result<(), RenderError> {
    let err = RenderError::from;
    let ly = h - margin - g.px(30.0);
    let mut x = margin;
    let key = [
        (
            fill(Verdict::Consistent, 1.0),
            "consistent (≥ 50% of realizations)",
        ),
        (
            fill(Verdict::NotRuledOut, 1.0),
            "not ruled out (only by those lost track of)",
        ),
        (
            fill(Verdict::Inconsistent, 0.0),
            "inconsistent (possible, < 50%)",
        ),
        (
            fill(Verdict::Impossible, 0.0),
            "impossible under the account's events",
        ),
    ];
    for (colour, label) in key {
        root.draw(&Rectangle::new(
            [(x, ly), (x + g.px(26.0), ly + g.px(20.0))],
            colour.filled(),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            label,
            (x + g.px(34.0), ly + g.px(10.0)),
            ("sans-serif", g.font(16.0))
                .into_font()
                .color(&TEXT)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        x += g.px(420.0);
    }
    root.draw(&Text::new(
        "framed: the source's own account · rows: most diagnostic first; grey label: the same score under every account (not diagnostic) · score: inconsistent 1, impossible 2 · weighted: × credibility × relevance (high 1.41, medium 1, low 0.71 each)",
        (margin, ly + g.px(34.0)),
        ("sans-serif", g.font(14.0)).into_font().color(&MUTED),
    ))
    .map_err(err)?;
    Ok(())
}

/// Account titles over their columns, wrapped to the column and bottom-aligned on `bottom`.
fn column_heads<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    heads: &[Vec<String>],
    bottom: i32,
    (g, line_h): (Grid, i32),
) -> Result<(), RenderError> {
    let style = ("sans-serif", g.font(15.0), FontStyle::Bold)
        .into_font()
        .color(&TEXT)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    for (a, lines) in heads.iter().enumerate() {
        let x = g.left + a as i32 * g.col_w + g.col_w / 2;
        let n = lines.len() as i32;
        for (k, line) in lines.iter().enumerate() {
            let y = bottom - (n - 1 - k as i32) * line_h;
            root.draw(&Text::new(line.clone(), (x, y), style.clone()))
                .map_err(RenderError::from)?;
        }
    }
    Ok(())
}

/// A claim's label, its lines right-aligned before the grid and centred in the row.
fn claim_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    lines: &[String],
    (y, row_h): (i32, i32),
    style: TextStyle<'_>,
    (g, line_h): (Grid, i32),
) -> Result<(), RenderError> {
    let block = lines.len() as i32 * line_h;
    for (k, line) in lines.iter().enumerate() {
        let ly = y + (row_h - block) / 2 + k as i32 * line_h;
        root.draw(&Text::new(
            line.clone(),
            (g.left - g.px(10.0), ly),
            style.pos(Pos::new(HPos::Right, VPos::Top)),
        ))
        .map_err(RenderError::from)?;
    }
    Ok(())
}

pub(super) fn ach<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    check: &Check,
    size: Size,
) -> Result<(), RenderError> {
    let err = RenderError::from;
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = (size.width as i32, size.height as i32);
    let scale = (w as f64 / 1800.0).min(h as f64 / 1100.0).clamp(0.45, 3.0);
    let px = |v: f64| (v * scale).round() as i32;
    let font = |s: f64| s * scale;
    let margin = px(30.0);

    root.draw(&Text::new(
        "Competing hypotheses: every source's claims against every account",
        (margin, margin),
        ("sans-serif", font(28.0), FontStyle::Bold)
            .into_font()
            .color(&TEXT),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        format!(
            "Rows: what each source claims (evidence). Columns: each account as a hypothesis of where the convoy ended up. \
             Cell: share of {} realizations that bear the claim out.",
            check.runs
        ),
        (margin, margin + px(40.0)),
        ("sans-serif", font(17.0)).into_font().color(&MUTED),
    ))
    .map_err(err)?;

    let ach = check.ach();
    let rows = shown(&ach.diagnosticity);
    let label_w = (w as f64 * 0.36) as i32;
    let g = Grid {
        scale,
        left: margin + label_w,
        col_w: (w - label_w - 2 * margin) / check.accounts.len().max(1) as i32,
    };
    let head_style = ("sans-serif", font(15.0), FontStyle::Bold)
        .into_font()
        .color(&TEXT);
    let heads: Vec<Vec<String>> = check
        .accounts
        .iter()
        .map(|acc| wrap(root, &acc.title, &head_style, g.col_w - px(8.0)))
        .collect();
    let head_line = (font(15.0) * 1.25).round() as i32;
    let head_lines = heads.iter().map(Vec::len).max().unwrap_or(1) as i32;
    let top = margin + px(80.0) + head_lines * head_line;
    column_heads(root, &heads, top - px(8.0), (g, head_line))?;

    let labels = claim_labels(check, &rows);
    // Below the rows: two score rows and the key.
    let room = (h - top - px(130.0) - margin, px(14.0), px(60.0));
    let (cell_font, heights) = row_heights(root, &labels, room, label_w - px(10.0));
    let line_h = (cell_font * 1.25).round() as i32;
    let mut y = top;
    for ((label, &c), &row_h) in labels.iter().zip(&rows).zip(&heights) {
        let colour = if ach.diagnostic[c] { TEXT } else { MUTED };
        let style = ("sans-serif", cell_font).into_font().color(&colour);
        let lines = wrapped(root, label, cell_font, label_w - px(10.0));
        claim_label(root, &lines, (y, row_h), style, (g, line_h))?;
        judgement_cells(root, check, c, (y, row_h), (g, cell_font))?;
        y += row_h;
    }
    let row_h = heights.iter().copied().min().unwrap_or(0).max(px(30.0));
    let hidden = check.claims.len() - rows.len();
    let label = if hidden == 0 {
        "inconsistency score (rank)".to_string()
    } else {
        format!("score over all claims (rank); {hidden} more claims in ach.csv")
    };
    score_row(root, &label, (&ach.scores, 0), (y, row_h), (g, cell_font))?;
    score_row(
        root,
        "weighted by credibility × relevance (rank)",
        (&ach.weighted, 2),
        (y + row_h, row_h),
        (g, cell_font),
    )?;
    key(root, (margin, h), g)
}
