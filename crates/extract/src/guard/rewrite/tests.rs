//! Tests of the pre-parse scan: the rewritten markup parses as the original
//! does for everything the extractor reads.

use super::*;

/// What the extractor can see of a parsed page: elements with the
/// attributes it reads, and text, in document order. Elements whose
/// content the scan leaves out (scripts other than JSON-LD, styles,
/// `noscript`, unread links) are skipped whole; `svg` and `template` are
/// kept, empty.
fn visible_events(html: &scraper::Html) -> Vec<String> {
    use scraper::Node;
    let mut out = Vec::new();
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<String>| {
        if !text.trim().is_empty() {
            out.push(format!("T{text}"));
        }
        text.clear();
    };
    // (node, parent skipped, Some(own skip) when closing)
    let mut stack = vec![(html.tree.root(), false, None::<bool>)];
    while let Some((n, parent_skipped, closing)) = stack.pop() {
        if let Some(skip) = closing {
            if let Node::Element(e) = n.value()
                && !parent_skipped
                && (!skip || matches!(e.name(), "svg" | "template"))
            {
                flush(&mut text, &mut out);
                out.push(format!("</{}", e.name()));
            }
            continue;
        }
        let mut skip = parent_skipped;
        match n.value() {
            Node::Element(e) if !parent_skipped => {
                let name = e.name();
                let attr = |k: &str| e.attrs().find(|(n, _)| *n == k).map(|(_, v)| v);
                let removed = match name {
                    "script" => !attr("type").is_some_and(|t| t.to_ascii_lowercase().contains("ld+json")),
                    "style" | "noscript" => true,
                    "link" => !attr("rel").is_some_and(|r| {
                        let r = r.to_ascii_lowercase();
                        r.contains("canonical") || r.contains("image_src")
                    }),
                    _ => false,
                };
                if removed {
                    skip = true;
                } else {
                    skip = matches!(name, "svg" | "template");
                    flush(&mut text, &mut out);
                    let mut kept: Vec<String> = e
                        .attrs()
                        .filter(|(k, v)| {
                            if *k == "style" {
                                crate::body::hides(v)
                            } else {
                                keeps_attr(k, (0, k.len()), None, &mut false)
                            }
                        })
                        .map(|(k, v)| {
                            if k == "style" {
                                "style".to_string()
                            } else {
                                format!("{k}={v}")
                            }
                        })
                        .collect();
                    kept.sort();
                    out.push(format!("<{name} {}", kept.join(" ")));
                }
            }
            Node::Text(t) if !parent_skipped => text.push_str(t),
            _ => {}
        }
        stack.push((n, parent_skipped, Some(skip)));
        let mut child = n.last_child();
        while let Some(c) = child {
            stack.push((c, skip, None));
            child = c.prev_sibling();
        }
    }
    flush(&mut text, &mut out);
    out
}

