//! URL normalization and article ids.

use sha2::{Digest, Sha256};
use url::Url;

use crate::DedupError;
use crate::fingerprint::hex;

/// Query parameters that only track the visit (compared case-insensitively). Every parameter starting
/// with `utm_` is dropped too.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "gbraid",
    "wbraid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "_ga",
    "_gl",
    "yclid",
    "ysclid",
    "ref_src",
    "ref_url",
    "twclid",
    "ttclid",
    "li_fat_id",
    "mkt_tok",
    "_hsenc",
    "_hsmi",
    "hsctatracking",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "vero_conv",
    "wickedid",
    "s_kwcid",
    "ncid",
    "__twitter_impression",
];

/// How much of an unparsable URL an error message quotes.
const MAX_URL_IN_ERROR: usize = 200;

/// Normalizes an article URL so that the same article reached through different links gets one key.
///
/// Lowercases the scheme and host (IDNs become punycode) and drops a trailing dot of the host, drops
/// default ports, user info, the fragment and tracking parameters (`utm_*`, `fbclid`, `gclid`, …; see
/// the list in the source), sorts the remaining query parameters (keeping their raw encoding and
/// duplicates) and drops an empty query. The path keeps its case. Only `http` and `https` URLs are
/// accepted.
pub fn normalize_url(url: &str) -> Result<String, DedupError> {
    let invalid = |reason: String| DedupError::InvalidUrl {
        url: truncate(url.trim()),
        reason,
    };
    let mut parsed = Url::parse(url.trim()).map_err(|err| invalid(err.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!("unsupported scheme {:?}", parsed.scheme())));
    }
    let Some(host) = parsed.host_str() else {
        return Err(invalid("no host".to_owned()));
    };
    if host.ends_with('.') {
        let trimmed = host.trim_end_matches('.').to_owned();
        if trimmed.is_empty() {
            return Err(invalid("empty host".to_owned()));
        }
        parsed
            .set_host(Some(&trimmed))
            .map_err(|err| invalid(err.to_string()))?;
    }
    // Ignoring the results: clearing credentials cannot fail on a URL that has a host.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    parsed.set_fragment(None);

    let mut params: Vec<&str> = parsed
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|param| !param.is_empty() && !is_tracking(param))
        .collect();
    params.sort_unstable();
    let query = params.join("&");
    parsed.set_query(if query.is_empty() { None } else { Some(&query) });
    Ok(parsed.into())
}

fn is_tracking(param: &str) -> bool {
    let key = param.split('=').next().unwrap_or_default();
    let key: String = url::form_urlencoded::parse(key.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default()
        .to_ascii_lowercase();
    key.starts_with("utm_") || TRACKING_PARAMS.contains(&key.as_str())
}

fn truncate(url: &str) -> String {
    if url.len() <= MAX_URL_IN_ERROR {
        return url.to_owned();
    }
    let mut end = MAX_URL_IN_ERROR;
    while !url.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &url[..end])
}

/// Stable id of an article: the first 16 bytes of the SHA-256 of its normalized URL, as 32 lowercase
/// hex characters.
pub fn article_id(normalized_url: &str) -> String {
    let digest = Sha256::digest(normalized_url.as_bytes());
    hex(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Result<&str, &str>) {
        let got = normalize_url(input).map_err(|err| err.to_string());
        match (got, expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "normalize_url({input:?})"),
            (Err(got), Err(want)) => assert!(got.contains(want), "normalize_url({input:?}): error {got:?}"),
            (got, want) => panic!("normalize_url({input:?}) = {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn normalization() {
        check("https://example.com/a", Ok("https://example.com/a"));
        check(
            "HTTPS://Example.COM/News/Story.html",
            Ok("https://example.com/News/Story.html"),
        );
        check("http://example.com:80/a", Ok("http://example.com/a"));
        check("https://example.com:443/a", Ok("https://example.com/a"));
        check("https://example.com:8443/a", Ok("https://example.com:8443/a"));
        check("https://example.com", Ok("https://example.com/"));
        check("https://example.com./a", Ok("https://example.com/a"));
        check("https://example.com/a#comments", Ok("https://example.com/a"));
        check("https://example.com/a?", Ok("https://example.com/a"));
        check("https://example.com/a?#top", Ok("https://example.com/a"));
        check("https://user:pw@example.com/a", Ok("https://example.com/a"));
        check("  https://example.com/a  ", Ok("https://example.com/a"));
        check(
            "https://example.com/a?utm_source=tw&utm_medium=social&UTM_Campaign=x&id=7",
            Ok("https://example.com/a?id=7"),
        );
        check(
            "https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6&igshid=7&_ga=8&yclid=9&ref_src=twsrc",
            Ok("https://example.com/a"),
        );
        check(
            "https://example.com/a?b=2&a=1&c=3",
            Ok("https://example.com/a?a=1&b=2&c=3"),
        );
        check(
            "https://example.com/a?b=2&&a=1&",
            Ok("https://example.com/a?a=1&b=2"),
        );
        check(
            "https://example.com/a?q=x%20y&utm_term=z",
            Ok("https://example.com/a?q=x%20y"),
        );
        check(
            "https://example.com/a?utm%5Fsource=x&p=1",
            Ok("https://example.com/a?p=1"),
        );
        check(
            "https://example.com/a?a=2&a=1",
            Ok("https://example.com/a?a=1&a=2"),
        );
        check(
            "https://example.com/a?ref=home",
            Ok("https://example.com/a?ref=home"),
        );
        check(
            "https://BÜCHER.example/Straße",
            Ok("https://xn--bcher-kva.example/Stra%C3%9Fe"),
        );
        check("not a url", Err("invalid url"));
        check("ftp://example.com/a", Err("unsupported scheme"));
        check("mailto:someone@example.com", Err("unsupported scheme"));
        check("https://", Err("invalid url"));
    }

    #[test]
    fn normalization_is_idempotent() {
        for url in [
            "HTTP://A.com:80/x?b=1&utm_x=2&a=3#f",
            "https://example.com/a?q=x%20y",
        ] {
            let once = normalize_url(url).unwrap();
            assert_eq!(normalize_url(&once).unwrap(), once);
        }
    }

    #[test]
    fn article_ids() {
        let id = article_id("https://example.com/a");
        assert_eq!(id.len(), 32);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(id, article_id("https://example.com/a"));
        assert_ne!(id, article_id("https://example.com/b"));
        // First 16 bytes of sha256("") in hex.
        assert_eq!(article_id(""), "e3b0c44298fc1c149afbf4c8996fb924");
    }
}
