use super::*;

// Test sentences written for these tests (news style), one per language.
const EN: &str = "The city council voted on Tuesday to approve a new tram line that will connect the \
northern suburbs with the central railway station, ending a decade of debate.";
const DE: &str = "Der Stadtrat hat am Dienstag beschlossen, eine neue Straßenbahnlinie zu bauen, die die \
nördlichen Vororte mit dem Hauptbahnhof verbinden soll. Die Kosten werden auf 400 Millionen Euro geschätzt.";
const FR: &str = "Le conseil municipal a approuvé mardi soir la construction d'une nouvelle ligne de \
tramway qui reliera les quartiers du nord à la gare centrale, après dix ans de débats.";
const ES: &str = "El ayuntamiento aprobó el martes la construcción de una nueva línea de tranvía que \
conectará los barrios del norte con la estación central, tras una década de debates.";
const PT: &str = "A câmara municipal aprovou na terça-feira a construção de uma nova linha de elétrico que \
vai ligar os bairros do norte à estação central, depois de uma década de discussões.";
const IT: &str = "Il consiglio comunale ha approvato martedì la costruzione di una nuova linea del tram che \
collegherà i quartieri settentrionali con la stazione centrale, dopo dieci anni di discussioni.";
const NL: &str = "De gemeenteraad heeft dinsdag ingestemd met de aanleg van een nieuwe tramlijn die de \
noordelijke wijken met het centraal station moet verbinden, na tien jaar discussie.";
const SV: &str = "Kommunfullmäktige beslutade på tisdagen att bygga en ny spårvägslinje som ska förbinda \
de norra förorterna med centralstationen, efter tio års debatt.";
const PL: &str = "Rada miasta zatwierdziła we wtorek budowę nowej linii tramwajowej, która połączy \
północne dzielnice z dworcem głównym. Spór o ten projekt trwał ponad dziesięć lat.";
const CS: &str = "Zastupitelstvo města v úterý schválilo stavbu nové tramvajové trati, která propojí \
severní předměstí s hlavním nádražím. Spory o tento projekt trvaly více než deset let.";
const HU: &str = "A városi közgyűlés kedden jóváhagyta egy új villamosvonal építését, amely összeköti az \
északi külvárosokat a központi pályaudvarral. A vita több mint tíz évig tartott.";
const RO: &str = "Consiliul local a aprobat marți construcția unei noi linii de tramvai care va lega \
cartierele din nord de gara centrală, după un deceniu de dezbateri.";
const TR: &str = "Belediye meclisi salı günü kuzey banliyölerini merkez tren istasyonuna bağlayacak yeni \
bir tramvay hattının yapımını onayladı. Proje on yıldır tartışılıyordu.";
const FI: &str = "Kaupunginvaltuusto hyväksyi tiistaina uuden raitiolinjan rakentamisen. Linja yhdistää \
pohjoiset lähiöt päärautatieasemaan, ja hankkeesta on kiistelty kymmenen vuotta.";
const VI: &str = "Hội đồng thành phố hôm thứ Ba đã thông qua việc xây dựng một tuyến xe điện mới nối các \
vùng ngoại ô phía bắc với nhà ga trung tâm, sau một thập kỷ tranh luận.";
const ID: &str = "Dewan kota pada hari Selasa menyetujui pembangunan jalur trem baru yang akan \
menghubungkan kawasan pinggiran utara dengan stasiun pusat, setelah perdebatan selama satu dekade.";
const SW: &str = "Baraza la jiji limeidhinisha Jumanne ujenzi wa njia mpya ya tramu itakayounganisha \
vitongoji vya kaskazini na kituo kikuu cha reli, baada ya mjadala wa miaka kumi.";
const RU: &str = "Городской совет во вторник одобрил строительство новой трамвайной линии, которая \
соединит северные районы с центральным вокзалом. Споры об этом проекте шли более десяти лет.";
const UK: &str = "Міська рада у вівторок ухвалила рішення про будівництво нової трамвайної лінії, яка \
з'єднає північні райони з центральним вокзалом. Суперечки щодо цього проєкту тривали понад десять років.";
const BG: &str = "Общинският съвет одобри във вторник изграждането на нова трамвайна линия, която ще \
свърже северните квартали с централната гара. Спорът за проекта продължи повече от десет години.";
const AR: &str = "وافق مجلس المدينة يوم الثلاثاء على إنشاء خط ترام جديد يربط الضواحي الشمالية بمحطة \
القطار المركزية، منهيا بذلك عقدا من الجدل حول المشروع.";
const FA: &str = "شورای شهر روز سه‌شنبه با ساخت یک خط تراموای جدید موافقت کرد که حومه‌های شمالی را به \
ایستگاه مرکزی راه‌آهن متصل می‌کند. بحث درباره این طرح بیش از ده سال طول کشید.";
const UR: &str = "شہر کی کونسل نے منگل کے روز ایک نئی ٹرام لائن کی تعمیر کی منظوری دے دی جو شمالی \
مضافات کو مرکزی ریلوے اسٹیشن سے ملائے گی۔ اس منصوبے پر دس سال سے بحث جاری تھی۔";
const HI: &str = "नगर परिषद ने मंगलवार को एक नई ट्राम लाइन के निर्माण को मंजूरी दे दी, जो उत्तरी \
उपनगरों को केंद्रीय रेलवे स्टेशन से जोड़ेगी। इस परियोजना पर दस साल से बहस चल रही थी।";
const MR: &str = "नगर परिषदेने मंगळवारी नवीन ट्राम मार्गाच्या बांधकामाला मंजुरी दिली आहे. हा मार्ग \
उत्तरेकडील उपनगरांना मध्यवर्ती रेल्वे स्थानकाशी जोडेल आणि या प्रकल्पावर दहा वर्षे चर्चा सुरू होती.";
const ZH: &str = "市议会周二投票批准修建一条新的有轨电车线路，连接北部郊区和中央火车站，结束了长达十年的争论。\
该项目预计耗资四亿欧元。";
const JA: &str = "市議会は火曜日、北部の郊外と中央駅を結ぶ新しい路面電車の路線の建設を承認した。\
この計画をめぐっては十年以上にわたって議論が続いていた。";
const KO: &str = "시의회는 화요일 북부 교외와 중앙역을 연결하는 새로운 트램 노선 건설을 승인했다. \
이 계획을 둘러싼 논쟁은 십 년 넘게 이어져 왔다.";
const EL: &str = "Το δημοτικό συμβούλιο ενέκρινε την Τρίτη την κατασκευή μιας νέας γραμμής τραμ που θα \
συνδέει τα βόρεια προάστια με τον κεντρικό σιδηροδρομικό σταθμό.";
const HE: &str = "מועצת העיר אישרה ביום שלישי את הקמתו של קו רכבת קלה חדש שיחבר את הפרברים הצפוניים \
לתחנת הרכבת המרכזית.";
const TH: &str = "สภาเมืองลงมติเมื่อวันอังคารอนุมัติการสร้างรถรางสายใหม่ที่จะเชื่อมชานเมืองทางเหนือกับสถานีรถไฟกลาง";
const BN: &str = "সিটি কাউন্সিল মঙ্গলবার একটি নতুন ট্রাম লাইন নির্মাণের অনুমোদন দিয়েছে, যা উত্তরের শহরতলিকে \
কেন্দ্রীয় রেলস্টেশনের সঙ্গে যুক্ত করবে।";

