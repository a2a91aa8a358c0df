//! Dates behind a label in the text: "Erschienen am: 01.11.2023",
//! "Last updated 04 Jun 2020", "Datum: 18.10.2021" (publication, update and
//! bare date labels), outside page furniture.

use aho_corasick::AhoCorasick;

use super::{PageMeta, in_furniture};
use crate::dates;
use crate::dom::{Dom, Kind};
use crate::text::Tokens;

/// Labels in front of a publication date, lowercase.
const PUBLISHED_LABELS: &[&str] = &[
    "published on",
    "published:",
    "posted on",
    "erschienen am",
    "erschienen:",
    "veröffentlicht am",
    "veröffentlicht:",
    "erstellt am",
    "publiziert am",
    "publié le",
    "mis en ligne le",
    "publicado el",
    "publicado em",
    "pubblicato il",
    "gepubliceerd op",
];

/// Labels that say only "date": of the page when nothing else dates it, else
/// maybe of anything (a photo, an event).
const DATE_LABELS: &[&str] = &["datum:", "date:", "fecha:", "data:"];

/// Labels in front of an update date, lowercase.
const MODIFIED_LABELS: &[&str] = &[
    "last updated",
    "last edited",
    "last modified",
    "aktualisiert",
    "zuletzt",
    "letzte änderung",
    "mis à jour",
    "actualizado",
    "aggiornato",
    "bijgewerkt",
];

/// Labels of dates that are not the page's, lowercase: the time the page was
/// served ("Aktuelle Zeit: 14.10.2020, 12:18", phpBB's "It is currently")
/// and a member's registration in a forum post's profile.
const OTHER_DATE_LABELS: &[&str] = &[
    "aktuelle zeit",
    "it is currently",
    "current time",
    "heute ist",
    "today is",
    "registriert",
    "registered",
    "anmeldedatum",
    "mitglied seit",
    "dabei seit",
    "member since",
    "joined",
    "inscrit le",
    "inscription",
    "registrado",
    "iscritto",
];

/// True for a short text (a label line, not a sentence) that opens with the
/// label of a date that is not the page's (the time now, a member's
/// registration).
pub(super) fn names_other_date(t: &str) -> bool {
    let t = t.trim_start();
    t.len() <= 80
        && OTHER_DATE_LABELS.iter().any(|l| {
            t.get(..l.len()).is_some_and(|h| h.eq_ignore_ascii_case(l))
                && !t
                    .get(l.len()..)
                    .is_some_and(|r| r.starts_with(char::is_alphanumeric))
        })
}

/// One automaton over [`PUBLISHED_LABELS`], [`MODIFIED_LABELS`] and
/// [`DATE_LABELS`] (group 0, 1, 2), built once: asked of every short text
/// with a digit, so one pass beats a search per label.
struct DateLabels {
    ac: AhoCorasick,
    /// Group and length of each pattern.
    info: Vec<(u8, usize)>,
}

impl DateLabels {
    /// The labels, or `None` if the automaton could not be built (it can:
    /// the patterns are fixed and short).
    fn get() -> Option<&'static DateLabels> {
        static LABELS: std::sync::OnceLock<Option<DateLabels>> = std::sync::OnceLock::new();
        LABELS
            .get_or_init(|| {
                let groups = [PUBLISHED_LABELS, MODIFIED_LABELS, DATE_LABELS];
                let mut patterns = Vec::new();
                let mut info = Vec::new();
                for (g, labels) in (0u8..).zip(groups) {
                    for l in labels {
                        patterns.push(*l);
                        info.push((g, l.len()));
                    }
                }
                AhoCorasick::new(&patterns).ok().map(|ac| DateLabels { ac, info })
            })
            .as_ref()
    }

    /// Whether `lower` names any label.
    fn any(&self, lower: &str) -> bool {
        self.ac.is_match(lower)
    }

    /// The earliest label of `group` starting at most `max` bytes in, as a
    /// whole word ("date:" is not the end of "update:"): its start and
    /// length.
    fn first(&self, lower: &str, group: u8, max: usize) -> Option<(usize, usize)> {
        self.ac
            .find_overlapping_iter(lower)
            .filter_map(|m| {
                let (g, len) = *self.info.get(m.pattern().as_usize())?;
                (g == group && m.start() <= max).then_some((m.start(), len))
            })
            .filter(|&(p, _)| !lower.get(..p).is_some_and(|b| b.ends_with(char::is_alphanumeric)))
            .min()
    }
}

