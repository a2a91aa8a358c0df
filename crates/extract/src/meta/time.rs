//! `<time>` elements: their value and whether their markup says they give
//! the publication or the last update.

use super::{PageMeta, TimeEl, in_furniture};
use crate::dom::Dom;
use crate::text::Tokens;

/// A `<time>` element (`i`) outside page furniture.
pub(super) fn time_element<'a>(
    m: &mut PageMeta,
    dom: &Dom<'a>,
    i: usize,
    attr: impl Fn(&str) -> Option<&'a str>,
    tokens: &mut Tokens,
) {
    let value = attr("datetime")
        .map(str::to_string)
        .unwrap_or_else(|| dom.text_of(i, 120));
    if m.times.len() < 32 && !value.trim().is_empty() && !in_furniture(dom, i, tokens) {
        tokens.clear();
        for a in ["class", "id", "itemprop"] {
            if let Some(v) = attr(a) {
                tokens.push_attr(v);
            }
        }
        if let Some(p) = dom.parent(i)
            && let Some(v) = dom.attr(p, "class")
        {
            tokens.push_attr(v);
        }
        let prop = attr("itemprop").unwrap_or_default();
        let published = prop.eq_ignore_ascii_case("datePublished")
            || attr("pubdate").is_some()
            || tokens
                .iter()
                .any(|t| t.starts_with("publish") || t == "pubdate" || t == "created");
        let modified = prop.eq_ignore_ascii_case("dateModified")
            || tokens
                .iter()
                .any(|t| t.starts_with("updat") || t.starts_with("modif"));
        // WordPress marks an unmodified post `published updated`.
        m.times.push(TimeEl {
            value,
            published,
            modified: modified && !published,
        });
    }
}
