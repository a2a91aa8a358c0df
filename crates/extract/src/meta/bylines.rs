//! Bylines outside the byline elements: the name after an author label
//! ("Autor:", "Text:", "By"), links to an author's page (`rel=author`,
//! `/author/jane-doe/`), and the page's copyright notice.

use memchr::memmem::Finder;

use super::{PageMeta, in_furniture};
use crate::authors;
use crate::dom::{Dom, Kind, Tag};
use crate::text::Tokens;

/// A copyright notice: "©", "(c)", "Copyright" (any of three spellings).
/// Asked of every short text node, so the searchers are built once.
fn is_copyright_notice(t: &str) -> bool {
    static FINDERS: std::sync::OnceLock<[Finder<'static>; 5]> = std::sync::OnceLock::new();
    let finders = FINDERS
        .get_or_init(|| ["©", "(c)", "(C)", "opyright", "OPYRIGHT"].map(|n| Finder::new(n.as_bytes())));
    finders.iter().any(|f| f.find(t.as_bytes()).is_some())
}

/// The last copyright notice (node `i`, a text): the page's own is at its foot.
pub(super) fn copyright(m: &mut PageMeta, dom: &Dom<'_>, i: usize) {
    if let Kind::Text(t) = dom.kind(i)
        && t.len() <= 200
        && is_copyright_notice(t)
    {
        // The last one wins: the page's own notice is at its foot.
        m.copyright = Some(t.trim().to_string());
    }
}

/// A label alone in its element ("Autor:", "Text:", "von") and the
/// name in the next text (node `i`, a text; `n` nodes in all).
pub(super) fn labelled_author(m: &mut PageMeta, dom: &Dom<'_>, i: usize, n: usize, tokens: &mut Tokens) {
    if let Kind::Text(t) = dom.kind(i)
        && m.labelled_authors.len() < 5
        && t.len() <= 24
        && authors::is_label(t)
        && !in_furniture(dom, i, tokens)
        && let Some(name) = (i + 1..(i + 12).min(n))
            .filter_map(|j| dom.text(j))
            .find(|s| !s.trim().is_empty())
            .filter(|s| s.len() <= 120)
    {
        m.labelled_authors.push(name.trim().to_string());
    }
}

/// A paragraph that is only an emphasized name, the way an article is
/// signed at its end (`<p><strong>Jane Doe</strong></p>`): the last one
/// outside furniture, and no text paragraph after it (else it was a
/// subheading, "Weitere Informationen"). Element `i` is a `<p>`.
pub(super) fn signature(m: &mut PageMeta, dom: &Dom<'_>, i: usize, tokens: &mut Tokens) {
    if m.signature.is_some() && dom.text_of(i, 100).chars().count() >= 100 && !in_furniture(dom, i, tokens) {
        m.signature = None;
        return;
    }
    let mut kids = dom
        .children(i)
        .filter(|&c| !dom.text(c).is_some_and(|t| t.trim().is_empty()));
    let (Some(only), None) = (kids.next(), kids.next()) else {
        return;
    };
    let emphasis = dom.element(only).is_some_and(|e| {
        ["strong", "b", "em", "i"]
            .iter()
            .any(|n| e.name().eq_ignore_ascii_case(n))
    });
    if !emphasis {
        return;
    }
    let t = dom.text_of(i, 60);
    let words: Vec<&str> = t.split_whitespace().collect();
    let name_like = t.chars().count() <= 40
        && (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\''))
        });
    if name_like && !in_furniture(dom, i, tokens) {
        m.signature = Some(t);
    }
}

/// True for links to an author's page: a path segment such as `author`
/// followed by one more segment (`/author/jane-doe/`, `/autor/x-123`).
fn is_author_href(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or_default();
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    while let Some(seg) = segs.next() {
        let author = [
            "author",
            "authors",
            "autor",
            "autoren",
            "auteur",
            "auteurs",
            "autore",
            "autori",
            "journalist",
        ]
        .iter()
        .any(|a| seg.eq_ignore_ascii_case(a));
        if author {
            return segs.next().is_some();
        }
    }
    false
}

/// The text of a link to an author (element `i`).
pub(super) fn author_link<'a>(
    m: &mut PageMeta,
    dom: &Dom<'a>,
    i: usize,
    tag: Tag,
    attr: impl Fn(&str) -> Option<&'a str>,
    tokens: &mut Tokens,
) {
    // rel=author, or a link to an author page (`/author/jane-doe/`).
    let author_link = tag == Tag::A
        && (attr("rel").is_some_and(|r| r.split_whitespace().any(|x| x.eq_ignore_ascii_case("author")))
            || attr("href").is_some_and(is_author_href));
    if author_link && m.rel_authors.len() < 10 && !in_furniture(dom, i, tokens) {
        let t = dom.text_of(i, 200);
        if !t.is_empty() {
            m.rel_authors.push(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_links() {
        assert!(is_author_href("https://blog.example.org/author/jane-doe/"));
        assert!(is_author_href("/autor/moritz-muster-21589"));
        assert!(!is_author_href("/author/"));
        assert!(!is_author_href("/authority/report"));
        assert!(!is_author_href("/news/2022/11/25/story"));
    }
}