fn hints<'a>(
    html_lang: Option<&'a str>,
    content_language: Option<&'a str>,
    og_locale: Option<&'a str>,
) -> Hints<'a> {
    Hints {
        html_lang,
        content_language,
        og_locale,
    }
}

const NO_HINTS: Hints<'static> = Hints {
    html_lang: None,
    content_language: None,
    og_locale: None,
};

#[track_caller]
fn check(text: &str, hints: Hints<'_>, expected_code: &str, expected_source: Source) -> Detection {
    let detection = detect(text, &hints, &LangConfig::default());
    assert_eq!(
        (detection.code.as_str(), detection.source),
        (expected_code, expected_source),
        "{detection:?} for {:?}",
        text.chars().take(60).collect::<String>()
    );
    assert!((0.0..=1.0).contains(&detection.confidence), "{detection:?}");
    if expected_code == UND {
        assert_eq!(detection.confidence, 0.0);
    } else {
        assert!(detection.confidence >= 0.5, "{detection:?}");
    }
    detection
}

#[test]
fn languages_from_text() {
    for (text, code) in [
        (EN, "en"),
        (DE, "de"),
        (FR, "fr"),
        (ES, "es"),
        (PT, "pt"),
        (IT, "it"),
        (NL, "nl"),
        (SV, "sv"),
        (PL, "pl"),
        (CS, "cs"),
        (HU, "hu"),
        (RO, "ro"),
        (TR, "tr"),
        (FI, "fi"),
        (VI, "vi"),
        (ID, "id"),
        (SW, "sw"),
        (RU, "ru"),
        (UK, "uk"),
        (BG, "bg"),
        (AR, "ar"),
        (FA, "fa"),
        (UR, "ur"),
        (HI, "hi"),
        (MR, "mr"),
        (ZH, "zh"),
        (JA, "ja"),
        (KO, "ko"),
        (EL, "el"),
        (HE, "he"),
        (TH, "th"),
        (BN, "bn"),
    ] {
        let d = check(text, NO_HINTS, code, Source::Text);
        assert!(d.confidence >= 0.9, "{code}: {d:?}");
        assert!(SUPPORTED_LANGUAGES.contains(&code), "{code}");
    }
}

