//! JSON-LD (schema.org) metadata: tolerant parsing and field picking.

use std::collections::{HashMap, VecDeque};

use serde_json::{Map, Value};

use crate::dom::Dom;

/// schema.org types treated as articles.
const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BackgroundNewsArticle",
    "AskPublicNewsArticle",
    "SatiricalArticle",
    "ScholarlyArticle",
    "TechArticle",
    "Report",
    "LiveBlogPosting",
    "SocialMediaPosting",
    "DiscussionForumPosting",
    "Review",
];

/// Keys under which articles are listed rather than being the page itself.
const LIST_KEYS: &[&str] = &[
    "itemListElement",
    "hasPart",
    "isPartOf",
    "relatedLink",
    "citation",
];

/// What the page's JSON-LD says.
#[derive(Debug, Default, Clone)]
pub(crate) struct LdInfo {
    pub headline: Option<String>,
    pub authors: Vec<String>,
    /// Authors typed as organizations.
    pub author_orgs: Vec<String>,
    pub date_published: Option<String>,
    pub date_modified: Option<String>,
    pub description: Option<String>,
    /// The full text, when the page gives it (`articleBody`).
    pub article_body: Option<String>,
    pub url: Option<String>,
    pub image: Option<String>,
    pub keywords: Vec<String>,
    pub sections: Vec<String>,
    pub publisher: Option<String>,
    /// The publisher is typed as an organization (not a person).
    pub publisher_is_org: bool,
    pub website_name: Option<String>,
    pub language: Option<String>,
    /// An article-typed object describes the page itself.
    pub is_article: bool,
    /// A listing type (CollectionPage, ItemList, ...) describes the page.
    pub is_listing: bool,
    /// A SearchResultsPage describes the page.
    pub is_search: bool,
    /// The page's article, or a part of it (`hasPart`), says it is not free
    /// to read (`isAccessibleForFree: false`).
    pub not_free: bool,
    /// The CSS selectors of the parts declared not free (`hasPart` /
    /// `cssSelector`): where the page puts the text kept for subscribers.
    pub paywalled_selectors: Vec<String>,
}

/// The JSON-LD of a `<script type="application/ld+json">` element (`i`),
/// parsed into `ld_values` (at most 64 values).
pub(super) fn collect<'a>(
    dom: &Dom<'a>,
    i: usize,
    attr: impl Fn(&str) -> Option<&'a str>,
    ld_values: &mut Vec<Value>,
) {
    let ty = attr("type").unwrap_or_default().trim().to_ascii_lowercase();
    if ty == "application/ld+json" && ld_values.len() < 64 {
        let mut raw = String::new();
        for c in dom.children(i) {
            if let Some(t) = dom.text(c) {
                raw.push_str(t);
            }
        }
        parse_script(&raw, ld_values);
    }
}

/// Parses every JSON value found in a `<script type="application/ld+json">`
/// body, tolerating comments/CDATA wrappers, raw control characters inside
/// strings, trailing semicolons and concatenated documents.
pub(crate) fn parse_script(raw: &str, out: &mut Vec<Value>) {
    let mut s = raw.trim();
    for wrapper in ["<!--", "//<![CDATA[", "<![CDATA["] {
        s = s.strip_prefix(wrapper).unwrap_or(s).trim();
    }
    for wrapper in ["-->", "//]]>", "]]>", ";"] {
        s = s.strip_suffix(wrapper).unwrap_or(s).trim();
    }
    let before = out.len();
    let ok = parse_all(s, out);
    if !ok && out.len() == before {
        let cleaned: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        parse_all(&cleaned, out);
    }
}

/// Parses concatenated JSON values; false if an error stopped it.
fn parse_all(s: &str, out: &mut Vec<Value>) -> bool {
    for v in serde_json::Deserializer::from_str(s).into_iter::<Value>() {
        match v {
            Ok(v) => out.push(v),
            Err(_) => return false,
        }
    }
    true
}

fn type_names(o: &Map<String, Value>) -> Vec<&str> {
    fn strip(t: &str) -> &str {
        t.rsplit(['/', ':', '#']).next().unwrap_or(t)
    }
    match o.get("@type") {
        Some(Value::String(t)) => vec![strip(t)],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(strip).collect(),
        _ => Vec::new(),
    }
}

/// A scalar rendered as a trimmed non-empty string.
fn as_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => crate::text::decode_entities(s.trim()).trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) => return o.get("@value").and_then(as_text),
        Value::Array(a) => return a.iter().find_map(as_text),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

