//! The short lines around the main headline, where bylines and date lines
//! sit: the dates and bylines found there (read when the metadata are
//! finished, see [`crate::reconcile`]).

use super::PageMeta;
use crate::dom::{Dom, Tag};
use crate::text::{self, fold};
use crate::{authors, dates};

/// The element holding the headline: the main `<h1>` when it agrees with the
/// metadata titles, else the first heading whose text is the title.
fn title_node(dom: &Dom<'_>, m: &PageMeta) -> Option<usize> {
    if let Some(&(h1, _)) = m.h1.first()
        && m.h1_agrees
    {
        return Some(h1);
    }
    let title = fold(m.title.as_deref()?);
    let found = (0..dom.len()).find(|&i| {
        dom.tag(i).heading_level().is_some() && {
            let t = fold(&dom.text_of(i, 500));
            !t.is_empty() && (t == title || (t.len() >= 12 && title.contains(&t)))
        }
    });
    found.or_else(|| m.h1.first().map(|&(i, _)| i))
}

/// Dates (into `out`, at most four more, nearest first; those that open
/// their line also into `heads`) and bylines in the short text lines right
/// after (or shortly before) the main headline, where bylines and date lines
/// sit.
pub(crate) fn near_title_lines(
    dom: &Dom<'_>,
    m: &PageMeta,
    month_first: bool,
    out: &mut Vec<String>,
    heads: &mut Vec<String>,
    bylines: &mut Vec<String>,
) {
    let Some(h1) = title_node(dom, m) else {
        return;
    };
    // Dates after the headline and before it, with their distance in lines.
    // Each with whether it opens its line (a date line or dateline, not a
    // date some sentence mentions).
    let mut found: Vec<(usize, String, bool)> = Vec::new();
    let mut before: Vec<(usize, String, bool)> = Vec::new();
    let opens =
        |t: &str| dates::find_in_text(text::truncate_chars(t.trim_start(), 24), month_first).is_some();
    let usable = |j: usize| {
        let t = dom.text(j)?;
        let parent_tag = dom.parent(j).map(|p| dom.tag(p));
        if matches!(
            parent_tag,
            Some(Tag::Script | Tag::Style | Tag::Noscript | Tag::Template)
        ) {
            return None;
        }
        // A quotation (an embedded post) carries its own date.
        if dom.ancestors(j).take(12).any(|a| dom.tag(a) == Tag::Blockquote) {
            return None;
        }
        let n = text::visible_chars(t);
        if n > 120 {
            // A dateline opening a paragraph: "(25. November 2022) Text ...".
            return Some(text::truncate_chars(t.trim_start(), 32));
        }
        (n > 0).then_some(t)
    };
    let mut seen = 0;
    for j in h1..dom.len() {
        if let Some(t) = usable(j) {
            // "Von Jane Doe", "25.11.2022 14:30 von Jane Doe" under the headline.
            if bylines.len() < 2 && t.len() <= 120 {
                if authors::strip_byline_prefix(t).is_some() {
                    bylines.push(t.to_string());
                } else if let Some(rest) = authors::dated_lead_in(t) {
                    bylines.push(rest.to_string());
                }
            }
            if found.len() < 4
                && let Some(d) = dates::find_in_text(t, month_first)
            {
                found.push((seen, d, opens(t)));
            }
            // A long paragraph weighs as much as three short lines.
            seen += if dom.text(j).is_some_and(|t| text::visible_chars(t) > 120) {
                3
            } else {
                1
            };
        }
        if seen >= 40 {
            break;
        }
    }
    let mut seen = 0;
    for j in (0..h1).rev() {
        if let Some(t) = usable(j) {
            if before.len() < 4
                && let Some(d) = dates::find_in_text(t, month_first)
            {
                before.push((seen, d, opens(t)));
            }
            seen += 1;
        }
        if seen >= 15 {
            break;
        }
    }
    // The nearest first; after the headline wins a tie.
    found.extend(before);
    found.sort_by_key(|(d, _, _)| *d);
    found.truncate(4);
    heads.extend(found.iter().filter(|(_, _, h)| *h).map(|(_, d, _)| d.clone()));
    out.extend(found.into_iter().map(|(_, d, _)| d));
}
