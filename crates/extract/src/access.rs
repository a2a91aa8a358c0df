//! The access verdict: whether the body is the article's own text, or what
//! the page showed in its place (a subscription wall, a consent, login or
//! registration wall, a request to enable JavaScript, an editor prompt). It
//! weighs the body's lines against the page's declarations (JSON-LD
//! `isAccessibleForFree`, `hasPart` / `cssSelector`) and its wall markup
//! (elements named as a paywall), so it sits above both, like the verdict.
//! The wall lines of a page that is not open are taken out of its text.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

use crate::Access;
use crate::body::{Body, hides, hiding_class};
use crate::dom::{Dom, Kind, Tag};
use crate::meta::PageMeta;
use crate::text;
use crate::walls::{Wall, named_in, wall_of};

/// A page that shows a subscription wall where its text stops gives a lead
/// of a paragraph or a few, not more: a body of this many words besides the
/// wall is the article (a page may carry a wall box for readers over their
/// quota and the whole text for everybody else). The paywalled teasers of
/// the dev corpus run to 117 and 277 words; most full texts to 500 and more.
const MAX_TEASER_WORDS: usize = 400;

/// A page that only declares its article not free (JSON-LD), without a wall
/// in its markup, shows a lead of about this many words at most when the
/// text is withheld; the full texts of such pages in the dev corpus start
/// at 287 words.
const MAX_DECLARED_TEASER_WORDS: usize = 100;

/// A part declared not free that holds this many words is the text itself,
/// shipped in the markup (for search engines, or hidden by a script).
const SHIPPED_PART_WORDS: usize = 50;

/// Class and id fragments that name a wall element.
const WALL_MARKS: &[&str] = &[
    "paywall",
    "pay-wall",
    "regwall",
    "reg-wall",
    "registration-wall",
    "loginwall",
    "login-wall",
    "subscriber-only",
    "subscribers-only",
    "subscriberonly",
    "premium-wall",
    "metered-wall",
];

/// A wall element holding more words than this wraps the article, not a box
/// in front of it; one of fewer is a label ("Subscriber only" on a link to
/// another article).
const MAX_WALL_BOX_WORDS: usize = 300;
const MIN_WALL_BOX_WORDS: usize = 6;

/// Class words of dialogs shown over the page. A wall in one is shown by a
/// script to some readers (those over a monthly quota): the page carries
/// whatever text it carries, so such a wall says nothing about it.
const DIALOG_WORDS: &[&str] = &["modal", "popup", "overlay", "lightbox", "dialog"];

/// Decides the page's access and, when it is not open, takes the wall lines
/// out of the body.
pub(crate) fn classify(dom: &Dom<'_>, meta: &PageMeta, body: &mut Body) -> Access {
    // The kept lines are among those the body noted walls in: none when it noted none.
    let kept: Vec<Option<Wall>> = if body.walls.is_empty() {
        Vec::new()
    } else {
        body.paragraphs
            .iter()
            .map(|p| wall_of(&p.text, p.words))
            .collect()
    };
    let wall_words: usize = body
        .paragraphs
        .iter()
        .zip(&kept)
        .filter(|(_, wall)| wall.is_some())
        .map(|(p, _)| p.words)
        .sum();
    let rest = body.words.saturating_sub(wall_words);
    let boxed = wall_box(dom);
    let named = body.walls.iter().copied().chain(boxed).min();
    let declared = meta.ld.not_free;

    let access = if wall_words > 0 && wall_words >= rest {
        // The body is mostly a wall: what kind, the strongest named.
        let wall = kept.iter().flatten().copied().chain(named).min();
        if declared || wall == Some(Wall::Subscription) {
            Access::Paywalled
        } else {
            Access::Teaser
        }
    } else if declared && shipped(dom, &meta.ld.paywalled_selectors) {
        Access::Open
    } else if rest < MAX_TEASER_WORDS && named == Some(Wall::Subscription) {
        Access::Paywalled
    } else if rest < MAX_TEASER_WORDS && boxed.is_some() {
        Access::Teaser
    } else if declared && rest < MAX_DECLARED_TEASER_WORDS {
        Access::Paywalled
    } else {
        Access::Open
    };
    if access != Access::Open && wall_words > 0 {
        let mut walls = kept.into_iter();
        body.paragraphs.retain(|_| walls.next().flatten().is_none());
        body.words = rest;
    }
    access
}

