//! The not-an-article verdict: error pages, search results, home pages and
//! section fronts (many teaser links, little prose), and pages with too
//! little text. It weighs the extracted body against the page's metadata,
//! so it sits above both.

use crate::body::Body;
use crate::dom::Dom;
use crate::meta::PageMeta;
use crate::text::{attr_tokens, fold};
use crate::{ExtractConfig, NotArticleReason};

const ERROR_PHRASES: &[&str] = &[
    "page not found",
    "not found",
    "seite nicht gefunden",
    "nicht gefunden",
    "page introuvable",
    "page non trouvée",
    "página no encontrada",
    "página não encontrada",
    "pagina non trovata",
    "страница не найдена",
    "does not exist",
    "no longer available",
    "page unavailable",
    "nothing found",
    "nothing was found",
    "oops",
];

fn looks_like_error(s: &str) -> bool {
    let f = fold(s);
    let mut toks = Vec::new();
    attr_tokens(&f, &mut toks);
    toks.iter().any(|t| t == "404" || t == "410") || ERROR_PHRASES.iter().any(|p| f.contains(p))
}

fn looks_like_search(url: &str, title: &str) -> bool {
    let t = fold(title);
    if [
        "search results",
        "suchergebnisse",
        "résultats de recherche",
        "resultados de búsqueda",
        "results for",
        "search:",
    ]
    .iter()
    .any(|p| t.starts_with(p))
    {
        return true;
    }
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let path_hit = u.path_segments().is_some_and(|mut segs| {
        segs.any(|s| {
            matches!(
                s.to_ascii_lowercase().as_str(),
                "search" | "suche" | "recherche" | "buscar" | "busca" | "cerca" | "zoeken" | "poisk"
            )
        })
    });
    let query_hit = u.query_pairs().any(|(k, v)| {
        !v.is_empty()
            && matches!(
                k.to_ascii_lowercase().as_str(),
                "q" | "s" | "query" | "search" | "searchterm" | "keywords"
            )
    });
    path_hit || query_hit
}

/// Words of kept text that make a page under article markup a brief, not
/// a list of links (news briefs run from about 40 words).
const BRIEF_WORDS: usize = 35;

/// Decides whether the page is not an article; `None` means it is one.
pub(crate) fn classify(
    _dom: &Dom<'_>,
    meta: &PageMeta,
    body: &Body,
    url: &str,
    cfg: &ExtractConfig,
) -> Option<NotArticleReason> {
    let typed = meta.is_article_typed();
    let heads: Vec<&str> = [
        meta.title_tag.as_deref(),
        meta.h1.first().map(|(_, t)| t.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if body.words < 150 && heads.iter().any(|h| looks_like_error(h)) {
        return Some(NotArticleReason::ErrorPage);
    }
    if body.words < 60
        && body.paragraphs.iter().take(3).any(|p| {
            let f = fold(&p.text);
            f.contains("page not found") || f.contains("error 404") || f.contains("seite nicht gefunden")
        })
    {
        return Some(NotArticleReason::ErrorPage);
    }
    if !meta.ld.is_article
        && (meta.ld.is_search || looks_like_search(url, heads.first().copied().unwrap_or_default()))
    {
        return Some(NotArticleReason::SearchResults);
    }
    let prose = body.prose_paragraphs;
    let kept = body.paragraphs.len();
    let listing = meta.ld.is_listing || meta.og_type.as_deref() == Some("website");
    // Teasers everywhere and no continuous prose left once they are
    // dropped: a home page or a section front. Any real body text wins.
    let words = body.words;
    // A brief under article markup is an article, however many headlines
    // stand around it: the metadata types the page as an article, or the
    // text comes from the `<article>` / `articleBody` that holds the page's
    // `<h1>` (a teaser card holds no `<h1>`).
    let brief = words >= BRIEF_WORDS && (typed || body.headed_article);
    if !typed && !brief && body.headline_links >= 8 && prose == 0 && words < 150 {
        return Some(NotArticleReason::LinkList);
    }
    if !brief && body.teaser_links >= 6 && body.teaser_links * 2 >= kept && prose < 2 && words < 120 {
        return Some(NotArticleReason::LinkList);
    }
    if !typed && !brief && listing && body.headline_links >= 5 && prose == 0 && words < 100 {
        return Some(NotArticleReason::LinkList);
    }
    if body.words == 0 {
        return Some(NotArticleReason::NoBody);
    }
    let short_ok = (body.in_article || typed) && body.words >= 5;
    if body.words < cfg.min_body_words && !short_ok {
        return Some(NotArticleReason::TooShort);
    }
    None
}