/// A text that may hold a labelled date: the text itself when it has a
/// digit; a short label alone in its element ("Erschienen am:") with the
/// next text, where the date sits.
fn labelled_date_line(dom: &Dom<'_>, i: usize, t: &str) -> Option<String> {
    if t.bytes().any(|b| b.is_ascii_digit()) {
        return Some(t.to_string());
    }
    if t.trim().is_empty() || t.len() > 40 {
        return None;
    }
    if !DateLabels::get().is_some_and(|l| l.any(&t.to_lowercase())) {
        return None;
    }
    let next = (i + 1..(i + 8).min(dom.len()))
        .filter_map(|j| dom.text(j))
        .find(|s| !s.trim().is_empty())?;
    (next.len() <= 80 && next.bytes().any(|b| b.is_ascii_digit()))
        .then(|| format!("{} {}", t.trim(), next.trim()))
}

/// The first text of each kind with a labelled date (node `i`, a text).
pub(super) fn dates(m: &mut PageMeta, dom: &Dom<'_>, i: usize, tokens: &mut Tokens) {
    if let Kind::Text(t) = dom.kind(i)
        && t.len() <= 200
        && (m.labelled_published.is_none() || m.labelled_modified.is_none() || m.labelled_date.is_none())
        && let Some(line) = labelled_date_line(dom, i, t)
    {
        // "Erschienen am: 01.11.2023", "Last updated 04 Jun 2020":
        // the label opens the line (a sentence that mentions a
        // publication is not a date line) and the date follows it.
        // An update label may come later in the line ("Created ... -
        // Last Modified: 03-10-2004").
        let lower = line.to_lowercase();
        let labels = DateLabels::get();
        let at = |group: u8, max: usize| {
            labels?
                .first(&lower, group, max)
                .and_then(|(p, len)| lower.get(p + len..))
                .filter(|rest| dates::find_in_date_line(rest, false).is_some())
                .map(str::to_string)
        };
        let any = labels.is_some_and(|l| l.any(&lower));
        let found = if !any {
            None
        } else if m.labelled_published.is_none()
            && let Some(rest) = at(0, 40)
        {
            Some((0, rest))
        } else if m.labelled_modified.is_none()
            && let Some(rest) = at(1, 200)
        {
            Some((1, rest))
        } else if m.labelled_date.is_none()
            && let Some(rest) = at(2, 40)
        {
            Some((2, rest))
        } else {
            None
        };
        // Furniture (a sidebar's "Published:" list) is asked last:
        // it climbs the ancestors.
        if let Some((which, rest)) = found
            && !in_furniture(dom, i, tokens)
        {
            let slot = match which {
                0 => &mut m.labelled_published,
                1 => &mut m.labelled_modified,
                _ => &mut m.labelled_date,
            };
            *slot = Some(rest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::names_other_date;

    #[track_caller]
    fn check(text: &str, expected: bool) {
        assert_eq!(names_other_date(text), expected, "text: {text:?}");
    }

    #[test]
    fn dates_that_are_not_the_page_s() {
        check("Aktuelle Zeit: 14.10.2020, 12:18", true);
        check(" It is currently Wed Oct 14, 2020 12:18 pm", true);
        check("Registriert:", true);
        check("Joined: Mar 3, 2011", true);
        check("Mitglied seit 2009", true);
        // The label opens the text, as a whole word.
        check("22.02.2016, 21:07", false);
        check("Registrierung für den Newsletter", false);
        check("Who joined the party on 3 March 2011", false);
        check("Erschienen am 14.10.2020", false);
        // A sentence, not a label line.
        check(
            "Registered nurses in three cities went on strike on 5 March 2019, the union said on Tuesday",
            false,
        );
    }
}
