//! Negatives behind one wall: pages of distinct stories whose body a paywall, a consent or login
//! prompt or a short stand-in replaces. None may be judged a copy of another.

use dedup::DedupConfig;

use super::{Doc, Negatives, judged_copy};

/// Stories whose page a wall stands in for, per kind of wall (the first ones): pairs of them are the
/// negatives behind one wall.
pub(super) const WALL_STORIES: usize = 150;

/// What a site's pages show in place of the article, by kind: the markup inside `<article>` after the
/// headline. Written for this evaluation; the last is a short stand-in that is no wall.
const WALLS: &[(&str, &str)] = &[
    (
        "paywall notice",
        "<div class=\"article-body\"><p>This article is for subscribers only. Subscribe now for \
         unlimited access to all our journalism, the e-paper and the archive.</p><p>Already a \
         subscriber? Log in.</p></div>",
    ),
    (
        "paywall box after a site blurb",
        "<div class=\"article-body\"><p>The Morning Ledger has covered the city and the region since \
         1889, with reporters in every district, at the courts and at the council, and with the \
         photographers, editors and designers who make the paper every night.</p></div><div \
         class=\"paywall-container\"><p>Continue reading with a digital subscription: the first month is \
         free.</p><p>Already a subscriber? Log in.</p></div>",
    ),
    (
        "consent wall",
        "<div class=\"article-body\"><p>We value your privacy. We and our partners store and access \
         information on your device, such as cookies, and process personal data such as unique \
         identifiers and browsing data, to show personalised advertising and content, to measure \
         advertising and content, and to develop and improve our services.</p><p>You can accept all, \
         reject all, or manage your choices at any time in the privacy settings at the bottom of every \
         page.</p></div>",
    ),
    (
        "registration wall",
        "<div class=\"article-body\"><p>Register for free to continue reading this article and get \
         our morning briefing. Already have an account? Sign in.</p></div>",
    ),
    (
        "javascript notice",
        "<div class=\"article-body\"><p>Please enable JavaScript in your browser settings to read \
         this article. Your browser is not supported.</p></div>",
    ),
    (
        "editor prompt",
        "<div class=\"composer\"><p class=\"placeholder\">Tell your story… Type / for commands, or \
         just start writing. Your draft is saved as you go.</p></div>",
    ),
    (
        "short video line",
        "<div class=\"article-body\"><p>Watch the full report in the video player above.</p></div>",
    ),
];

/// The negatives behind one wall: per kind of wall, the pages of the first [`WALL_STORIES`] stories,
/// fingerprinted as the pipeline does, and (`visible`) on their visible text alone.
pub(super) struct WallSet {
    pub(super) kinds: Vec<WallKind>,
}

/// The pages of one kind of wall.
pub(super) struct WallKind {
    pub(super) name: &'static str,
    /// Pages by access: open, paywalled, teaser, rejected.
    pub(super) access: [usize; 4],
    pub(super) pages: Vec<WallPage>,
}

/// A story's page behind a wall: its title, the page as judged, the page matched on its visible text.
pub(super) type WallPage = (String, Doc, Doc);

pub(super) fn wall_set(titles: &[Option<String>], config: &DedupConfig) -> WallSet {
    let extract_config = extract::ExtractConfig::default();
    let mut kinds = Vec::new();
    for (k, (kind, wall)) in WALLS.iter().enumerate() {
        let mut access = [0usize; 4];
        let mut pages = Vec::new();
        for (i, title) in titles.iter().take(WALL_STORIES).enumerate() {
            let title = title.clone().unwrap_or_else(|| format!("Story number {i}"));
            let escaped = title.replace('&', "&amp;").replace('<', "&lt;");
            let html = format!(
                "<html lang=\"en\"><head><title>{escaped} - The Morning Ledger</title>\
                 <meta property=\"og:type\" content=\"article\"></head><body><nav><a href=\"/\">Home</a> \
                 <a href=\"/news\">News</a></nav><article><h1>{escaped}</h1>{wall}</article>\
                 <footer>Copyright The Morning Ledger</footer></body></html>"
            );
            let url = format!("https://ledger.example/{k}/story-{i}");
            let input = extract::Input {
                html: extract::Html::Text(&html),
                url: &url,
                content_type: None,
            };
            let Ok(doc) = extract::extract(&input, &extract_config) else {
                access[3] += 1;
                continue;
            };
            access[match doc.access {
                extract::Access::Open => 0,
                extract::Access::Paywalled => 1,
                extract::Access::Teaser => 2,
            }] += 1;
            // As the pipeline fingerprints an event.
            let fp = dedup::fingerprint(&doc.text, config)
                .with_title(doc.meta.title.as_deref())
                .url_only(!doc.access.is_open());
            // Titles and access ignored: every page under one title, matched by its text.
            let visible = dedup::fingerprint(&visible_text(wall), config).with_title(Some("-"));
            pages.push((
                title,
                Doc::with_fingerprint(url.clone(), fp),
                Doc::with_fingerprint(url, visible),
            ));
        }
        kinds.push(WallKind {
            name: kind,
            access,
            pages,
        });
    }
    WallSet { kinds }
}

/// The text of an HTML fragment, tags left out: what a reader of the page sees.
pub(super) fn visible_text(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// False positives among the pairs of `pages` (of one kind of wall): as judged (`visible` false) or on
/// their visible text alone. Pairs under the same title are not negatives.
pub(super) fn wall_pairs(config: &DedupConfig, pages: &[WallPage], visible: bool) -> Negatives {
    let (mut pairs, mut false_positives) = (0u64, 0u64);
    for (x, (title_a, a, va)) in pages.iter().enumerate() {
        for (title_b, b, vb) in &pages[x + 1..] {
            if dedup::content_hash(title_a) == dedup::content_hash(title_b) {
                continue;
            }
            pairs += 1;
            let copy = if visible {
                judged_copy(config, va, vb)
            } else {
                judged_copy(config, a, b)
            };
            false_positives += u64::from(copy);
        }
    }
    Negatives {
        pairs,
        false_positives,
        candidates: pairs,
    }
}

/// [`wall_pairs`] over every kind of wall.
pub(super) fn wall_negatives(config: &DedupConfig, set: &WallSet) -> Negatives {
    let mut total = Negatives::default();
    for kind in &set.kinds {
        let n = wall_pairs(config, &kind.pages, false);
        total.pairs += n.pairs;
        total.false_positives += n.false_positives;
        total.candidates += n.candidates;
    }
    total.pairs = total.pairs.max(1);
    total
}
