//! Microdata (`itemprop`) on ordinary elements, and RDFa
//! (`property="schema:dateCreated"`): authors, publication and update dates.

use super::PageMeta;
use crate::dates;
use crate::dom::{Dom, Tag};

/// The authors and dates element `i` gives by `itemprop` or RDFa `property`.
pub(super) fn itemprop<'a>(
    m: &mut PageMeta,
    dom: &Dom<'a>,
    i: usize,
    tag: Tag,
    attr: impl Fn(&str) -> Option<&'a str>,
) {
    // Microdata on ordinary elements, and RDFa (`property="schema:dateCreated"`).
    let rdfa = (tag != Tag::Meta)
        .then(|| attr("property"))
        .flatten()
        .map(|p| p.rsplit(':').next().unwrap_or(p))
        .filter(|p| {
            matches!(
                *p,
                "datePublished" | "dateCreated" | "dateModified" | "author" | "creator"
            )
        });
    if let Some(prop) = attr("itemprop").or(rdfa) {
        let value = || {
            attr("content")
                .or_else(|| attr("datetime"))
                .or_else(|| attr("title").filter(|t| dates::parse_structured(t).is_some()))
                .map(str::to_string)
                .unwrap_or_else(|| dom.text_of(i, 200))
        };
        for p in prop.split_whitespace() {
            match p {
                "author" | "creator" if tag != Tag::Meta && m.itemprop_authors.len() < 10 => {
                    let t = dom.text_of(i, 200);
                    if !t.is_empty() {
                        m.itemprop_authors.push(t);
                    }
                }
                "datePublished" | "dateCreated" if m.itemprop_published.is_none() => {
                    m.itemprop_published = Some(value());
                }
                "dateModified" if m.itemprop_modified.is_none() => {
                    m.itemprop_modified = Some(value());
                }
                _ => {}
            }
        }
    }
}
