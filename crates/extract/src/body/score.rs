//! Readability-style scoring: each paragraph gives points (length, commas)
//! to its ancestors; a candidate's score is scaled by `1 - link density`.

use super::analysis::Analysis;
use crate::dom::Tag;

/// Readability-style candidate scores.
pub(super) fn score(an: &Analysis<'_, '_>) -> Vec<Option<f64>> {
    let dom = an.dom;
    let mut scores: Vec<Option<f64>> = vec![None; dom.len()];
    let init = |i: usize| -> f64 {
        let base = match dom.tag(i) {
            Tag::Div | Tag::Article | Tag::Section | Tag::Main => 5.0,
            Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
            Tag::Address | Tag::Ol | Tag::Ul | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form => -3.0,
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6 | Tag::Th => -5.0,
            _ => 0.0,
        };
        let tag_bonus = match dom.tag(i) {
            Tag::Article => 10.0,
            Tag::Main => 5.0,
            _ => 0.0,
        };
        base + tag_bonus + f64::from(an.at(i).weight)
    };
    for i in 0..dom.len() {
        let x = an.at(i);
        if x.removed {
            continue;
        }
        let tag = dom.tag(i);
        let (chars, commas) = match tag {
            Tag::P | Tag::Pre | Tag::Blockquote => (x.chars, x.commas),
            Tag::Div | Tag::Section | Tag::Article | Tag::Main | Tag::Td => (x.direct_chars, x.direct_commas),
            _ => continue,
        };
        if chars < 25 {
            continue;
        }
        // Paragraphs that are mostly a link give nothing.
        if x.chars > 0 && x.link * 2 > x.chars {
            continue;
        }
        let points = 1.0 + f64::from(commas) + (f64::from(chars) / 100.0).min(3.0);
        for (level, a) in dom.ancestors(i).take(5).enumerate() {
            if an.at(a).removed || dom.tag(a) == Tag::None {
                break;
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            if let Some(s) = scores.get_mut(a) {
                let cur = s.get_or_insert_with(|| init(a));
                *cur += points / div;
            }
        }
    }
    for (i, s) in scores.iter_mut().enumerate() {
        if let Some(v) = s {
            *v *= 1.0 - an.link_density(i);
        }
    }
    scores
}
