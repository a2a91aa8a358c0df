//! Date parsing and normalization to RFC 3339 with an offset.
//!
//! Structured values (JSON-LD, `<meta>`, `<time datetime>`) keep their time
//! and offset; a value without an offset is taken as UTC. Dates found in
//! running text or in the URL only give a day, rendered as `T00:00:00Z`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};

/// Years accepted from text and URLs (structured values allow a wider range).
const TEXT_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;
const STRUCTURED_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

fn day(y: i32, m: u32, d: u32, years: &std::ops::RangeInclusive<i32>) -> Option<String> {
    if !years.contains(&y) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    Some(format!("{}T00:00:00Z", date.format("%Y-%m-%d")))
}

fn render(dt: DateTime<FixedOffset>) -> Option<String> {
    use chrono::Datelike;
    if !STRUCTURED_YEARS.contains(&dt.year()) {
        return None;
    }
    Some(dt.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// Normalizes a machine-readable date (ISO 8601 variants, RFC 2822, Unix
/// time); falls back to looking for a human-readable date in the string.
pub(crate) fn parse_structured(s: &str) -> Option<String> {
    parse_structured_in(s, true)
}

/// [`parse_structured`] for a page whose language tells the order of a
/// slashed date: `10/05/2022` is the 10th of May on a Spanish page.
pub(crate) fn parse_structured_in(s: &str, month_first: bool) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(v) = parse_iso(s) {
        return Some(v);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return render(dt);
    }
    if s.len() >= 9 && s.len() <= 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        let secs = if s.len() == 13 { n / 1000 } else { n };
        let dt = Utc.timestamp_opt(secs, 0).single()?;
        return render(dt.fixed_offset());
    }
    // Machine-written dates with slashes are month first (`11/01/2023 12:43`)
    // unless the page's language says otherwise.
    find_in_text(s, month_first)
}

/// The calendar day (`YYYY-MM-DD`) written in a normalized value.
pub(crate) fn day_of(v: &str) -> Option<&str> {
    v.get(..10)
}

/// True for a normalized value in UTC (which may not be the page's zone).
pub(crate) fn is_utc(v: &str) -> bool {
    v.ends_with('Z')
}

/// `other` when it is the same instant as `v` (to the minute) written with
/// a non-zero offset: the page's own zone for a value given in UTC.
pub(crate) fn same_instant_local(v: &str, other: &str) -> Option<String> {
    let a = DateTime::parse_from_rfc3339(v).ok()?;
    let b = DateTime::parse_from_rfc3339(other).ok()?;
    let same = (a.timestamp() - b.timestamp()).abs() < 60;
    (same && b.offset().local_minus_utc() != 0).then(|| other.to_string())
}

/// Re-renders the instant `v` with the smallest whole-hour offset (−8 to +5
/// hours: only a time close to midnight changes its day) under which it falls
/// on `day` (`YYYY-MM-DD`), the local day the page shows. `None` if no such
/// offset exists.
pub(crate) fn shift_to_day(v: &str, day: &str) -> Option<String> {
    let t = DateTime::parse_from_rfc3339(v).ok()?.with_timezone(&Utc);
    let target = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let mut hours: Vec<i32> = (-8..=5).collect();
    hours.sort_by_key(|h| h.abs());
    hours.into_iter().find_map(|h| {
        let offset = FixedOffset::east_opt(h * 3600)?;
        let local = t.with_timezone(&offset);
        (local.date_naive() == target).then(|| local.to_rfc3339_opts(SecondsFormat::Secs, true))
    })
}

/// Whole days between the calendar days of two normalized values.
pub(crate) fn days_between(a: &str, b: &str) -> Option<i64> {
    let day = |v: &str| NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok();
    Some((day(a)? - day(b)?).num_days().abs())
}

/// The calendar day after the day of `v`, as `YYYY-MM-DD`.
pub(crate) fn next_day(v: &str) -> Option<String> {
    let date = NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok()?;
    Some(date.succ_opt()?.format("%Y-%m-%d").to_string())
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            if self.i - start >= max {
                break;
            }
            v = v * 10 + u32::from(c - b'0');
            self.i += 1;
        }
        (self.i - start >= min).then_some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn rest(&self) -> &[u8] {
        self.b.get(self.i..).unwrap_or_default()
    }
}

