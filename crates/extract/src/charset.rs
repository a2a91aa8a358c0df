//! Charset detection and decoding.
//!
//! Text that comes in as text ([`Html::Text`]) is used as it is: it was
//! decoded once already, and a charset the page or the response declares
//! described the bytes it was decoded from. Bytes are decoded in this order:
//! byte order mark, then the `Content-Type` charset, then a
//! `<meta charset>` / `http-equiv` declaration in the first few KB, then
//! detection with chardetng. A declared UTF-8 that the bytes contradict is
//! ignored in favour of the next source (servers often send a default
//! `charset=utf-8` for pages written in a legacy encoding).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use crate::{ExtractError, Html};

/// How far into the document a `<meta>` charset declaration is looked for.
const META_SCAN_BYTES: usize = 8192;

/// How much text the charset detector sees.
const DETECT_SAMPLE_BYTES: usize = 16 * 1024;

/// Decoded page text plus the encoding used.
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static Encoding,
}

/// The page's text: [`Html::Text`] as it is, without a leading U+FEFF;
/// [`Html::Bytes`] decoded (see [`decode_bytes`]).
pub(crate) fn decode<'a>(
    html: Html<'a>,
    content_type: Option<&str>,
    url: &str,
) -> Result<Decoded<'a>, ExtractError> {
    match html {
        Html::Text(text) => Ok(Decoded {
            text: Cow::Borrowed(text.strip_prefix('\u{FEFF}').unwrap_or(text)),
            encoding: UTF_8,
        }),
        Html::Bytes(bytes) => decode_bytes(bytes, content_type, url),
    }
}

/// Detects the encoding of `bytes` and decodes them; the bytes have passed
/// the guard's checks. Input with a byte order mark that decodes to nothing
/// but whitespace is rejected as empty.
fn decode_bytes<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    url: &str,
) -> Result<Decoded<'a>, ExtractError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let (text, _) = enc.decode_without_bom_handling(rest);
        if text.trim().is_empty() {
            return Err(ExtractError::NotHtml("empty input"));
        }
        return Ok(Decoded { text, encoding: enc });
    }
    let encoding = detect(bytes, content_type, url);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Ok(Decoded { text, encoding })
}

/// Picks the encoding for `bytes` (which carry no BOM).
pub(crate) fn detect(bytes: &[u8], content_type: Option<&str>, url: &str) -> &'static Encoding {
    let header = content_type.and_then(charset_param).and_then(label);
    let head = bytes.get(..bytes.len().min(META_SCAN_BYTES)).unwrap_or(bytes);
    let declared = meta_charset(head).and_then(label).map(|e| {
        // A document that can declare its charset in ASCII is not UTF-16.
        if e == UTF_16LE || e == UTF_16BE { UTF_8 } else { e }
    });
    let mut utf8_valid: Option<bool> = None;
    let mut is_utf8 = || *utf8_valid.get_or_insert_with(|| looks_utf8(bytes));
    for enc in [header, declared].into_iter().flatten() {
        if enc == UTF_8 {
            if is_utf8() {
                return UTF_8;
            }
            continue;
        }
        if (enc == UTF_16LE || enc == UTF_16BE) && !bytes.contains(&0) {
            continue;
        }
        return enc;
    }
    if is_utf8() {
        return UTF_8;
    }
    // The detector learns from non-ASCII bytes only; 16 KB of text from
    // the first of them on decide as well as the whole page, at a fraction
    // of the cost.
    let first = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let from = first.saturating_sub(256);
    let sample = bytes
        .get(from..bytes.len().min(from + DETECT_SAMPLE_BYTES))
        .unwrap_or(bytes);
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, true);
    let tld = url::Url::parse(url).ok().and_then(|u| {
        u.host_str()
            .and_then(|h| h.rsplit('.').next())
            .map(str::to_ascii_lowercase)
    });
    detector.guess(tld.as_deref().map(str::as_bytes), true)
}

/// Valid UTF-8, tolerating a sequence cut off at the very end.
fn looks_utf8(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// Maps a charset label to an encoding; `replacement` counts as unknown.
fn label(l: &str) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(l.trim().trim_matches(['"', '\'']).as_bytes())?;
    (enc != encoding_rs::REPLACEMENT).then_some(enc)
}