/// The rewritten markup parses to what the original shows the extractor,
/// on tag soup built from fragments that stress the scan: raw-text
/// elements, comments, foreign content, attributes with quotes and `>`,
/// framesets, CDATA.
#[test]
fn rewritten_markup_parses_like_the_original() {
    const FRAGS: &[&str] = &[
        "<p>",
        "</p>",
        "<div class=a>",
        "</div>",
        "<b>",
        "</b>",
        "<a href='/x'>",
        "</a>",
        "<span data-x=\"1\">",
        "</span>",
        "<script>",
        "</script>",
        "<script type=application/ld+json>",
        "<style>",
        "</style>",
        "<noscript>",
        "</noscript>",
        "<svg>",
        "</svg>",
        "<g>",
        "</g>",
        "<path/>",
        "<template>",
        "</template>",
        "<title>",
        "</title>",
        "<textarea>",
        "</textarea>",
        "<link rel=x>",
        "<link rel=canonical href=y>",
        "<!-- c -->",
        "<!--",
        "-->",
        "--!>",
        "<!DOCTYPE html>",
        "<![CDATA[",
        "]]>",
        "<?x?>",
        "</ x>",
        "</>",
        "<math>",
        "</math>",
        "<table>",
        "<tr>",
        "<td>",
        "</table>",
        "<select>",
        "<option>",
        "</select>",
        "<foreignObject>",
        "</foreignObject>",
        "<br/>",
        "<img src=a alt='b>c'>",
        "<input type=hidden>",
        "<font color=red>",
        "</font>",
        "<pre>",
        "</pre>",
        "<body>",
        "<head>",
        "</head>",
        "<html>",
        "<frameset>",
        "text",
        " ",
        "\n",
        "\r",
        "\t",
        "a<b",
        "x=1",
        "'",
        "\"",
        "=",
        "/",
        ">",
        "<",
        "&amp;",
        "&#x2F;",
        "<p style='display:none' data-a=1 id=i>",
        "<div hidden data-b ='c' =d>",
        "<i/data-c=1/>",
        "<P CLASS=x DATA-Y=2>",
        "<h1 title=\"a'b\" onclick=f()>",
        "<li><li>",
        "<ul>",
        "</ul>",
        "<b\ndata-z=1\n>",
        "<label for=q>",
        "</label>",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut failures = Vec::new();
    for _ in 0..4000 {
        let n = (rand() % 30) as usize;
        let html: String = (0..n)
            .filter_map(|_| FRAGS.get((rand() % FRAGS.len() as u64) as usize).copied())
            .collect();
        let Ok(markup) = check_markup(&html, 2048) else {
            continue;
        };
        let before = visible_events(&scraper::Html::parse_document(&html));
        let after = visible_events(&scraper::Html::parse_document(&markup));
        if before != after && failures.len() < 3 {
            failures.push(format!("{html:?}\n -> {markup:?}\n{before:?}\n{after:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The source of every module of the crate outside `guard`, without its
/// unit tests (which name attributes of their own).
fn extractor_sources() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![root.clone()];
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if path != root.join("guard") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("tests.rs") {
                let src = std::fs::read_to_string(&path).unwrap();
                let code = src.split("\n#[cfg(test)]").next().unwrap_or_default();
                out.push(code.to_string());
            }
        }
    }
    out
}

/// Every attribute name the other modules read (`attr("x")`,
/// `attr(i, "x")`, or an arm `"x" =>` of a loop over `el.attrs()`) must
/// survive the pre-parse scan: a new rule that reads an attribute fails
/// here until the name is added to [`keeps_attr`].
#[test]
fn every_attribute_the_extractor_reads_is_kept() {
    let sources = extractor_sources();
    let mut names = std::collections::BTreeSet::new();
    for src in &sources {
        for (pos, _) in src.match_indices("attr(") {
            let rest = &src[pos + 5..];
            let rest = rest
                .split_once(", ")
                .filter(|(arg, _)| arg.len() <= 12 && !arg.contains(['"', '(', ')']))
                .map_or(rest, |(_, r)| r);
            if let Some((name, _)) = rest.strip_prefix('"').and_then(|r| r.split_once('"')) {
                names.insert(name);
            }
        }
        if let Some(start) = src.find("in el.attrs()") {
            let body = &src[start..];
            let body = &body[..body.find("\n    }\n").unwrap_or(body.len())];
            for line in body.lines() {
                let arm = line.trim().strip_prefix('"').and_then(|r| r.split_once('"'));
                if let Some((name, after)) = arm
                    && after.trim_start().starts_with("=>")
                {
                    names.insert(name);
                }
            }
        }
    }
    assert!(
        names.len() >= 15,
        "the source scan found too few names: {names:?}"
    );
    for name in names {
        if name == "style" {
            // Kept only when it hides the element.
            continue;
        }
        let mut seen_style = false;
        assert!(
            keeps_attr(name, (0, name.len()), None, &mut seen_style),
            "`{name}` is read but dropped"
        );
    }
}

#[test]
fn unread_raw_text_is_left_out() {
    for (html, expected) in [
        (
            "<p>a</p><script>var x = '<p>';</script><p>b</p>",
            "<p>a</p><p>b</p>",
        ),
        (
            "<script type=\"application/ld+json\">{\"a\":1}</script><style>p{}</style>",
            "<script type=\"application/ld+json\">{\"a\":1}</script>",
        ),
        ("<p><SCRIPT>x</SCRIPT ><title>t</title>", "<p><title>t</title>"),
        // Before a doctype or the first tag, an element stays (empty):
        // it decides quirks mode.
        (
            "<SCRIPT>x</SCRIPT ><title>t</title>",
            "<SCRIPT></SCRIPT ><title>t</title>",
        ),
        (
            "<script>x</script><!DOCTYPE html><p>",
            "<script></script><!DOCTYPE html><p>",
        ),
        (
            "<!-- c --><!doctype html><script>x</script><p>",
            "<!doctype html><p>",
        ),
        ("<p>no raw text</p>", "<p>no raw text</p>"),
        ("x<script>y</script>", "x"),
        ("<script>never closed", "<script>"),
        ("<textarea>kept</textarea>", "<textarea>kept</textarea>"),
        // Comments go, and the text around them joins.
        ("<p>© <!-- -->2020<!-- --> Name</p>", "<p>© 2020 Name</p>"),
        ("<p>a <!-- note --></p>\n<!-- x -->\n<p>", "<p>a </p>\n\n<p>"),
        ("<p>a<!-->b</p><!-- c -->", "<p>ab</p>"),
        ("<p>a<!-- b --!>c</p><!-- d -->e", "<p>ac</p>e"),
        ("<p><!--->a<!---->\n<!-- -- --->\n<b>", "<p>a\n\n<b>"),
        ("<p>a<!-- never closed", "<p>a"),
        ("<p>a\r<!-- c -->\nb", "<p>a\r<!-- c -->\nb"),
        // No text turns into markup or a character reference.
        ("<p>a <<!-- c -->b", "<p>a <<!-- c -->b"),
        (
            "<p>&hellip<!-- c -->; &amp<!-- c -->x",
            "<p>&hellip<!-- c -->; &amp<!-- c -->x",
        ),
        ("<p>&amp<!-- c --> x", "<p>&amp x"),
        // Script escapes: "<!--<script>" makes the next end tag text.
        ("<p><script>a<!--<script>b</script>c-->d</script>e", "<p>e"),
        ("<p><script>a<!-->b</script>e", "<p>e"),
        (
            "<a><svg viewBox='0 0 1 1'><path d='M0'/></svg>x</a>",
            "<a><svg ></svg>x</a>",
        ),
        ("<title>a</titlex><b>b</title>c", "<title>a</titlex><b>b</title>c"),
        ("<p><script>a</scriptx>b</script >c", "<p>c"),
        ("<p><noscript><img src=x></noscript>", "<p><noscript></noscript>"),
        (
            "</head><noscript>x</noscript><title>t</title>",
            "</head><noscript></noscript><title>t</title>",
        ),
        // A newline right after <pre> is dropped by the parser.
        (
            "<pre><!-- c -->\nx<script>y</script></pre>",
            "<pre><!-- c -->\nx</pre>",
        ),
        (
            "<pre><script>y</script>\nx</pre>",
            "<pre><script></script>\nx</pre>",
        ),
        // JSON-LD is read, also when the type is spelled with references.
        (
            "<p><script type='application&#x2F;ld&#x2B;json'>{}</script>",
            "<p><script type='application&#x2F;ld&#x2B;json'>{}</script>",
        ),
        // Nested SVG, and a comment or CDATA holding an end tag.
        (
            "<p><svg><svg><g/></svg><svg/><!-- </svg> --><![CDATA[</svg>]]></svg>x",
            "<p><svg></svg>x",
        ),
        (
            "<p><template><template>a</template>b</template>c",
            "<p><template></template>c",
        ),
        (
            "<p><template><script>'</template>'</script></template>x",
            "<p><template></template>x",
        ),
        // HTML in SVG closes it; the scan stops there.
        ("<p><svg><use/></div>x", "<p><svg></div>x"),
        ("<svg><g><path/></g><p>t</p></svg>", "<svg><p>t</p></svg>"),
        ("<svg><g><path></g></svg>x", "<svg></svg>x"),
        (
            "<svg><foreignObject><p data-a=1>t</p></foreignObject></svg><p data-b=2>",
            "<svg><foreignObject><p data-a=1>t</p></foreignObject></svg><p data-b=2>",
        ),
        // Unread elements go whole unless that joins two pieces of text.
        (
            "<p>Copyright © <script>document.write(2020)</script> X</p>",
            "<p>Copyright © <script></script> X</p>",
        ),
        ("<p>a</p>\n<script>x</script>\n<p>b</p>", "<p>a</p>\n\n<p>b</p>"),
        ("<p>a<script>x</script></p>", "<p>a</p>"),
        ("<p><style>x</style> b</p>", "<p> b</p>"),
        ("<p>a < <script>x</script>b", "<p>a < <script></script>b"),
        (
            "<p>a<!-- c --><script>x</script>b</p>",
            "<p>a<script></script>b</p>",
        ),
        (
            "<p>a<script>x</script>\n<script>y</script>\n</p>",
            "<p>a<script></script>\n\n</p>",
        ),
        (
            "<p>\n<script>x</script>\n<script>y</script>b</p>",
            "<p>\n\n<script></script>b</p>",
        ),
        ("<p>a<script>x</script><</p>", "<p>a<script></script><</p>"),
        // Pages with a frameset are left as they are.
        (
            "<p>a<!-- c --><svg><g/></svg></p><FrameSet data-a=1>",
            "<p>a<!-- c --><svg><g/></svg></p><FrameSet data-a=1>",
        ),
        // Links go unless they name the canonical URL or lead image.
        (
            "<head><link rel=stylesheet href=a.css>\n<link rel=Canonical href=/x>\n<LINK REL=image_src href=/i>",
            "<head>\n<link rel=Canonical href=/x>\n<LINK REL=image_src href=/i>",
        ),
        ("<p>a<link rel=x data-a=1>b", "<p>a<link rel=x >b"),
    ] {
        assert_eq!(check_markup(html, 100).unwrap(), expected, "{html}");
    }
}

#[track_caller]
fn check_rewrite(html: &str, expected: &str) {
    assert_eq!(check_markup(html, 100).unwrap(), expected, "{html}");
}

#[test]
fn unread_attributes_are_left_out() {
    for (html, expected) in [
        // Kept and dropped, with the space after a dropped one.
        (
            r#"<div class="a" data-x="1" id=b style="color:red">t</div>"#,
            r#"<div class="a" id=b >t</div>"#,
        ),
        ("<div data-x=1>t</div>", "<div >t</div>"),
        // Quoted '>' and quotes inside values.
        (
            r#"<a href="/x>y" data-q='a"b>c' title="z">t</a>"#,
            r#"<a href="/x>y" title="z">t</a>"#,
        ),
        (r#"<img alt="1 > 0" src=x.jpg>t"#, "<img >t"),
        // Unquoted values end at a space or '>' and may hold quotes and '/'.
        (r#"<p data-a=x"y'z/ class=c>t"#, "<p class=c>t"),
        ("<br data-a=b/>t", "<br >t"),
        ("<br data-a=b />t", "<br />t"),
        // No space between attributes after a quoted value.
        (r#"<p class="a"data-b="c"id="d">t"#, r#"<p class="a"id="d">t"#),
        // Spaces around '='.
        ("<p data-a = 'b' class = c>t", "<p class = c>t"),
        // A valueless attribute before a dropped one stays valueless:
        // "data-a" stays, as "=" follows it.
        (r#"<p hidden data-a="b" ="c">t"#, r#"<p hidden data-a="b" >t"#),
        ("<p hidden data-a>t", "<p hidden >t"),
        // Duplicates: kept or dropped together; the parser keeps the first.
        ("<p class=a data-x=1 class=b data-x=2>t", "<p class=a class=b >t"),
        // Uppercase names.
        (
            "<P CLASS=a DATA-X=1 Style='DISPLAY: NONE'>t</P>",
            "<P CLASS=a Style='DISPLAY: NONE'>t</P>",
        ),
        ("<p style='color: red'>t", "<p >t"),
        // The parser keeps the first of duplicate styles.
        ("<p style='color: red' style='display:none'>t", "<p >t"),
        (
            "<p style='display:none' style='color: red'>t",
            "<p style='display:none' >t",
        ),
        ("<p style='display&#58;none'>t", "<p style='display&#58;none'>t"),
        // Self-closing tags and a stray '/'.
        ("<img src=x />t", "<img />t"),
        ("<img/src=x/>t", "<img/src=x/>t"),
        ("<div/data-a=1 data-b=2/>t", "<div/data-b=2/>t"),
        ("<div data-a=1 /data-b=2/>t", "<div /data-b=2/>t"),
        ("<div/data-a=1 class=c>t", "<div/class=c>t"),
        // Attributes in end tags are ignored by the parser: all go.
        (r#"<p>t</p class="x" data-a='>'>u"#, "<p>t</p >u"),
        ("<title>t</title data-a=1>", "<title>t</title >"),
        // Tags split over lines, attribute-like text outside tags.
        (
            "<div\ndata-a=1\n\tclass=c\n>x=1 y='2'</div>",
            "<div\nclass=c\n>x=1 y='2'</div>",
        ),
        ("<p>a < b data-x=1 > c</p>", "<p>a < b data-x=1 > c</p>"),
        // Raw text, comments and bogus comments are not tags.
        ("<title>a <b data-a=1></title>", "<title>a <b data-a=1></title>"),
        (
            "<textarea><p data-a=1></textarea>",
            "<textarea><p data-a=1></textarea>",
        ),
        (r#"<? x="a>b" data-a=1>"#, r#"<? x="a>b" data-a=1>"#),
        ("</ x data-a=1>", "</ x data-a=1>"),
        (
            r#"<!DOCTYPE html SYSTEM "a"><p data-a=1>"#,
            r#"<!DOCTYPE html SYSTEM "a"><p >"#,
        ),
        // MathML may hold CDATA: attributes stay from there on.
        (
            "<p data-a=1><math data-b=2><mi data-c=3>",
            "<p ><math ><mi data-c=3>",
        ),
        // Tags cut short by the end of input.
        ("<p class=a data-b='1>", "<p class=a data-b='1>"),
        ("<p data-b=1", "<p data-b=1"),
        ("<p data-b", "<p data-b"),
        // Tag and attribute names that are not ASCII.
        ("<p data-é=1 é=2 class=c>t", "<p class=c>t"),
        ("<p\u{0}x=1 class=c>t", "<p\u{0}x=1 class=c>t"),
    ] {
        check_rewrite(html, expected);
    }
}

#[track_caller]
fn check(html: &str, limit: usize, ok: bool) {
    assert_eq!(check_markup(html, limit).is_ok(), ok, "{html}");
}

#[test]
fn nesting() {
    check("<div><div><p>x</div></div>", 2, true);
    check("<div><div><div>x", 2, false);
    check("<p><p><p><p><li><li><br><img>", 1, true);
    check("<script><div><div><div></script><div>", 1, true);
    check("<!-- <div><div><div> --><div>", 1, true);
    check("<svg><path/><path/><path/></svg>", 1, true);
    check(&"<div>".repeat(100_000), 2048, false);
}