/// ISO 8601 / RFC 3339 and close relatives: `2022-11-25`, `2022/11/25`,
/// `20221125`, with an optional `T` or space, `HH:MM[:SS[.fff]]` and a zone
/// (`Z`, `UTC`, `GMT`, `+01:00`, `+0100`, `+01`).
fn parse_iso(s: &str) -> Option<String> {
    let mut c = Cursor {
        b: s.as_bytes(),
        i: 0,
    };
    let y = c.num(4, 4)? as i32;
    let sep = c.peek();
    let (m, d) = if matches!(sep, Some(b'-' | b'/' | b'.')) {
        c.i += 1;
        let m = c.num(1, 2)?;
        if !c.eat(sep.unwrap_or(b'-')) {
            return None;
        }
        (m, c.num(1, 2)?)
    } else {
        (c.num(2, 2)?, c.num(2, 2)?)
    };
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return if c.rest().iter().all(u8::is_ascii_whitespace) {
            day(y, m, d, &STRUCTURED_YEARS)
        } else {
            None
        };
    }
    // Some CMSs drop the hour's leading zero (`2022-05-11T4:10:00`).
    let hh = c.num(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let mm = c.num(2, 2)?;
    let ss = if c.eat(b':') { c.num(2, 2)? } else { 0 };
    if c.eat(b'.') || c.eat(b',') {
        while c.peek().is_some_and(|b| b.is_ascii_digit()) {
            c.i += 1;
        }
    }
    let time = NaiveTime::from_hms_opt(hh, mm, ss.min(59))?;
    while c.eat(b' ') {}
    let rest = std::str::from_utf8(c.rest()).ok()?.trim();
    let offset_secs = parse_offset(rest)?;
    let offset = FixedOffset::east_opt(offset_secs)?;
    let dt = offset.from_local_datetime(&date.and_time(time)).single()?;
    render(dt)
}