#[test]
fn the_model_loads() {
    assert!(preload());
}

#[test]
fn supported_languages_are_sorted_and_known() {
    assert!(SUPPORTED_LANGUAGES.len() >= 60);
    assert!(SUPPORTED_LANGUAGES.windows(2).all(|w| w[0] < w[1]));
    for code in ["uk", "pl", "fa", "ur", "bn", "sw", "he", "el", "cs", "ro", "hu"] {
        assert!(SUPPORTED_LANGUAGES.contains(&code), "{code}");
    }
    for code in SUPPORTED_LANGUAGES {
        assert_eq!(normalize_tag(code).as_deref(), Some(*code));
    }
}

#[test]
fn too_short_text() {
    check("Hi!", NO_HINTS, UND, Source::None);
    check("", NO_HINTS, UND, Source::None);
    check("12345 67890 12345 67890 12345 67890", NO_HINTS, UND, Source::None);
    check("Hi!", hints(Some("en-GB"), None, None), "en", Source::HtmlLang);
    check(
        "Ja",
        hints(None, Some("de"), Some("en_US")),
        "de",
        Source::ContentLanguage,
    );
    check(
        "Olá",
        hints(Some("und"), None, Some("pt_BR")),
        "pt",
        Source::OgLocale,
    );
    check(
        "Olá",
        hints(Some("x-default"), Some("zz"), None),
        UND,
        Source::None,
    );
    let d = check("OK", hints(Some("en"), None, None), "en", Source::HtmlLang);
    assert_eq!(d.confidence, HINT_CONFIDENCE);
}

#[test]
fn unknown_scripts_are_undetermined() {
    check("ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴰⵏⴰⵡⴰⵢⵜ ⵜⵓⵙⵙⵉⵏ", NO_HINTS, UND, Source::None);
    check("→ ★ ♥ ☺ — ✓ ✗ … ©®™ 2024-05-01", NO_HINTS, UND, Source::None);
}

/// A page as the pipeline passes it: title, description and body text, and its declared languages.
struct Page {
    title: &'static str,
    description: &'static str,
    body: String,
    html_lang: Option<&'static str>,
    content_language: Option<&'static str>,
    og_locale: Option<&'static str>,
}

