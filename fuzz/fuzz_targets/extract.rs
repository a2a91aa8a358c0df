//! Any bytes, with any content type and URL, must give a result or an error: never a panic, a hang or
//! an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a content type, so charset and content-type paths are reached too.
    let (selector, html) = data.split_first().map_or((0, data), |(s, rest)| (*s, rest));
    let content_type = match selector % 6 {
        0 => None,
        1 => Some("text/html; charset=utf-8"),
        2 => Some("text/html; charset=windows-1251"),
        3 => Some("text/html; charset=shift_jis"),
        4 => Some("application/octet-stream"),
        _ => Some("text/html"),
    };
    let url = "https://news.example.com/2022/11/25/story";
    let config = extract::ExtractConfig::default();
    let input = extract::Input { html: extract::Html::Bytes(html), url, content_type };
    let _ = extract::extract(&input, &config);
    // The same data as text already decoded, when it is UTF-8: a charset declared anywhere is not applied.
    if let Ok(text) = std::str::from_utf8(html) {
        let input = extract::Input { html: extract::Html::Text(text), url, content_type };
        let _ = extract::extract(&input, &config);
    }
});
