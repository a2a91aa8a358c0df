use super::*;

const EN: &str = "The city council voted on Tuesday to approve a new tram line that will connect the \
northern suburbs with the central railway station, ending a decade of debate.";
const DE: &str = "Der Stadtrat hat am Dienstag beschlossen, eine neue Straßenbahnlinie zu bauen, die die \
nördlichen Vororte mit dem Hauptbahnhof verbinden soll. Die Kosten werden auf 400 Millionen Euro geschätzt.";
const FR: &str = "Le conseil municipal a approuvé mardi soir la construction d'une nouvelle ligne de \
tramway qui reliera les quartiers du nord à la gare centrale, après dix ans de débats.";
const ES: &str = "El ayuntamiento aprobó el martes la construcción de una nueva línea de tranvía que \
conectará los barrios del norte con la estación central, tras una década de debates.";
const RU: &str = "Городской совет во вторник одобрил строительство новой трамвайной линии, которая \
соединит северные районы с центральным вокзалом. Споры об этом проекте шли более десяти лет.";
const UK: &str = "Міська рада у вівторок ухвалила рішення про будівництво нової трамвайної лінії, яка \
з'єднає північні райони з центральним вокзалом. Суперечки щодо цього проєкту тривали понад десять років.";
const PL: &str = "Rada miasta zatwierdziła we wtorek budowę nowej linii tramwajowej, która połączy \
północne dzielnice z dworcem głównym. Spór o ten projekt trwał ponad dziesięć lat.";
const AR: &str = "وافق مجلس المدينة يوم الثلاثاء على إنشاء خط ترام جديد يربط الضواحي الشمالية بمحطة \
القطار المركزية، منهيا بذلك عقدا من الجدل حول المشروع.";
const ZH: &str = "市议会周二投票批准修建一条新的有轨电车线路，连接北部郊区和中央火车站，结束了长达十年的争论。\
该项目预计耗资四亿欧元。";
const JA: &str = "市議会は火曜日、北部の郊外と中央駅を結ぶ新しい路面電車の路線の建設を承認した。\
この計画をめぐっては十年以上にわたって議論が続いていた。";
const KO: &str = "시의회는 화요일 북부 교외와 중앙역을 연결하는 새로운 트램 노선 건설을 승인했다. \
이 계획을 둘러싼 논쟁은 십 년 넘게 이어져 왔다.";
const HI: &str = "नगर परिषद ने मंगलवार को एक नई ट्राम लाइन के निर्माण को मंजूरी दे दी, जो उत्तरी \
उपनगरों को केंद्रीय रेलवे स्टेशन से जोड़ेगी। इस परियोजना पर दस साल से बहस चल रही थी।";
const EL: &str = "Το δημοτικό συμβούλιο ενέκρινε την Τρίτη την κατασκευή μιας νέας γραμμής τραμ που θα \
συνδέει τα βόρεια προάστια με τον κεντρικό σιδηροδρομικό σταθμό.";
const HE: &str = "מועצת העיר אישרה ביום שלישי את הקמתו של קו רכבת קלה חדש שיחבר את הפרברים הצפוניים \
לתחנת הרכבת המרכזית.";
const TH: &str = "สภาเมืองลงมติเมื่อวันอังคารอนุมัติการสร้างรถรางสายใหม่ที่จะเชื่อมชานเมืองทางเหนือกับสถานีรถไฟกลาง";

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
        text.chars().take(40).collect::<String>()
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
        (RU, "ru"),
        (UK, "uk"),
        (PL, "pl"),
        (AR, "ar"),
        (ZH, "zh"),
        (JA, "ja"),
        (KO, "ko"),
        (HI, "hi"),
        (EL, "el"),
        (HE, "he"),
        (TH, "th"),
    ] {
        check(text, NO_HINTS, code, Source::Text);
    }
}

#[test]
fn too_short_text() {
    check("Hello world", NO_HINTS, UND, Source::None);
    check("", NO_HINTS, UND, Source::None);
    check(
        "12345 67890 12345 67890 12345 67890 12345 67890",
        NO_HINTS,
        UND,
        Source::None,
    );
    check(
        "Hello world",
        hints(Some("en-GB"), None, None),
        "en",
        Source::HtmlLang,
    );
    check(
        "Hallo Welt",
        hints(None, Some("de"), Some("en_US")),
        "de",
        Source::ContentLanguage,
    );
    check(
        "Olá mundo",
        hints(Some("und"), None, Some("pt_BR")),
        "pt",
        Source::OgLocale,
    );
    check(
        "Olá mundo",
        hints(Some("x-default"), Some("zz"), None),
        UND,
        Source::None,
    );
    let d = check(
        "Hello world",
        hints(Some("en"), None, None),
        "en",
        Source::HtmlLang,
    );
    assert_eq!(d.confidence, HINT_CONFIDENCE);
}

#[test]
fn mislabelled_page_follows_the_text() {
    check(DE, hints(Some("en"), None, None), "de", Source::Text);
    check(
        UK,
        hints(Some("ru-RU"), Some("ru"), Some("ru_RU")),
        "uk",
        Source::Text,
    );
    check(JA, hints(Some("zh-CN"), None, None), "ja", Source::Text);
}

const NB: &str = "Borgmesteren sier at prosjektet starter neste år, ifølge lokalavisen i byen.";
const DA: &str = "Borgmesteren siger at projektet starter næste år, ifølge lokalavisen i byen.";
const MIXED: &str =
    "Der Bürgermeister said the Bahnhof project would start im Frühling next year, bestimmt nicht.";

#[test]
fn agreeing_hint_boosts_confidence() {
    // Unclear alone (whatlang: Bokmål 0.14, Danish 0.04), confirmed by a hint.
    check(NB, NO_HINTS, UND, Source::None);
    let d = check(NB, hints(Some("no"), None, None), "nb", Source::Text);
    assert!(d.confidence > 0.5 && d.confidence < 0.6, "{d:?}");
    check(DA, hints(None, None, Some("da_DK")), "da", Source::Text);
    // A disagreeing hint does not boost: it stands in.
    check(DA, hints(Some("nb"), None, None), "nb", Source::HtmlLang);
    // A fairly clear text gets clearer.
    let alone = check(MIXED, NO_HINTS, "de", Source::Text);
    let hinted = check(MIXED, hints(None, Some("de-AT"), None), "de", Source::Text);
    let want = alone.confidence + (1.0 - alone.confidence) * HINT_AGREEMENT_BOOST;
    assert!(
        alone.confidence < 0.9 && (hinted.confidence - want).abs() < 1e-9,
        "{alone:?} {hinted:?}"
    );
    // A certain text stays certain.
    assert_eq!(
        check(ES, hints(Some("es"), None, None), "es", Source::Text).confidence,
        1.0
    );
}

#[test]
fn unclear_text_falls_back_to_hints() {
    let config = LangConfig {
        min_confidence: 1.0,
        ..LangConfig::default()
    };
    // Mixed English and German: whatlang is not certain, so the (disagreeing) hint decides.
    let d = detect(MIXED, &hints(Some("fr"), None, None), &config);
    assert_eq!(
        (d.code.as_str(), d.source, d.confidence),
        ("fr", Source::HtmlLang, HINT_CONFIDENCE)
    );
    assert_eq!(detect(MIXED, &NO_HINTS, &config), Detection::undetermined());
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
    };
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        r#"{"code":"en","confidence":0.75,"source":"og_locale"}"#
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