/// Seconds east of UTC for a zone suffix; empty means UTC.
fn parse_offset(z: &str) -> Option<i32> {
    if z.is_empty() || matches!(z, "Z" | "z" | "UTC" | "GMT" | "UT") {
        return Some(0);
    }
    let sign = match z.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = z.get(1..)?.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits.get(..2)?.parse::<i32>().ok()?,
            digits.get(2..)?.parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 18 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

/// Month number for a month name or abbreviation (English, German, French,
/// Spanish, Italian, Portuguese, Dutch, Russian, Polish; more in
/// [`month_from_word_more`]).
fn month_from_word(w: &str) -> Option<u32> {
    let m = match w {
        "january" | "jan" | "januar" | "jänner" | "janvier" | "janv" | "enero" | "ene" | "gennaio"
        | "janeiro" | "januari" | "января" | "январь" | "stycznia" => 1,
        "february" | "feb" | "februar" | "feber" | "février" | "fevrier" | "févr" | "fevr" | "febrero"
        | "febbraio" | "fevereiro" | "februari" | "февраля" | "февраль" | "lutego" => 2,
        "march" | "mar" | "märz" | "maerz" | "mär" | "mars" | "marzo" | "março" | "marco" | "maart"
        | "марта" | "март" | "marca" => 3,
        "april" | "apr" | "avril" | "avr" | "abril" | "abr" | "aprile" | "апреля" | "апрель" | "kwietnia" => {
            4
        }
        "may" | "mai" | "mayo" | "maggio" | "maio" | "mei" | "мая" | "май" | "maja" => 5,
        "june" | "jun" | "juni" | "juin" | "junio" | "giugno" | "junho" | "июня" | "июнь" | "czerwca" => {
            6
        }
        "july" | "jul" | "juli" | "juillet" | "juil" | "julio" | "luglio" | "julho" | "июля" | "июль"
        | "lipca" => 7,
        "august" | "aug" | "août" | "aout" | "agosto" | "ago" | "augustus" | "августа" | "август"
        | "sierpnia" => 8,
        "september" | "sep" | "sept" | "septembre" | "septiembre" | "setiembre" | "settembre"
        | "setembro" | "сентября" | "сентябрь" | "września" | "wrzesnia" => 9,
        "october" | "oct" | "oktober" | "okt" | "octobre" | "octubre" | "ottobre" | "outubro" | "октября"
        | "октябрь" | "października" | "pazdziernika" => 10,
        "november" | "nov" | "novembre" | "noviembre" | "novembro" | "ноября" | "ноябрь" | "listopada" => {
            11
        }
        "december" | "dec" | "dezember" | "dez" | "décembre" | "decembre" | "déc" | "diciembre" | "dic"
        | "dicembre" | "dezembro" | "декабря" | "декабрь" | "grudnia" => 12,
        _ => return month_from_word_more(w),
    };
    Some(m)
}

/// Month names of more languages (Scandinavian, Czech, Finnish, Turkish,
/// Ukrainian, Greek, Romanian, Hungarian), in the form used in dates.
fn month_from_word_more(w: &str) -> Option<u32> {
    let m = match w {
        "ledna" | "tammikuuta" | "ocak" | "січня" | "ιανουαρίου" | "ianuarie" | "január" => 1,
        "února" | "helmikuuta" | "şubat" | "лютого" | "φεβρουαρίου" | "februarie" | "február" => {
            2
        }
        "března" | "maaliskuuta" | "mart" | "березня" | "μαρτίου" | "martie" | "március" => 3,
        "dubna" | "huhtikuuta" | "nisan" | "квітня" | "απριλίου" | "aprilie" | "április" => 4,
        "maj" | "května" | "toukokuuta" | "mayıs" | "травня" | "μαΐου" | "május" => 5,
        "června" | "kesäkuuta" | "haziran" | "червня" | "ιουνίου" | "iunie" | "június" => 6,
        "července" | "heinäkuuta" | "temmuz" | "липня" | "ιουλίου" | "iulie" | "július" => 7,
        "augusti" | "srpna" | "elokuuta" | "ağustos" | "серпня" | "αυγούστου" | "augusztus" => {
            8
        }
        "září" | "syyskuuta" | "eylül" | "вересня" | "σεπτεμβρίου" | "septembrie" | "szeptember" => {
            9
        }
        "října" | "lokakuuta" | "ekim" | "жовтня" | "οκτωβρίου" | "octombrie" | "október" => {
            10
        }
        "listopadu" | "marraskuuta" | "kasım" | "листопада" | "νοεμβρίου" | "noiembrie" => {
            11
        }
        "desember" | "prosince" | "joulukuuta" | "aralık" | "грудня" | "δεκεμβρίου" | "decembrie" => {
            12
        }
        _ => return None,
    };
    Some(m)
}

/// True for a month name in one of the supported languages.
pub(crate) fn is_month_word(w: &str) -> bool {
    month_from_word(w).is_some()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(u32, usize),
    Word(String),
    Sep(char),
}

fn tokenize(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut v: u32 = 0;
            let mut len = 0usize;
            while let Some(&d) = chars.peek().filter(|c| c.is_ascii_digit()) {
                v = v.saturating_mul(10).saturating_add(d.to_digit(10).unwrap_or(0));
                len += 1;
                chars.next();
            }
            out.push(Tok::Num(v, len));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&a) = chars.peek().filter(|a| a.is_alphabetic()) {
                w.extend(a.to_lowercase());
                chars.next();
            }
            out.push(Tok::Word(w));
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sep(c));
            }
            chars.next();
        }
    }
    out
}

/// Finds the first plausible calendar date in human-readable text:
/// `November 25, 2022`, `Nov. 25, 2022`, `25 November 2022`,
/// `25. November 2022`, `25 novembre 2022`, `25 de noviembre de 2022`,
/// `25.11.2022`, `25/11/2022` (`11/25/2022` when `month_first`), `2022-11-25`,
/// `25 | 11 | 2022`, and `Nov 252022` (day and year run together by markup).
pub(crate) fn find_in_text(s: &str, month_first: bool) -> Option<String> {
    find_date(s, month_first, false)
}

/// [`find_in_text`] for a line that is known to carry a date (a date
/// element, a byline, a labelled line): also `25.11.22`, day and month of
/// two digits and a two-digit year (`00`–`69` are 2000–2069).
pub(crate) fn find_in_date_line(s: &str, month_first: bool) -> Option<String> {
    find_date(s, month_first, true)
}