impl Page {
    fn new(title: &'static str, body: &str) -> Page {
        Page {
            title,
            description: "",
            body: body.to_owned(),
            html_lang: None,
            content_language: None,
            og_locale: None,
        }
    }

    fn lang(mut self, html_lang: &'static str) -> Page {
        self.html_lang = Some(html_lang);
        self
    }

    fn text(&self) -> String {
        [self.title, self.description, &self.body]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    #[track_caller]
    fn check(&self, code: &str, source: Source) -> Detection {
        let text = self.text();
        check(
            &text,
            hints(self.html_lang, self.content_language, self.og_locale),
            code,
            source,
        )
    }
}

#[test]
fn golden_short_pages() {
    // A title alone is short: the page's declaration decides, else nothing does.
    Page::new("Live", "").lang("de-DE").check("de", Source::HtmlLang);
    Page::new("Live", "").check(UND, Source::None);
    Page {
        og_locale: Some("es_ES"),
        ..Page::new("Fotos", "")
    }
    .check("es", Source::OgLocale);
    // A short but clear text agrees with its declaration and gains confidence from it.
    let alone = Page::new("Niemcy: rząd przyjął budżet", "").check("pl", Source::Text);
    let declared = Page::new("Niemcy: rząd przyjął budżet", "")
        .lang("pl")
        .check("pl", Source::Text);
    assert!(declared.confidence > alone.confidence, "{alone:?} {declared:?}");
    // Script alone tells Korean, Greek and Thai apart from anything, however short.
    Page::new("서울 날씨", "").check("ko", Source::Text);
    Page::new("Καιρός σήμερα", "").check("el", Source::Text);
}

#[test]
fn golden_mixed_pages() {
    // German report quoting English: German dominates.
    let de = format!(
        "{DE} Der Bürgermeister sagte: \"We are building for the next fifty years.\" {}",
        "Die Arbeiten sollen im Frühjahr beginnen und drei Jahre dauern."
    );
    Page::new("Neue Straßenbahn", &de).check("de", Source::Text);
    // Urdu news with English navigation-like boilerplate left in the body: the Urdu text wins.
    let ur = format!("Home | Latest News | Business | Sports {UR} Share on Facebook Twitter");
    Page::new("ٹرام لائن", &ur).check("ur", Source::Text);
    // Korean with many Latin names and acronyms is still Korean.
    let ko = "삼성전자(Samsung Electronics)와 LG전자가 CES 2025에서 새로운 OLED TV를 공개했다.";
    Page::new("CES", ko).check("ko", Source::Text);
    // A long article mixing two languages gets the one with most text, wherever it sits.
    let mostly_french = format!("{EN} {}", [FR; 6].join(" "));
    Page::new("", &mostly_french).check("fr", Source::Text);
    let mostly_spanish = format!("{} {EN} {EN}", [ES; 6].join(" "));
    Page::new("", &mostly_spanish).check("es", Source::Text);
    // Even when the minority language leads.
    let mostly_english = format!("{DE} {DE} {}", [EN; 8].join(" "));
    Page::new("", &mostly_english).check("en", Source::Text);
}

#[test]
fn golden_mislabelled_pages() {
    // Templates that say "en" whatever the text: a clear text wins.
    Page::new("Neue Straßenbahn", DE)
        .lang("en")
        .check("de", Source::Text);
    Page {
        content_language: Some("ru"),
        og_locale: Some("ru_RU"),
        ..Page::new("Трамвай", UK).lang("ru-RU")
    }
    .check("uk", Source::Text);
    Page::new("路面電車", JA).lang("zh-CN").check("ja", Source::Text);
    Page::new("Trams", NL).lang("de").check("nl", Source::Text);
    // Declared languages the model cannot tell from a neighbour are believed.
    let hr = "Gradsko vijeće u utorak je odobrilo izgradnju nove tramvajske pruge koja će povezati \
              sjeverna predgrađa sa središnjim željezničkim kolodvorom.";
    Page::new("Tramvaj", hr).check("hr", Source::Text);
    Page::new("Tramvaj", hr).lang("bs").check("bs", Source::HtmlLang);
    Page::new("Trem", ID).lang("ms-MY").check("ms", Source::HtmlLang);
}

#[test]
fn unsure_text_yields_to_a_declaration() {
    // Two words shared by many languages: a declared language stands, a weak guess does not override it.
    for text in ["Hotel Europa", "Radio Taxi", "Internet Marketing"] {
        let d = detect(text, &hints(Some("fr"), None, None), &LangConfig::default());
        assert_eq!(
            (d.code.as_str(), d.source),
            ("fr", Source::HtmlLang),
            "{text}: {d:?}"
        );
    }
    let config = LangConfig {
        min_confidence: 1.0,
        ..LangConfig::default()
    };
    let d = detect(EN, &hints(Some("fr"), None, None), &config);
    assert_eq!(
        (d.code.as_str(), d.source, d.confidence),
        ("fr", Source::HtmlLang, HINT_CONFIDENCE)
    );
    assert_eq!(detect(EN, &NO_HINTS, &config), Detection::undetermined());
}

#[test]
fn confidence_is_calibrated_and_monotone() {
    let mut last = 0.0;
    for step in 0..=200 {
        let c = calibrated(f64::from(step) * 0.5);
        assert!((0.0..=1.0).contains(&c) && c >= last, "{step}: {c}");
        last = c;
    }
    assert_eq!(calibrated(1000.0), CALIBRATION[CALIBRATION.len() - 1].1);
    assert!(calibrated(0.0) < 0.5, "a tie is no answer");
    // More text, more confidence; other scripts mixed in, less.
    let short = detect("Rada miasta", &NO_HINTS, &LangConfig::default());
    let long = detect(PL, &NO_HINTS, &LangConfig::default());
    assert!(long.confidence > short.confidence, "{short:?} {long:?}");
    let mixed = detect(
        &format!("{EL} Athens Olympic Stadium, Metro Line 3, Airport Express"),
        &NO_HINTS,
        &LangConfig::default(),
    );
    let pure = detect(EL, &NO_HINTS, &LangConfig::default());
    assert!(
        mixed.code == "el" && mixed.confidence < pure.confidence,
        "{mixed:?} {pure:?}"
    );
}

#[test]
fn hindi_and_marathi_are_told_apart() {
    for (text, code) in [
        (HI, "hi"),
        (MR, "mr"),
        ("सरकार ने आज नई योजना की घोषणा की है।", "hi"),
        ("सरकारने आज नवीन योजनेची घोषणा केली आहे.", "mr"),
    ] {
        check(text, NO_HINTS, code, Source::Text);
    }
}

#[test]
fn any_input_is_safe() {
    let config = LangConfig::default();
    let samples = [
        "\u{0}\u{1}\u{FEFF}\u{200B}",
        "İSTANBUL ǅemal ß ẞ ﬁ Å",
        "ab\u{0301}c d\u{0308}e",
        "क़\u{093C}\u{094D}",
        "𠀀𠀁𠀂 🇫🇷 👩‍👩‍👧",
    ];
    for sample in samples {
        let d = detect(sample, &NO_HINTS, &config);
        assert!((0.0..=1.0).contains(&d.confidence), "{sample:?}: {d:?}");
    }
    // Every character of the Basic Multilingual Plane, in long runs.
    let all: String = (0u32..0x1_0000).filter_map(char::from_u32).collect();
    for chunk in all.as_bytes().chunks(4096) {
        let text = String::from_utf8_lossy(chunk);
        let d = detect(&text, &NO_HINTS, &config);
        assert!((0.0..=1.0).contains(&d.confidence), "{d:?}");
    }
}

#[test]
fn max_bytes_limits_the_analysis() {
    // A German lead followed by a huge English body: only the lead is looked at.
    let huge = format!("{DE} {}", EN.repeat(2000));
    let config = LangConfig {
        max_bytes: DE.len() + 1,
        ..LangConfig::default()
    };
    assert_eq!(detect(&huge, &NO_HINTS, &config).code, "de");
    assert_eq!(detect(&huge, &NO_HINTS, &LangConfig::default()).code, "en");
    // Cuts never split a character.
    for max in 1..12 {
        let cut = prefix("日本語のテキスト", max);
        assert!(cut.len() <= max);
    }
    assert_eq!(prefix("abc", 10), "abc");
}

#[test]
fn config() {
    assert_eq!(LangConfig::default().validate(), Ok(()));
    let bad = LangConfig {
        min_confidence: 1.5,
        ..LangConfig::default()
    };
    assert!(bad.validate().unwrap_err().to_string().contains("min_confidence"));
    let bad = LangConfig {
        max_bytes: 0,
        ..LangConfig::default()
    };
    assert!(bad.validate().is_err());
    let parsed: LangConfig = serde_json::from_str(r#"{"min_chars": 10}"#).unwrap();
    assert_eq!(
        parsed,
        LangConfig {
            min_chars: 10,
            ..LangConfig::default()
        }
    );
    assert!(serde_json::from_str::<LangConfig>(r#"{"min_char": 10}"#).is_err());
}

#[test]
fn serde_names() {
    for source in [
        Source::Text,
        Source::HtmlLang,
        Source::ContentLanguage,
        Source::OgLocale,
        Source::None,
    ] {
        assert_eq!(
            serde_json::to_string(&source).unwrap(),
            format!("\"{}\"", source.as_str())
        );
    }
    let d = Detection {
        code: "en".into(),
        confidence: 0.75,
        source: Source::OgLocale,
        others: Vec::new(),
    };
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        r#"{"code":"en","confidence":0.75,"source":"og_locale"}"#
    );
    let mixed = Detection {
        others: vec![Share {
            code: "de".into(),
            share: 0.4,
        }],
        ..d
    };
    assert_eq!(
        serde_json::to_string(&mixed).unwrap(),
        r#"{"code":"en","confidence":0.75,"source":"og_locale","others":[{"code":"de","share":0.4}]}"#
    );
}

#[test]
fn hints_in_order_of_trust() {
    let h = hints(Some("xx"), Some("fr-CA"), Some("en_US"));
    assert_eq!(
        h.normalized(),
        vec![
            ("fr".to_owned(), Source::ContentLanguage),
            ("en".to_owned(), Source::OgLocale)
        ]
    );
    assert!(NO_HINTS.normalized().is_empty());
}

/// Repeats paragraphs into a page: `parts` are (text, times), in order.
fn page(parts: &[(&str, usize)]) -> String {
    let mut out = Vec::new();
    for (text, times) in parts {
        out.extend(std::iter::repeat_n(*text, *times));
    }
    out.join("\n\n")
}

#[test]
fn mixed_pages_report_the_dominant_language_and_the_others() {
    // (page, dominant, other languages expected)
    let cases: Vec<(String, &str, Vec<&str>)> = vec![
        (page(&[(EN, 6)]), "en", vec![]),
        (page(&[(DE, 6), (EN, 3)]), "de", vec!["en"]),
        (page(&[(EN, 2), (FR, 5), (EN, 2)]), "fr", vec!["en"]),
        (page(&[(ES, 4), (PT, 4), (ES, 2)]), "es", vec!["pt"]),
        (page(&[(NL, 8), (EN, 1)]), "nl", vec![]),
    ];
    for (text, code, others) in cases {
        let d = detect(&text, &NO_HINTS, &LangConfig::default());
        let got: Vec<&str> = d.others.iter().map(|s| s.code.as_str()).collect();
        assert_eq!((d.code.as_str(), got), (code, others.clone()), "{d:?}");
        let shares: f64 = d.others.iter().map(|s| s.share).sum();
        assert!(
            shares < 0.5 && d.others.iter().all(|s| s.share >= MIN_SHARE),
            "{d:?}"
        );
    }
}