struct Graph<'v> {
    objects: Vec<(&'v Map<String, Value>, bool)>,
    by_id: HashMap<&'v str, &'v Map<String, Value>>,
}

impl<'v> Graph<'v> {
    /// Breadth-first walk so the page's own objects come before nested ones.
    fn new(values: &'v [Value]) -> Self {
        let mut objects = Vec::new();
        let mut by_id = HashMap::new();
        let mut queue: VecDeque<(&Value, bool)> = values.iter().map(|v| (v, false)).collect();
        while let Some((v, listed)) = queue.pop_front() {
            if objects.len() > 2000 {
                break;
            }
            match v {
                Value::Array(a) => queue.extend(a.iter().map(|x| (x, listed))),
                Value::Object(o) => {
                    if let Some(id) = o.get("@id").and_then(Value::as_str) {
                        // Keep the fullest object for an id (references are bare).
                        let keep = by_id
                            .get(id)
                            .is_none_or(|prev: &&Map<String, Value>| prev.len() < o.len());
                        if keep {
                            by_id.insert(id, o);
                        }
                    }
                    objects.push((o, listed));
                    for (k, child) in o {
                        if matches!(child, Value::Object(_) | Value::Array(_)) {
                            // Several reviews of a thing are its readers' reviews,
                            // not the page's article (one may be).
                            let reviews = matches!(k.as_str(), "review" | "reviews")
                                && child.as_array().is_some_and(|a| a.len() >= 2);
                            let l = listed || reviews || LIST_KEYS.contains(&k.as_str());
                            queue.push_back((child, l));
                        }
                    }
                }
                _ => {}
            }
        }
        Graph { objects, by_id }
    }

    /// Follows a bare `{"@id": ...}` reference to the full object.
    fn resolve(&self, o: &'v Map<String, Value>) -> &'v Map<String, Value> {
        if o.len() <= 2
            && !o.contains_key("name")
            && let Some(full) = o
                .get("@id")
                .and_then(Value::as_str)
                .and_then(|id| self.by_id.get(id))
        {
            return full;
        }
        o
    }

    fn name_of(&self, v: &'v Value) -> Option<String> {
        match v {
            Value::Object(o) => {
                let o = self.resolve(o);
                if let Some(n) = o.get("name").and_then(as_text) {
                    return Some(n);
                }
                let given = o.get("givenName").and_then(as_text);
                let family = o.get("familyName").and_then(as_text);
                match (given, family) {
                    (Some(g), Some(f)) => Some(format!("{g} {f}")),
                    (g, f) => g.or(f),
                }
            }
            other => as_text(other),
        }
    }

    fn is_org(&self, v: &'v Value) -> bool {
        match v {
            Value::Object(o) => type_names(self.resolve(o))
                .iter()
                .any(|t| t.ends_with("Organization") || *t == "Corporation"),
            _ => false,
        }
    }

    fn is_person(&self, v: &'v Value) -> bool {
        match v {
            Value::Object(o) => type_names(self.resolve(o)).contains(&"Person"),
            _ => false,
        }
    }

    /// Author names; organizations only when no person is named (and then
    /// also listed in `orgs`).
    fn names(&self, v: &'v Value, out: &mut Vec<String>, orgs: &mut Vec<String>) {
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().take(20).collect(),
            other => vec![other],
        };
        let any_person = items.iter().any(|x| !self.is_org(x));
        for x in items {
            let org = self.is_org(x);
            if any_person && org {
                continue;
            }
            if let Some(n) = self.name_of(x) {
                if org {
                    orgs.push(n.clone());
                }
                out.push(n);
            }
        }
    }

    fn url_of(&self, v: &'v Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Array(a) => a.iter().find_map(|x| self.url_of(x)),
            Value::Object(o) => {
                let o = self.resolve(o);
                ["url", "contentUrl", "@id"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            }
            _ => None,
        }
    }
}

fn list_of(v: &Value, split_commas: bool, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if split_commas {
                out.extend(
                    s.split([',', ';'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string),
                );
            } else if !s.trim().is_empty() {
                out.push(s.trim().to_string());
            }
        }
        Value::Array(a) => {
            for x in a.iter().take(100) {
                list_of(x, split_commas, out);
            }
        }
        Value::Object(o) => {
            if let Some(n) = o.get("name") {
                list_of(n, false, out);
            }
        }
        _ => {}
    }
}

