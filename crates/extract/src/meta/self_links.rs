//! Links to the page itself (a teaser of it in a list, the permalink next to
//! its date): the short text with a date around them.

use url::Url;

use super::{PageMeta, in_comments};
use crate::dates;
use crate::dom::{Dom, Tag};
use crate::text::Tokens;

/// True for a link to the page itself (query kept; a trailing slash
/// ignored). A link with a fragment points into the page (a comment, an
/// anchor), not at it.
fn is_self_link(href: &str, base: Option<&Url>) -> bool {
    let href = href.trim();
    if href.is_empty() || href.contains('#') {
        return false;
    }
    let Some(base) = base else {
        return false;
    };
    // Every link to the page names the last segment of its path; most links
    // do not, and are refused before the costly resolution. A segment with
    // escapes may be written unescaped in the link: no shortcut then.
    let path = base.path().trim_end_matches('/');
    let tail = path.rsplit('/').next().unwrap_or_default();
    if path.len() <= 1 || (!tail.contains('%') && !href.contains(tail)) {
        return false;
    }
    let Ok(target) = base.join(href) else {
        return false;
    };
    let key = |u: &Url| {
        (
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_ascii_lowercase()),
            u.path().trim_end_matches('/').to_string(),
            u.query().map(str::to_string),
        )
    };
    key(&target) == key(base) && base.path().trim_end_matches('/').len() > 1
}

/// The text with a date around a link to the page itself (element `i`);
/// `self_links` counts the links looked at.
#[expect(
    clippy::too_many_arguments,
    reason = "the state of the one pass, as the loop had it"
)]
pub(super) fn around<'a>(
    m: &mut PageMeta,
    dom: &Dom<'a>,
    i: usize,
    tag: Tag,
    attr: impl Fn(&str) -> Option<&'a str>,
    base: Option<&Url>,
    self_links: &mut usize,
    tokens: &mut Tokens,
) {
    // A link to the page itself (a teaser of it in a list, the permalink
    // next to its date): the text around it.
    if tag == Tag::A
        && m.self_link_texts.len() < 4
        && *self_links < 16
        && let Some(href) = attr("href")
        && is_self_link(href, base)
        && !in_comments(dom, i, tokens)
    {
        // The nearest of three ancestors with a date, short and with few
        // links elsewhere (not a menu, not a list of other items).
        let mut around = None;
        *self_links += 1;
        for a in dom.ancestors(i).take(3) {
            if dom.end(a) - a > 400 {
                break;
            }
            let t = dom.text_of(a, 300);
            let links_elsewhere = (a..dom.end(a))
                .filter(|&j| {
                    dom.tag(j) == Tag::A
                        && dom.attr(j, "href").is_some_and(|h| !is_self_link(h, base))
                        // Taxonomy links (`rel="category tag"`) label the item.
                        && !dom.attr(j, "rel").is_some_and(|r| {
                            r.split_whitespace().any(|x| x.eq_ignore_ascii_case("tag"))
                        })
                })
                .take(3)
                .count();
            if t.chars().count() >= 300 || links_elsewhere > 2 {
                break;
            }
            if dates::find_in_date_line(&t, false).is_some() {
                around = Some(t);
                break;
            }
        }
        m.self_link_texts.extend(around);
    }
}