fn find_date(s: &str, month_first: bool, short_year: bool) -> Option<String> {
    let s = crate::text::truncate_chars(s, 2000);
    let toks = tokenize(s);
    let tok = |k: usize| toks.get(k);
    let num = |k: usize, min: usize, max: usize| match tok(k) {
        Some(Tok::Num(v, len)) if *len >= min && *len <= max => Some(*v),
        _ => None,
    };
    let sep = |k: usize, c: char| matches!(tok(k), Some(Tok::Sep(x)) if *x == c);
    let month = |k: usize| match tok(k) {
        Some(Tok::Word(w)) => month_from_word(w),
        _ => None,
    };
    let filler = |k: usize| {
        matches!(tok(k), Some(Tok::Word(w)) if matches!(w.as_str(), "de" | "del" | "di" | "th" | "st" | "nd" | "rd" | "er" | "o"))
            || sep(k, '.')
            || sep(k, ',')
    };
    let skip = |mut k: usize| {
        let mut n = 0;
        while filler(k) && n < 3 {
            k += 1;
            n += 1;
        }
        k
    };
    for k in 0..toks.len() {
        let y_ok = |y: Option<u32>| y.and_then(|y| i32::try_from(y).ok());
        // Numeric forms.
        if let Some(a) = num(k, 1, 4) {
            // `25.11.22` in a date line: nothing numeric around it.
            if short_year
                && num(k, 2, 2).is_some()
                && sep(k + 1, '.')
                && sep(k + 3, '.')
                && let (Some(m), Some(y)) = (num(k + 2, 2, 2), num(k + 4, 2, 2))
                && !(sep(k + 5, '.') && num(k + 6, 1, 4).is_some())
                && !(k >= 1 && sep(k - 1, '.'))
                && let Some(v) = day(if y < 70 { 2000 } else { 1900 } + y as i32, m, a, &TEXT_YEARS)
            {
                return Some(v);
            }
            for sc in ['.', '/', '-', '|'] {
                if !(sep(k + 1, sc) && sep(k + 3, sc)) {
                    continue;
                }
                let Some(b) = num(k + 2, 1, 2) else { continue };
                let len_a = match tok(k) {
                    Some(Tok::Num(_, l)) => *l,
                    _ => 0,
                };
                if len_a == 4 {
                    if let Some(d) = num(k + 4, 1, 2)
                        && let Some(v) = day(a as i32, b, d, &TEXT_YEARS)
                    {
                        return Some(v);
                    }
                } else if let Some(y) = y_ok(num(k + 4, 4, 4)) {
                    if len_a > 2 || (sc == '|' && len_a != 2) {
                        continue;
                    }
                    let (m, d) = if sc == '/' && (b > 12 || (month_first && a <= 12)) {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    if let Some(v) = day(y, m, d, &TEXT_YEARS) {
                        return Some(v);
                    }
                }
            }
            // Day, month name, year.
            if let Some(d) = num(k, 1, 2) {
                let j = skip(k + 1);
                if let Some(m) = month(j) {
                    let j = skip(j + 1);
                    if let Some(y) = y_ok(num(j, 4, 4))
                        && let Some(v) = day(y, m, d, &TEXT_YEARS)
                    {
                        return Some(v);
                    }
                }
            }
        }
        // Year, month, day with CJK markers: `2019年6月24日`, `2019년 6월 24일`.
        if let Some(y) = y_ok(num(k, 4, 4))
            && matches!(tok(k + 1), Some(Tok::Word(w)) if w == "年" || w == "년")
            && let Some(m) = num(k + 2, 1, 2)
            && matches!(tok(k + 3), Some(Tok::Word(w)) if w == "月" || w == "월")
            && let Some(d) = num(k + 4, 1, 2)
            && matches!(tok(k + 5), Some(Tok::Word(w)) if w.starts_with('日') || w.starts_with('일'))
            && let Some(v) = day(y, m, d, &TEXT_YEARS)
        {
            return Some(v);
        }
        // Year, month name, day: `2019. június 24.`, `2022 Nov 25`.
        if let Some(y) = y_ok(num(k, 4, 4)) {
            let j = skip(k + 1);
            if let Some(m) = month(j) {
                let j = skip(j + 1);
                if let Some(d) = num(j, 1, 2)
                    && !matches!(tok(j + 1), Some(Tok::Sep(':')))
                    && let Some(v) = day(y, m, d, &TEXT_YEARS)
                {
                    return Some(v);
                }
            }
        }
        // Month name, day, year.
        if let Some(m) = month(k) {
            let j = skip(k + 1);
            // Day and year in adjacent elements with no space: `Feb 182009`.
            if let Some(dy) = num(j, 6, 6)
                && let Some(v) = day((dy % 10000) as i32, m, dy / 10000, &TEXT_YEARS)
            {
                return Some(v);
            }
            if let Some(d) = num(j, 1, 2) {
                let j = skip(j + 1);
                if let Some(y) = y_ok(num(j, 4, 4))
                    && let Some(v) = day(y, m, d, &TEXT_YEARS)
                {
                    return Some(v);
                }
            }
        }
    }
    None
}

/// A day encoded in a URL path: `/2022/11/25/`, `/2022-11-25-slug`,
/// `/20221125/`.
pub(crate) fn from_url(url: &str) -> Option<String> {
    let path = match url::Url::parse(url) {
        Ok(u) => u.path().to_string(),
        Err(_) => url.to_string(),
    };
    let b = path.as_bytes();
    // Digit runs with their positions.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        if b.get(i).is_some_and(u8::is_ascii_digit) {
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    let val = |r: (usize, usize)| path.get(r.0..r.1).and_then(|s| s.parse::<u32>().ok());
    let single_sep = |a: (usize, usize), b2: (usize, usize)| {
        b2.0 == a.1 + 1 && matches!(b.get(a.1), Some(b'/' | b'-' | b'_'))
    };
    // Day, month, year: `/29-10-2021`, `/23-01-2022-slug`.
    for w in runs.windows(3) {
        let &[r1, r2, r3] = w else { continue };
        if r1.1 - r1.0 <= 2
            && r2.1 - r2.0 <= 2
            && r3.1 - r3.0 == 4
            && single_sep(r1, r2)
            && single_sep(r2, r3)
            && b.get(r1.1) == b.get(r2.1)
            && (r1.0 == 0 || matches!(b.get(r1.0 - 1), Some(b'/' | b'-' | b'_')))
            && let (Some(d), Some(m), Some(y)) = (val(r1), val(r2), val(r3))
            && let Some(v) = day(y as i32, m, d, &TEXT_YEARS)
        {
            return Some(v);
        }
    }
    for (k, &r) in runs.iter().enumerate() {
        let len = r.1 - r.0;
        if len == 8 {
            let s = path.get(r.0..r.1)?;
            let (y, m, d) = (
                s.get(..4)?.parse::<i32>().ok()?,
                s.get(4..6)?.parse::<u32>().ok()?,
                s.get(6..8)?.parse::<u32>().ok()?,
            );
            if let Some(v) = day(y, m, d, &TEXT_YEARS) {
                return Some(v);
            }
        }
        if len != 4 {
            continue;
        }
        let (Some(&r2), Some(&r3)) = (runs.get(k + 1), runs.get(k + 2)) else {
            continue;
        };
        if !(single_sep(r, r2) && single_sep(r2, r3)) || r2.1 - r2.0 > 2 || r3.1 - r3.0 > 2 {
            continue;
        }
        if let (Some(y), Some(m), Some(d)) = (val(r), val(r2), val(r3))
            && let Some(v) = day(y as i32, m, d, &TEXT_YEARS)
        {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(parse_structured(input).as_deref(), expected, "input: {input:?}");
    }

    #[track_caller]
    fn check_text(input: &str, expected: Option<&str>) {
        assert_eq!(
            find_in_text(input, false).as_deref(),
            expected,
            "input: {input:?}"
        );
    }

    #[track_caller]
    fn check_url(input: &str, expected: Option<&str>) {
        assert_eq!(from_url(input).as_deref(), expected, "input: {input:?}");
    }

    #[test]
    fn structured() {
        check("2022-11-25T14:13:07Z", Some("2022-11-25T14:13:07Z"));
        check("2022-11-25T14:13:07.000Z", Some("2022-11-25T14:13:07Z"));
        check("2022-11-25T14:13:07+01:00", Some("2022-11-25T14:13:07+01:00"));
        check("2022-11-25T14:13:07+0100", Some("2022-11-25T14:13:07+01:00"));
        check("2022-11-25T14:13:07-05", Some("2022-11-25T14:13:07-05:00"));
        check("2022-11-25T14:13:07+00:00", Some("2022-11-25T14:13:07Z"));
        check("2022-11-25 14:13", Some("2022-11-25T14:13:00Z"));
        check("2022-05-11T4:10:00", Some("2022-05-11T04:10:00Z"));
        check("2022-11-25T14:13:07", Some("2022-11-25T14:13:07Z"));
        check("2022-11-25", Some("2022-11-25T00:00:00Z"));
        check(" 2022/11/25 ", Some("2022-11-25T00:00:00Z"));
        check("20221125", Some("2022-11-25T00:00:00Z"));
        check("Fri, 25 Nov 2022 14:13:07 +0000", Some("2022-11-25T14:13:07Z"));
        check("Fri, 25 Nov 2022 14:13:07 GMT", Some("2022-11-25T14:13:07Z"));
        check("1669385587", Some("2022-11-25T14:13:07Z"));
        check("1669385587000", Some("2022-11-25T14:13:07Z"));
        check("November 25, 2022", Some("2022-11-25T00:00:00Z"));
        // Machine-written slashes are month first.
        check("11/01/2023 12:43:42", Some("2023-11-01T00:00:00Z"));
        assert_eq!(
            parse_structured_in("10/05/2022 05:22 pm", false).as_deref(),
            Some("2022-05-10T00:00:00Z")
        );
        check("2022-13-45", None);
        check("2022-02-30T10:00:00Z", None);
        check("yesterday", None);
        check("", None);
    }

    #[test]
    fn in_text() {
        check_text("Published November 25, 2022 at 3pm", Some("2022-11-25T00:00:00Z"));
        check_text("Nov. 25, 2022", Some("2022-11-25T00:00:00Z"));
        check_text("Friday, November 25th, 2022", Some("2022-11-25T00:00:00Z"));
        check_text("25 November 2022", Some("2022-11-25T00:00:00Z"));
        check_text("Von Anna · 25. November 2022", Some("2022-11-25T00:00:00Z"));
        check_text("am 3. März 2021 um 12:00", Some("2021-03-03T00:00:00Z"));
        check_text("publié le 25 novembre 2022", Some("2022-11-25T00:00:00Z"));
        check_text("1er décembre 2022", Some("2022-12-01T00:00:00Z"));
        check_text("25 de noviembre de 2022", Some("2022-11-25T00:00:00Z"));
        check_text("25 ноября 2022 г.", Some("2022-11-25T00:00:00Z"));
        check_text("Stand: 25.11.2022, 14:30 Uhr", Some("2022-11-25T00:00:00Z"));
        check_text("25/11/2022", Some("2022-11-25T00:00:00Z"));
        check_text("11/25/2022", Some("2022-11-25T00:00:00Z"));
        assert_eq!(
            find_in_text("03/04/2022", true).as_deref(),
            Some("2022-03-04T00:00:00Z")
        );
        check_text("03/04/2022", Some("2022-04-03T00:00:00Z"));
        check_text("updated 2022-11-25", Some("2022-11-25T00:00:00Z"));
        check_text("in 1850 there were 25 May 1850", None);
        check_text("no date here, 12 apples", None);
        check_text("version 31.12", None);
        // Day and month of two digits with a bar between.
        check_text("26 | 01 | 2022", Some("2022-01-26T00:00:00Z"));
        check_text("Seite 1 | 2 | 2022", None);
        // Day and year run together by markup.
        check_text("Feb 182009", Some("2009-02-18T00:00:00Z"));
        check_text("Feb 182009 Jan", Some("2009-02-18T00:00:00Z"));
        check_text("May 123456", None);
        // More languages, CJK markers, year first.
        check_text("24. kesäkuuta 2019", Some("2019-06-24T00:00:00Z"));
        check_text("12. května 2021", Some("2021-05-12T00:00:00Z"));
        check_text("3 Ekim 2022", Some("2022-10-03T00:00:00Z"));
        check_text("14 августа 2020", Some("2020-08-14T00:00:00Z"));
        check_text("5 травня 2021", Some("2021-05-05T00:00:00Z"));
        check_text("den 9 augusti 2021", Some("2021-08-09T00:00:00Z"));
        check_text("2019年6月24日 11時30分", Some("2019-06-24T00:00:00Z"));
        check_text("2019년 6월 24일", Some("2019-06-24T00:00:00Z"));
        check_text("[06月24日 11時30分]", None);
        check_text("2019. június 24.", Some("2019-06-24T00:00:00Z"));
        check_text("2022 Nov 25", Some("2022-11-25T00:00:00Z"));
        check_text("2022 May 12:30", None);
        // Two-digit years only in date lines.
        check_text("Jane Doe | 06.11.23", None);
        let line = |s: &str| find_in_date_line(s, false);
        assert_eq!(
            line("Jane Doe | 06.11.23").as_deref(),
            Some("2023-11-06T00:00:00Z")
        );
        assert_eq!(line("04.05.20 14:50").as_deref(), Some("2020-05-04T00:00:00Z"));
        assert_eq!(line("31.12.99").as_deref(), Some("1999-12-31T00:00:00Z"));
        assert_eq!(line("am 25.11.2022").as_deref(), Some("2022-11-25T00:00:00Z"));
        assert_eq!(line("v1.10.12.19"), None);
        assert_eq!(line("10.12.19.4"), None);
        assert_eq!(line("6.11.23"), None);
        assert_eq!(line("45.11.23"), None);
    }

    #[test]
    fn in_url() {
        check_url(
            "https://x.com/news/2022/11/25/nato-chief",
            Some("2022-11-25T00:00:00Z"),
        );
        check_url(
            "https://x.com/2022-11-25-nato-chief",
            Some("2022-11-25T00:00:00Z"),
        );
        check_url("https://x.com/a/20221125/b.html", Some("2022-11-25T00:00:00Z"));
        check_url("https://x.com/en/nato-chief/a-63888888", None);
        check_url("https://x.com/2022/11/nato", None);
        check_url("https://x.com/2022/13/45/x", None);
        check_url("https://x.com/meldungen/29-10-2021", Some("2021-10-29T00:00:00Z"));
        check_url(
            "https://x.com/de/newsroom/23-01-2022-sieg-im-sprint/17-378.html",
            Some("2022-01-23T00:00:00Z"),
        );
        check_url("https://x.com/artikel/30-11-buch-der-woche", None);
    }

    #[test]
    fn local_days() {
        // The page's own offset for the same instant.
        assert_eq!(
            same_instant_local("2022-05-04T03:37:37Z", "2022-05-03T23:37:37-04:00").as_deref(),
            Some("2022-05-03T23:37:37-04:00")
        );
        assert_eq!(
            same_instant_local("2022-05-04T03:37:37Z", "2022-05-04T03:37:37Z"),
            None
        );
        assert_eq!(
            same_instant_local("2022-05-04T03:37:37Z", "2022-05-03T20:00:00-04:00"),
            None
        );
        // Shifted onto the day the page shows, near midnight only.
        assert_eq!(
            shift_to_day("2022-11-06T23:00:00Z", "2022-11-07").as_deref(),
            Some("2022-11-07T00:00:00+01:00")
        );
        assert_eq!(
            shift_to_day("2020-02-25T02:25:54Z", "2020-02-24").as_deref(),
            Some("2020-02-24T23:25:54-03:00")
        );
        assert_eq!(shift_to_day("2022-05-03T13:32:45Z", "2022-05-04"), None);
        assert_eq!(next_day("2022-12-31T23:00:00Z").as_deref(), Some("2023-01-01"));
        assert_eq!(
            days_between("2022-01-01T10:00:00Z", "2021-12-30T00:00:00+01:00"),
            Some(2)
        );
        assert!(is_utc("2022-01-01T10:00:00Z"));
        assert_eq!(day_of("2022-01-01T10:00:00+01:00"), Some("2022-01-01"));
    }
}