/// Interprets the JSON-LD values of one page.
pub(crate) fn interpret(values: &[Value]) -> LdInfo {
    let g = Graph::new(values);
    let mut info = LdInfo::default();
    let mut article: Option<&Map<String, Value>> = None;
    let mut page: Option<&Map<String, Value>> = None;
    // Another creative work the page is about (a recipe, a product, a
    // video): its author and date stand in for missing article ones.
    let mut work: Option<&Map<String, Value>> = None;
    for &(o, listed) in &g.objects {
        let types = type_names(o);
        if listed {
            continue;
        }
        if work.is_none()
            && (o.contains_key("datePublished") || o.contains_key("author"))
            && !types.iter().any(|t| {
                matches!(
                    *t,
                    "WebSite" | "Person" | "ImageObject" | "Comment" | "Answer" | "Review"
                ) || t.ends_with("Organization")
            })
        {
            work = Some(o);
        }
        if article.is_none() && types.iter().any(|t| ARTICLE_TYPES.contains(t)) {
            article = Some(o);
        }
        if types.iter().any(|t| matches!(*t, "CollectionPage" | "ItemList")) {
            info.is_listing = true;
        }
        if types.contains(&"SearchResultsPage") {
            info.is_search = true;
        }
        if page.is_none() && types.iter().any(|t| t.ends_with("WebPage") || *t == "ItemPage") {
            page = Some(o);
        }
        if info.website_name.is_none() && types.contains(&"WebSite") {
            info.website_name = o.get("name").and_then(as_text);
        }
    }
    info.is_article = article.is_some();
    let primary = article.or(page).or(work);
    let Some(a) = primary else {
        return info;
    };
    let get = |k: &str| a.get(k);
    info.headline = get("headline")
        .and_then(as_text)
        .or_else(|| get("name").and_then(as_text))
        .or_else(|| get("alternativeHeadline").and_then(as_text));
    if let Some(v) = get("author") {
        g.names(v, &mut info.authors, &mut info.author_orgs);
    }
    if info.authors.is_empty()
        && let Some(v) = get("creator")
    {
        g.names(v, &mut info.authors, &mut info.author_orgs);
    }
    info.date_published = get("datePublished")
        .and_then(as_text)
        .or_else(|| get("dateCreated").and_then(as_text));
    if let Some(w) = work.filter(|w| !std::ptr::eq(*w, a)) {
        if info.authors.is_empty()
            && let Some(v) = w.get("author")
        {
            g.names(v, &mut info.authors, &mut info.author_orgs);
        }
        if info.date_published.is_none() {
            info.date_published = w.get("datePublished").and_then(as_text);
        }
    }
    info.date_modified = get("dateModified").and_then(as_text);
    info.description = get("description").and_then(as_text);
    info.article_body = get("articleBody").and_then(|v| v.as_str()).map(str::to_owned);
    info.url = get("url")
        .and_then(|v| g.url_of(v))
        .or_else(|| get("mainEntityOfPage").and_then(|v| g.url_of(v)));
    info.image = get("image")
        .and_then(|v| g.url_of(v))
        .or_else(|| get("thumbnailUrl").and_then(|v| g.url_of(v)));
    if let Some(v) = get("keywords") {
        list_of(v, true, &mut info.keywords);
    }
    if let Some(v) = get("articleSection") {
        list_of(v, false, &mut info.sections);
    }
    info.publisher = get("publisher").and_then(|v| g.name_of(v));
    info.publisher_is_org = get("publisher").is_some_and(|v| g.is_org(v) && !g.is_person(v));
    info.language = get("inLanguage").and_then(|v| match v {
        Value::Object(o) => o.get("alternateName").or_else(|| o.get("name")).and_then(as_text),
        other => as_text(other),
    });
    info.not_free = get("isAccessibleForFree").is_some_and(is_false);
    let parts: Vec<&Value> = match get("hasPart") {
        Some(Value::Array(a)) => a.iter().take(20).collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    };
    for part in parts {
        let Value::Object(part) = part else { continue };
        let part = g.resolve(part);
        if part.get("isAccessibleForFree").is_some_and(is_false) {
            info.not_free = true;
            if let Some(selector) = part.get("cssSelector").and_then(as_text) {
                info.paywalled_selectors.push(selector);
            }
        }
    }
    info
}

