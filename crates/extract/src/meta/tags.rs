//! `<meta>` tags (OpenGraph, Twitter cards, Dublin Core, `name`/`property`/
//! `itemprop`/`http-equiv`), the `<title>` in the head, `<html lang>`, and
//! the canonical URL and lead image from `<link rel>`.

use super::PageMeta;
use crate::dom::{Dom, Tag};
use crate::text;

/// What a `<meta>`, `<title>`, `<html>` or `<link>` element (`i`) says.
pub(super) fn head_element<'a>(
    m: &mut PageMeta,
    dom: &Dom<'a>,
    i: usize,
    tag: Tag,
    attr: impl Fn(&str) -> Option<&'a str>,
) {
    match tag {
        Tag::Meta => {
            if let Some(content) = attr("content") {
                for k in ["property", "name", "itemprop", "http-equiv"] {
                    if let Some(key) = attr(k) {
                        m.add_meta(key.trim(), content);
                    }
                }
            }
        }
        // A <title> in the head; or one that a parser put in the body
        // (text before `<!DOCTYPE>`, such as a server's warning, ends the head).
        Tag::Title
            if m.title_tag.is_none()
                && (dom.ancestors(i).take(3).any(|a| dom.tag(a) == Tag::Head)
                    || dom.parent(i).is_some_and(|p| dom.tag(p) == Tag::Body)) =>
        {
            let t = dom.text_of(i, 500);
            if !t.is_empty() {
                m.title_tag = Some(text::decode_entities(&t).into_owned());
            }
        }
        Tag::Html => {
            m.html_lang = attr("lang")
                .or_else(|| attr("xml:lang"))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
        }
        Tag::Link => {
            let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
            let href = attr("href").map(str::trim).filter(|h| !h.is_empty());
            let rels: Vec<&str> = rel.split_whitespace().collect();
            if rels.contains(&"canonical") && m.canonical.is_none() {
                m.canonical = href.map(str::to_string);
            }
            if rels.contains(&"image_src") && m.image_src.is_none() {
                m.image_src = href.map(str::to_string);
            }
        }
        _ => {}
    }
}
