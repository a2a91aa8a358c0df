//! The crate's errors: why a page gave no [`Document`](crate::Document),
//! and why a page is not an article.

use serde::Serialize;

/// Why a page was judged not to be an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotArticleReason {
    /// No main text could be found at all.
    NoBody,
    /// Mostly link teasers and little continuous prose: a home page or a
    /// section front.
    LinkList,
    /// A "page not found" or similar error page.
    ErrorPage,
    /// A search result listing.
    SearchResults,
    /// Some text, but fewer words than `min_body_words`.
    TooShort,
}

impl NotArticleReason {
    /// Stable snake_case name, suitable as a metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoBody => "no_body",
            Self::LinkList => "link_list",
            Self::ErrorPage => "error_page",
            Self::SearchResults => "search_results",
            Self::TooShort => "too_short",
        }
    }
}

impl std::fmt::Display for NotArticleReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why extraction failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The input is larger than `max_html_bytes`.
    #[error("input is {size} bytes, above the limit of {limit}")]
    TooLarge {
        /// Input size in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The input is not HTML (empty, binary, or a non-HTML content type).
    #[error("input is not html: {0}")]
    NotHtml(&'static str),
    /// The markup is nested too deeply to parse in bounded time.
    #[error("markup is nested too deeply to parse in bounded time (limit {limit} levels)")]
    TooDeep {
        /// The configured nesting limit.
        limit: usize,
    },
    /// The page is HTML but not an article.
    #[error("not an article: {reason}")]
    NotArticle {
        /// Why.
        reason: NotArticleReason,
    },
}

impl ExtractError {
    /// Stable snake_case name of the error kind, suitable as a metrics label
    /// (`not_article` errors also carry [`NotArticleReason::as_str`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::NotHtml(_) => "not_html",
            Self::TooDeep { .. } => "too_deep",
            Self::NotArticle { .. } => "not_article",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn reasons_and_kinds_are_stable() {
        let e = ExtractError::NotArticle {
            reason: NotArticleReason::LinkList,
        };
        assert_eq!(e.to_string(), "not an article: link_list");
        assert_eq!(e.kind(), "not_article");
        assert_eq!(NotArticleReason::TooShort.as_str(), "too_short");
        assert_eq!(
            serde_json::to_value(NotArticleReason::ErrorPage).unwrap(),
            serde_json::json!("error_page")
        );
    }
}