/// The `charset` parameter of a `Content-Type`-style value.
pub(crate) fn charset_param(ct: &str) -> Option<&str> {
    let lower = ct.to_ascii_lowercase();
    let pos = lower.find("charset")?;
    let rest = ct.get(pos + "charset".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
        .unwrap_or(rest.len());
    let v = rest.get(..end)?;
    (!v.is_empty()).then_some(v)
}

/// Finds a charset declared in a `<meta>` tag in `head` (raw bytes, any
/// ASCII-compatible encoding).
pub(crate) fn meta_charset(head: &[u8]) -> Option<&str> {
    let mut i = 0usize;
    while let Some(off) = head.get(i..).and_then(|s| s.iter().position(|&c| c == b'<')) {
        let at = i + off;
        if head.get(at..at + 4) == Some(b"<!--") {
            let end = head
                .get(at + 4..)
                .and_then(|s| s.windows(3).position(|w| w == b"-->"))
                .map_or(head.len(), |p| at + 4 + p + 3);
            i = end;
            continue;
        }
        let is_meta = head
            .get(at + 1..at + 5)
            .is_some_and(|n| n.eq_ignore_ascii_case(b"meta"))
            && head
                .get(at + 5)
                .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/');
        i = at + 1;
        if !is_meta {
            continue;
        }
        let attrs = parse_attrs(head.get(at + 5..).unwrap_or_default());
        let mut charset = None;
        let mut http_equiv_ct = false;
        let mut content = None;
        for (name, value) in attrs {
            if name.eq_ignore_ascii_case(b"charset") {
                charset = Some(value);
            } else if name.eq_ignore_ascii_case(b"http-equiv") {
                http_equiv_ct = value.eq_ignore_ascii_case(b"content-type");
            } else if name.eq_ignore_ascii_case(b"content") {
                content = Some(value);
            }
        }
        if let Some(cs) = charset.and_then(|v| std::str::from_utf8(v).ok())
            && !cs.trim().is_empty()
        {
            return Some(cs);
        }
        if http_equiv_ct
            && let Some(cs) = content
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(charset_param)
        {
            return Some(cs);
        }
    }
    None
}

/// Parses attributes of a tag starting right after its name, up to `>`.
fn parse_attrs(s: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out = Vec::new();
    let mut i = 0usize;
    let at = |i: usize| s.get(i).copied();
    loop {
        while at(i).is_some_and(|c| c.is_ascii_whitespace() || c == b'/') {
            i += 1;
        }
        match at(i) {
            None | Some(b'>') => break,
            _ => {}
        }
        let name_start = i;
        while at(i).is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/')) {
            i += 1;
        }
        let name = s.get(name_start..i).unwrap_or_default();
        while at(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        if at(i) != Some(b'=') {
            out.push((name, &b""[..]));
            if name.is_empty() {
                i += 1;
            }
            continue;
        }
        i += 1;
        while at(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let value = match at(i) {
            Some(q @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = s
                    .get(start..)
                    .and_then(|r| r.iter().position(|&c| c == q))
                    .map_or(s.len(), |p| start + p);
                i = end + 1;
                s.get(start..end).unwrap_or_default()
            }
            _ => {
                let start = i;
                while at(i).is_some_and(|c| !c.is_ascii_whitespace() && c != b'>') {
                    i += 1;
                }
                s.get(start..i).unwrap_or_default()
            }
        };
        out.push((name, value));
        if out.len() > 64 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(bytes: &[u8], content_type: Option<&str>, url: &str, expected: &str) {
        let got = decode(Html::Bytes(bytes), content_type, url).map(|d| d.encoding.name());
        assert_eq!(got, Ok(expected));
    }

    fn page(charset_meta: &str, body: &str, enc: &'static Encoding) -> Vec<u8> {
        let html =
            format!("<html><head>{charset_meta}<title>t</title></head><body><p>{body}</p></body></html>");
        enc.encode(&html).0.into_owned()
    }

    const RU: &str = "Генеральный секретарь НАТО заявил, что альянс продолжит поддерживать Украину \
                      столько, сколько потребуется. Министры иностранных дел встретятся в Бухаресте.";
    const DE: &str = "Die Straßenbahn fährt über die Brücke, während Jürgen Müller Äpfel für die Großmutter \
                      kauft. Schöne Grüße aus Köln und Düsseldorf, sagte er gegenüber der Zeitung.";
    const JA: &str = "北大西洋条約機構の事務総長は、ウクライナへの支援を続けると述べました。来週、外相会合が開かれる予定です。\
                      ロシアの攻撃により、多くの市民が暖房や電気を失っています。";
    const KO: &str = "북대서양조약기구 사무총장은 우크라이나에 대한 지원을 계속하겠다고 말했습니다. 다음 주에 외무장관 회의가 열릴 예정입니다. \
                      러시아의 공격으로 많은 시민들이 난방과 전기를 잃었습니다.";
    const ZH: &str = "北约秘书长表示，北约将继续坚定支持乌克兰。下周将在布加勒斯特举行外长会议。\
                      俄罗斯的导弹袭击使许多平民失去了供暖、电力和食物。";

    #[test]
    fn bom_wins() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(&page("<meta charset=windows-1252>", "hi", UTF_8));
        check(&b, Some("text/html; charset=iso-8859-1"), "http://x.de/", "UTF-8");
        let mut b = vec![0xFF, 0xFE];
        for c in "<html><p>hi</p>".encode_utf16() {
            b.extend_from_slice(&c.to_le_bytes());
        }
        check(&b, None, "http://x.de/", "UTF-16LE");
    }

    #[test]
    fn header_then_meta() {
        let ru = page("", RU, encoding_rs::WINDOWS_1251);
        check(
            &ru,
            Some("text/html; charset=windows-1251"),
            "http://x.com/",
            "windows-1251",
        );
        check(
            &ru,
            Some("text/html;charset=\"CP1251\""),
            "http://x.com/",
            "windows-1251",
        );
        let ru = page(
            r#"<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">"#,
            RU,
            encoding_rs::WINDOWS_1251,
        );
        check(&ru, None, "http://x.com/", "windows-1251");
        // A server default of utf-8 is contradicted by the bytes: use the meta.
        check(
            &ru,
            Some("text/html; charset=UTF-8"),
            "http://x.com/",
            "windows-1251",
        );
        let de = page("<meta charset='iso-8859-1'>", DE, encoding_rs::WINDOWS_1252);
        check(&de, None, "http://x.de/", "windows-1252");
        let pl = page(
            "<meta charset=ISO-8859-2>",
            "Zażółć gęślą jaźń",
            encoding_rs::ISO_8859_2,
        );
        check(&pl, None, "http://x.pl/", "ISO-8859-2");
        let sjis = page("<meta charset=\"Shift_JIS\">", JA, encoding_rs::SHIFT_JIS);
        check(&sjis, None, "http://x.com/", "Shift_JIS");
        let gb = page("<meta charset=gb2312>", ZH, encoding_rs::GBK);
        check(&gb, None, "http://x.com/", "GBK");
        // Commented-out declarations do not count.
        let c = page("<!-- <meta charset=koi8-r> --><meta charset=utf-8>", "ok", UTF_8);
        check(&c, None, "http://x.com/", "UTF-8");
    }

    #[test]
    fn sniffing() {
        check(&page("", DE, UTF_8), None, "http://x.de/", "UTF-8");
        check(&page("", "plain ascii", UTF_8), None, "http://x.com/", "UTF-8");
        check(
            &page("", RU, encoding_rs::WINDOWS_1251),
            None,
            "http://x.ru/",
            "windows-1251",
        );
        check(
            &page("", DE, encoding_rs::WINDOWS_1252),
            None,
            "http://x.de/",
            "windows-1252",
        );
        check(
            &page("", JA, encoding_rs::SHIFT_JIS),
            None,
            "http://x.jp/",
            "Shift_JIS",
        );
        check(&page("", KO, encoding_rs::EUC_KR), None, "http://x.kr/", "EUC-KR");
        check(&page("", ZH, encoding_rs::GBK), None, "http://x.cn/", "GBK");
    }

    #[test]
    fn text_is_never_decoded_again() {
        // Decoded text keeps the declaration of the bytes it came from: neither it nor the header applies.
        let html = format!("<html><head><meta charset=koi8-r></head><body><p>{RU}</p></body></html>");
        let d = decode(
            Html::Text(&html),
            Some("text/html; charset=windows-1251"),
            "http://x.ru/",
        )
        .map(|d| (d.encoding.name(), d.text.into_owned()));
        assert_eq!(d, Ok(("UTF-8", html)));
        let d = decode(Html::Text("\u{FEFF}<p>x</p>"), None, "http://x.ru/").map(|d| d.text.into_owned());
        assert_eq!(d, Ok("<p>x</p>".to_owned()));
    }

    #[test]
    fn charset_param_values() {
        assert_eq!(charset_param("text/html; charset=UTF-8"), Some("UTF-8"));
        assert_eq!(
            charset_param("text/html; Charset = \"koi8-r\"; x=y"),
            Some("koi8-r")
        );
        assert_eq!(charset_param("text/html"), None);
        assert_eq!(charset_param("text/html; charset="), None);
    }
}