/// `false`, as JSON or as a string in any case ("False", "false").
fn is_false(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::String(s) => s.trim().eq_ignore_ascii_case("false"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> LdInfo {
        let mut v = Vec::new();
        parse_script(s, &mut v);
        interpret(&v)
    }

    #[test]
    fn graph_with_references() {
        let info = parse(
            r##"{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","@id":"https://x.fr/#site","name":"Le Site"},
              {"@type":["NewsArticle"],"headline":"Titre","author":[{"@id":"#p1"},{"@id":"#p2"}],
               "datePublished":"2022-11-25T09:00:00+01:00","keywords":"a, b","articleSection":["Monde"],
               "image":{"@type":"ImageObject","url":"https://x.fr/i.jpg"},
               "publisher":{"@id":"#org"},"mainEntityOfPage":{"@id":"https://x.fr/a"}},
              {"@type":"Person","@id":"#p1","name":"Marie Dupont"},
              {"@type":"Person","@id":"#p2","givenName":"Luc","familyName":"Martin"},
              {"@type":"Organization","@id":"#org","name":"Le Journal"}]}"##,
        );
        assert!(info.is_article);
        assert_eq!(info.headline.as_deref(), Some("Titre"));
        assert_eq!(info.authors, vec!["Marie Dupont", "Luc Martin"]);
        assert_eq!(info.keywords, vec!["a", "b"]);
        assert_eq!(info.sections, vec!["Monde"]);
        assert_eq!(info.publisher.as_deref(), Some("Le Journal"));
        assert_eq!(info.website_name.as_deref(), Some("Le Site"));
        assert_eq!(info.url.as_deref(), Some("https://x.fr/a"));
        assert_eq!(info.image.as_deref(), Some("https://x.fr/i.jpg"));
    }

    #[test]
    fn access_declarations() {
        let info = parse(r#"{"@type":"NewsArticle","headline":"x","isAccessibleForFree":"False"}"#);
        assert!(info.not_free);
        assert!(info.paywalled_selectors.is_empty());
        let info = parse(
            r#"{"@type":"NewsArticle","isAccessibleForFree":true,"hasPart":[
                {"@type":"WebPageElement","isAccessibleForFree":false,"cssSelector":".paywall"}]}"#,
        );
        assert!(info.not_free);
        assert_eq!(info.paywalled_selectors, vec![".paywall"]);
        let info = parse(r#"{"@type":"NewsArticle","isAccessibleForFree":"True"}"#);
        assert!(!info.not_free);
        // An article listed on the page declares nothing about the page.
        let info = parse(
            r#"{"@type":"ItemList","itemListElement":[{"@type":"NewsArticle","isAccessibleForFree":false}]}"#,
        );
        assert!(!info.not_free);
    }

    #[test]
    fn junk_tolerated() {
        let info = parse("<!-- {\"@type\":\"Article\",\"headline\":\"a\nb\"}; -->");
        assert_eq!(info.headline.as_deref(), Some("a b"));
        let info = parse("{not json at all");
        assert!(!info.is_article);
        let info = parse(r#"[{"@type":"BlogPosting","author":"Jane"}]{"@type":"WebSite","name":"W"}"#);
        assert_eq!(info.authors, vec!["Jane"]);
        assert_eq!(info.website_name.as_deref(), Some("W"));
    }

    #[test]
    fn listed_articles_do_not_count() {
        let info = parse(
            r#"{"@type":"ItemList","itemListElement":[{"@type":"ListItem","item":{"@type":"NewsArticle","headline":"x"}}]}"#,
        );
        assert!(!info.is_article);
        assert!(info.is_listing);
    }

    #[test]
    fn readers_reviews_are_not_the_article() {
        // A recipe with its readers' reviews: the recipe's author and date.
        let info = parse(
            r#"{"@type":"Recipe","name":"Kuchen","author":{"@type":"Person","name":"jesusfreak"},
                "datePublished":"2006-10-10","reviews":[
                {"@type":"Review","author":{"@type":"Person","name":"anaya60"},"datePublished":"2020-04-12"},
                {"@type":"Review","author":{"@type":"Person","name":"kim"},"datePublished":"2020-04-11"}]}"#,
        );
        assert_eq!(info.date_published.as_deref(), Some("2006-10-10"));
        assert_eq!(info.authors, vec!["jesusfreak"]);
        // One review of a product is the page's review article.
        let info = parse(
            r#"{"@type":"Product","name":"Drill","review":{"@type":"Review",
                "author":{"@type":"Person","name":"Jane Doe"},"datePublished":"2021-03-04"}}"#,
        );
        assert!(info.is_article);
        assert_eq!(info.date_published.as_deref(), Some("2021-03-04"));
        assert_eq!(info.authors, vec!["Jane Doe"]);
    }
}