/// The strongest wall named in a visible element marked as a wall (a
/// paywall box): its class or id holds one of [`WALL_MARKS`]. A box that is
/// hidden or sits in a dialog (or in a script, a template) is passed over.
fn wall_box(dom: &Dom<'_>) -> Option<Wall> {
    let marks = wall_marks()?;
    let mut found: Option<Wall> = None;
    let mut i = 0;
    while i < dom.len() {
        let Some(e) = dom.element(i) else {
            i += 1;
            continue;
        };
        let marked = ["class", "id"]
            .iter()
            .filter_map(|k| e.attr(k))
            .any(|v| marks.is_match(v));
        if !marked {
            i += 1;
            continue;
        }
        if !std::iter::once(i).chain(dom.ancestors(i)).any(|a| unseen(dom, a)) {
            let box_text = dom.text_of(i, 4000);
            let words = text::word_count(&box_text);
            if (MIN_WALL_BOX_WORDS..=MAX_WALL_BOX_WORDS).contains(&words)
                && let Some(wall) = named_in(&box_text)
            {
                found = Some(found.map_or(wall, |f| f.min(wall)));
            }
        }
        i = dom.end(i);
    }
    found
}

/// One automaton over [`WALL_MARKS`], any ASCII case, built once.
fn wall_marks() -> Option<&'static AhoCorasick> {
    static MARKS: std::sync::OnceLock<Option<AhoCorasick>> = std::sync::OnceLock::new();
    MARKS
        .get_or_init(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(WALL_MARKS)
                .ok()
        })
        .as_ref()
}

/// Whether element `i` is not shown as part of the page: not rendered
/// (script, template, head), hidden, or a dialog shown over it.
fn unseen(dom: &Dom<'_>, i: usize) -> bool {
    let Kind::Element(e, tag) = dom.kind(i) else {
        return false;
    };
    let class = e.attr("class").unwrap_or_default();
    matches!(
        tag,
        Tag::Script | Tag::Style | Tag::Template | Tag::Noscript | Tag::Head
    ) || e.name().eq_ignore_ascii_case("dialog")
        || e.attr("role").is_some_and(|r| r.eq_ignore_ascii_case("dialog"))
        || e.attr("hidden").is_some()
        || e.attr("style").is_some_and(hides)
        || hiding_class(class)
        || class
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| DIALOG_WORDS.iter().any(|d| w.eq_ignore_ascii_case(d)))
}

/// Whether a part declared not free is in the markup with its text: an
/// element that one of `selectors` picks holds at least
/// [`SHIPPED_PART_WORDS`] words.
fn shipped(dom: &Dom<'_>, selectors: &[String]) -> bool {
    let simple: Vec<Simple<'_>> = selectors
        .iter()
        .flat_map(|s| s.split(','))
        .filter_map(Simple::parse)
        .take(16)
        .collect();
    if simple.is_empty() {
        return false;
    }
    (0..dom.len()).any(|i| {
        simple.iter().any(|s| s.matches(dom, i))
            && text::word_count(&dom.text_of(i, 2000)) >= SHIPPED_PART_WORDS
    })
}

/// A simple CSS selector: an optional tag name, then classes and an id
/// (`.paywall`, `div.article-body.locked`, `#premium`). Anything else
/// (combinators, attributes, pseudo-classes) is not read.
struct Simple<'a> {
    tag: Option<&'a str>,
    classes: Vec<&'a str>,
    id: Option<&'a str>,
}

impl<'a> Simple<'a> {
    fn parse(selector: &'a str) -> Option<Self> {
        let s = selector.trim();
        if s.is_empty()
            || s.contains(|c: char| c.is_whitespace() || matches!(c, '>' | '+' | '~' | '[' | ':' | '*'))
        {
            return None;
        }
        let first = s.find(['.', '#']).unwrap_or(s.len());
        let tag = s.get(..first).filter(|t| !t.is_empty());
        let mut simple = Simple {
            tag,
            classes: Vec::new(),
            id: None,
        };
        let mut rest = s.get(first..).unwrap_or_default();
        while let Some(marker) = rest.chars().next() {
            let body = rest.get(1..).unwrap_or_default();
            let end = body.find(['.', '#']).unwrap_or(body.len());
            let name = body.get(..end).unwrap_or_default();
            if name.is_empty() {
                return None;
            }
            if marker == '.' {
                simple.classes.push(name);
            } else {
                simple.id = Some(name);
            }
            rest = body.get(end..).unwrap_or_default();
        }
        (simple.tag.is_some() || !simple.classes.is_empty() || simple.id.is_some()).then_some(simple)
    }

