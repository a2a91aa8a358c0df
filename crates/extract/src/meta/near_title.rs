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

/// The name closing a date line, after a separator and no lead-in
/// ("11.12.2019 - Jane Doe", "04.02.2022 | 13:10 Uhr | Jane Doe"): two to
/// four capitalized words without digits, after a part that holds a date.
fn name_after_date(t: &str, month_first: bool) -> Option<&str> {
    let t = t.trim();
    if t.chars().count() > 80 {
        return None;
    }
    let (head, tail) = [" - ", " – ", " — ", " | ", " · ", " • "]
        .iter()
        .filter_map(|sep| t.rfind(sep).map(|p| (p, sep.len())))
        .max_by_key(|&(p, _)| p)
        .and_then(|(p, len)| Some((t.get(..p)?, t.get(p + len..)?.trim())))?;
    let words: Vec<&str> = tail.split_whitespace().collect();
    let name_like = (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase) && !w.chars().any(|c| c.is_ascii_digit())
        });
    (name_like && dates::find_in_text(head, month_first).is_some()).then_some(tail)
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
        // The time now, a member's registration (the label may sit in the
        // element before: "<strong>Registriert:</strong> 18.09.2008").
        let label_before = (j.saturating_sub(4)..j)
            .rev()
            .filter_map(|k| dom.text(k))
            .find(|s| !s.trim().is_empty())
            .is_some_and(|s| s.len() <= 40 && super::labelled::names_other_date(s));
        if label_before || super::labelled::names_other_date(t) {
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
                } else if let Some(name) = name_after_date(t, month_first) {
                    bylines.push(name.to_string());
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

#[cfg(test)]
mod tests {
    use super::name_after_date;

    #[track_caller]
    fn check(line: &str, expected: Option<&str>) {
        assert_eq!(name_after_date(line, false), expected, "line: {line:?}");
    }

    #[test]
    fn names_closing_date_lines() {
        check("11.12.2019 - Jane Doe", Some("Jane Doe"));
        check(
            "25.10.2022 | 13:10 Uhr | Anna Maria Weber",
            Some("Anna Maria Weber"),
        );
        check("3. Mai 2021 · Jonas Weber", Some("Jonas Weber"));
        // No date before the separator, one word, lowercase or digits after it.
        check("Kultur - Jane Doe", None);
        check("11.12.2019 - Aktualisiert", None);
        check("11.12.2019 - vor zwei Tagen", None);
        check("11.12.2019 - Seite 2 von 3", None);
    }
}