    fn matches(&self, dom: &Dom<'_>, i: usize) -> bool {
        let Some(e) = dom.element(i) else {
            return false;
        };
        self.tag.is_none_or(|t| e.name().eq_ignore_ascii_case(t))
            && self.id.is_none_or(|id| e.attr("id") == Some(id))
            && self.classes.iter().all(|c| {
                e.attr("class")
                    .is_some_and(|v| v.split_whitespace().any(|x| x == *c))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_selectors() {
        fn parse(s: &str) -> Option<(Option<&str>, Vec<&str>, Option<&str>)> {
            Simple::parse(s).map(|x| (x.tag, x.classes, x.id))
        }
        assert_eq!(parse(".paywall"), Some((None, vec!["paywall"], None)));
        assert_eq!(
            parse("div.article-body.locked#main"),
            Some((Some("div"), vec!["article-body", "locked"], Some("main")))
        );
        assert_eq!(parse("#premium"), Some((None, vec![], Some("premium"))));
        for unread in [
            "",
            ".a .b",
            "div > p",
            "[data-paywall]",
            ".a:not(.b)",
            ".",
            "a..b",
        ] {
            assert!(parse(unread).is_none(), "{unread}");
        }
    }

    /// An article page whose `<article>` holds `inner`, with a JSON-LD block
    /// holding `ld` fields.
    fn page(ld: &str, inner: &str, after: &str) -> String {
        format!(
            r#"<html><head><title>Quarry plan withdrawn</title><script type="application/ld+json">
            {{"@type":"NewsArticle","headline":"Quarry plan withdrawn"{ld}}}</script></head>
            <body><article><h1>Quarry plan withdrawn</h1>{inner}</article>{after}</body></html>"#
        )
    }

    const LEAD: &str = "<p>The company behind the proposed quarry at Hallow Ridge has withdrawn its \
        planning application, two weeks before the county council was due to decide on it, citing \
        the cost of the additional noise surveys the council had asked for.</p>";

    const MORE: &str = "<p>Residents of the three villages along the ridge had collected more than four \
        thousand signatures against the plan, which would have seen up to a million tonnes of \
        limestone taken out over twenty years.</p><p>A spokeswoman for the company said it still \
        believed the site was suitable and did not rule out a new application once the market for \
        building stone had recovered.</p><p>The parish council said it would ask the county to \
        protect the ridge in its next local plan, so that the question would not come back every \
        few years.</p>";

    /// Words of the text of an HTML fragment.
    fn words_of(fragment: &str) -> usize {
        let mut plain = String::new();
        let mut in_tag = false;
        for c in fragment.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    plain.push(' ');
                }
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        text::word_count(&plain)
    }

    /// Extracts `html`; checks its access and how many words its text kept.
    #[track_caller]
    fn check(html: &str, access: Access, words: usize) {
        let input = crate::Input {
            html: crate::Html::Text(html),
            url: "https://news.example/quarry",
            content_type: None,
        };
        let doc = crate::extract(&input, &crate::ExtractConfig::default()).unwrap();
        assert_eq!(
            (doc.access, text::word_count(&doc.text)),
            (access, words),
            "{}",
            doc.text
        );
    }

    #[test]
    fn verdicts() {
        let prose = format!("{LEAD}{MORE}");
        let (lead, all) = (words_of(LEAD), words_of(&prose));
        let sub = "<p>This story is for subscribers only. Already a subscriber? Log in.</p>";
        // An open article, also one that ends in a newsletter call to action.
        check(&page("", &prose, ""), Access::Open, all);
        check(
            &page("", &format!("{prose}<p>Sign up to our newsletter</p>"), ""),
            Access::Open,
            all,
        );
        // A lead and a subscription wall where the text stops, in the article or in a box after it.
        check(&page("", &format!("{LEAD}{sub}"), ""), Access::Paywalled, lead);
        check(
            &page("", LEAD, &format!(r#"<div class="paywall">{sub}</div>"#)),
            Access::Paywalled,
            lead,
        );
        // The same wall after a long article: the text is there, the box is for readers over a quota.
        let long: String = (0..4)
            .map(|k| prose.replace("<p>", &format!("<p>{k} ")))
            .collect();
        check(
            &page("", &long, &format!(r#"<div class="paywall">{sub}</div>"#)),
            Access::Open,
            words_of(&long),
        );
        // A wall in a dialog or a hidden box says nothing; a lone label neither.
        for after in [
            format!(r#"<div class="modal"><div class="paywall">{sub}</div></div>"#),
            format!(r#"<div class="paywall" style="display: none">{sub}</div>"#),
            r#"<span class="subscriber-only-tag">Subscriber only</span>"#.to_owned(),
        ] {
            check(&page("", LEAD, &after), Access::Open, lead);
        }
        // Declared not free: a lead alone is paywalled, a longer text open.
        let declared = r#","isAccessibleForFree":false"#;
        check(&page(declared, LEAD, ""), Access::Paywalled, lead);
        check(&page(declared, &prose, ""), Access::Open, all);
        // A body that is only a wall: its lines go.
        check(&page("", sub, ""), Access::Paywalled, 0);
        check(
            &page(
                "",
                "<p>Please enable JavaScript to read this page. Your browser is not supported.</p>",
                "",
            ),
            Access::Teaser,
            0,
        );
    }

    #[test]
    fn marks_in_any_case() {
        let marks = wall_marks().unwrap();
        assert!(marks.is_match("article__PayWall-box"));
        assert!(!marks.is_match("payment wallet"));
    }
}
