//! The page's charset through the real entry points: an envelope's `html` (a JSON string: text, never
//! decoded again, whatever the page or the envelope declares), an envelope's `html_base64` and a raw
//! value (bytes: byte order mark, `Content-Type` charset, `<meta>`, detection). Every form of a page must
//! give the same event.

use base64::Engine as _;
use encoding_rs::Encoding;

use super::*;

const NOW: i64 = 1_764_316_800_000;

/// A short article in one encoding: its label as pages declare it, the page language, a URL on a
/// national domain (a hint the detector uses, as it does on real pages), a title and three paragraphs.
struct Case {
    label: &'static str,
    lang: &'static str,
    url: &'static str,
    title: &'static str,
    paragraphs: [&'static str; 3],
}

const CASES: &[Case] = &[
    Case {
        label: "gb2312",
        lang: "zh-CN",
        url: "https://news.example.cn/a/1",
        title: "城市公交线路今日起调整",
        paragraphs: [
            "市交通运输局今天宣布，从下周一开始，全市十二条公交线路将调整运营时间和站点。\
             新的安排主要是为了方便早晚高峰期间的上班族和学生出行。",
            "据介绍，调整后的线路将增加夜间班次，部分站点也会搬到离地铁站更近的位置。\
             市民可以通过官方网站和手机应用查询最新的时刻表。",
            "交通部门表示，将在调整后的第一个月收集乘客意见，并根据实际情况继续改进服务。",
        ],
    },
    Case {
        label: "big5",
        lang: "zh-TW",
        url: "https://news.example.tw/a/2",
        title: "颱風過境後全島展開清理工作",
        paragraphs: [
            "氣象局表示，颱風已於今天清晨離開本島，各地風雨逐漸減弱。\
             多個縣市政府隨即動員人力，清理倒塌的路樹和積水的街道。",
            "農業部門初步估計，這次颱風造成的農作物損失超過新臺幣三億元，其中以香蕉和蔬菜受災最為嚴重。\
             政府將提供低利貸款，協助農民重建。",
            "交通部指出，停駛的鐵路班次預計明天上午恢復正常，旅客可上網查詢最新資訊。",
        ],
    },
    Case {
        label: "shift_jis",
        lang: "ja",
        url: "https://news.example.jp/a/3",
        title: "新しい図書館が駅前に開館",
        paragraphs: [
            "市は十日、駅前に建設していた新しい図書館を一般に公開した。\
             館内には約二十万冊の本が並び、子ども向けの読書室や学習スペースも設けられている。",
            "開館初日には朝から多くの市民が訪れ、入口の前には長い列ができた。\
             館長は「誰もが気軽に立ち寄れる場所にしたい」と話している。",
            "図書館は毎週月曜日を休館日とし、平日は午後九時まで利用できる。",
        ],
    },
    Case {
        label: "euc-jp",
        lang: "ja",
        url: "https://news.example.jp/a/4",
        title: "地元の漁港で秋祭りが開かれる",
        paragraphs: [
            "十月の連休に合わせて、地元の漁港で毎年恒例の秋祭りが開かれた。\
             会場にはとれたての魚や貝を焼く屋台が並び、家族連れでにぎわった。",
            "祭りの実行委員会によると、今年は天候に恵まれ、三日間で昨年の倍近い約四万人が訪れたという。\
             港の近くでは太鼓の演奏や踊りも披露された。",
            "委員会は来年以降も地域の魅力を伝える行事として続けていく方針だ。",
        ],
    },
    Case {
        label: "euc-kr",
        lang: "ko",
        url: "https://news.example.kr/a/5",
        title: "서울 시내버스 노선 개편 발표",
        paragraphs: [
            "서울시는 다음 달부터 시내버스 노선 스무 개를 새로 조정한다고 밝혔다. \
             출퇴근 시간에 승객이 몰리는 구간에는 버스를 더 자주 배차할 계획이다.",
            "시는 지난 여름 동안 시민 의견을 모으고 교통 자료를 분석해 이번 개편안을 마련했다. \
             일부 정류장은 지하철역과 더 가까운 곳으로 옮겨진다.",
            "새 노선 정보는 시 누리집과 정류장 안내판에서 확인할 수 있다.",
        ],
    },
    Case {
        label: "windows-1251",
        lang: "ru",
        url: "https://news.example.ru/a/6",
        title: "В городе открылся новый парк",
        paragraphs: [
            "В субботу в центре города открылся новый парк, который строили почти два года. \
             На его территории высадили более тысячи деревьев и обустроили детские площадки.",
            "По словам мэра, парк станет любимым местом отдыха для жителей соседних районов. \
             Вечером здесь будут проходить концерты и кинопоказы под открытым небом.",
            "Вход в парк бесплатный, он открыт ежедневно с семи утра до полуночи.",
        ],
    },
    Case {
        label: "koi8-r",
        lang: "ru",
        url: "https://news.example.ru/a/7",
        title: "Зима пришла раньше срока",
        paragraphs: [
            "Первый снег выпал в области на две недели раньше обычного. \
             Коммунальные службы вывели на улицы снегоуборочную технику и посыпали дороги песком.",
            "Синоптики обещают, что морозы продержатся до конца недели, а затем станет немного теплее. \
             Водителей просят не выезжать без зимних шин.",
            "В школах занятия проходят в обычном режиме, автобусы ходят по расписанию.",
        ],
    },
    Case {
        label: "iso-8859-1",
        lang: "fr",
        url: "https://news.example.fr/a/8",
        title: "La fête du village attire des milliers de visiteurs",
        paragraphs: [
            "Malgré un ciel gris, la fête du village a réuni samedi près de trois mille personnes. \
             Les habitants ont préparé des crêpes, des gâteaux et du cidre pour accueillir les familles \
             venues des communes voisines.",
            "« C’est la plus belle édition depuis dix ans », a déclaré le maire, le cœur serré. \
             Les bénéfices serviront à rénover l’école et à financer une sortie à la mer pour les élèves.",
            "Le comité des fêtes prépare déjà le marché de Noël, prévu le deuxième week-end de décembre.",
        ],
    },
    Case {
        label: "iso-8859-2",
        lang: "pl",
        url: "https://news.example.pl/a/9",
        title: "Nowy most połączy dwa brzegi rzeki",
        paragraphs: [
            "Władze miasta podpisały w środę umowę na budowę nowego mostu, który połączy obie części \
             miasta. Prace mają się rozpocząć wiosną i potrwać około dwóch lat.",
            "Według urzędników most skróci czas dojazdu do centrum nawet o dwadzieścia minut. \
             Mieszkańcy od dawna skarżyli się na korki na jedynej przeprawie przez rzekę.",
            "Koszt inwestycji szacuje się na sto pięćdziesiąt milionów złotych.",
        ],
    },
    Case {
        label: "iso-8859-7",
        lang: "el",
        url: "https://news.example.gr/a/10",
        title: "Νέο μουσείο ανοίγει στην Αθήνα",
        paragraphs: [
            "Το νέο μουσείο σύγχρονης τέχνης άνοιξε χθες τις πόρτες του στο κέντρο της πόλης. \
             Οι επισκέπτες μπορούν να δουν έργα από περισσότερους από εκατό καλλιτέχνες.",
            "Σύμφωνα με τη διευθύντρια, η είσοδος θα είναι δωρεάν για τους μαθητές και τους φοιτητές. \
             Το μουσείο θα φιλοξενεί επίσης εργαστήρια για παιδιά κάθε Σάββατο.",
            "Οι ώρες λειτουργίας είναι από τις εννέα το πρωί έως τις οκτώ το βράδυ.",
        ],
    },
    Case {
        label: "windows-1256",
        lang: "ar",
        url: "https://news.example.sa/a/11",
        title: "افتتاح مستشفى جديد في المدينة",
        paragraphs: [
            "افتتح وزير الصحة اليوم مستشفى جديدا في وسط المدينة يضم أكثر من مئتي سرير. \
             ويهدف المستشفى إلى تخفيف الضغط عن المستشفيات القديمة وتقديم خدمات أفضل للمرضى.",
            "وقال مدير المستشفى إن الأطباء والممرضين تلقوا تدريبا خاصا خلال الأشهر الماضية. \
             وسيعمل قسم الطوارئ على مدار الساعة طوال أيام الأسبوع.",
            "ومن المتوقع أن يستقبل المستشفى أول المرضى مطلع الشهر المقبل.",
        ],
    },
    Case {
        label: "utf-8",
        lang: "vi",
        url: "https://news.example.vn/a/12",
        title: "Hà Nội mở thêm tuyến xe buýt điện",
        paragraphs: [
            "Từ tháng sau, thành phố sẽ đưa vào hoạt động thêm năm tuyến xe buýt điện nối trung tâm \
             với các khu dân cư mới. Mỗi tuyến có khoảng hai mươi xe chạy từ năm giờ sáng đến mười giờ tối.",
            "Theo sở giao thông, xe buýt điện giúp giảm tiếng ồn và khói bụi trên những con đường đông đúc. \
             Người dân có thể trả tiền vé bằng thẻ hoặc điện thoại.",
            "Giá vé vẫn giữ nguyên như các tuyến xe buýt hiện nay.",
        ],
    },
];

impl Case {
    /// The page as its site serves it; `declare` adds the charset declaration (as an `http-equiv` or a
    /// `<meta charset>`, both common).
    fn page(&self, declare: bool, http_equiv: bool) -> String {
        let meta = match (declare, http_equiv) {
            (false, _) => String::new(),
            (true, true) => format!(
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset={}\">",
                self.label
            ),
            (true, false) => format!("<meta charset=\"{}\">", self.label),
        };
        let body: String = self.paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\"><head>{meta}<title>{}</title></head>\n<body>\
             <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\n<article><h1>{}</h1>\n{body}\
             </article>\n<footer>Contact</footer></body></html>\n",
            self.lang, self.title, self.title
        )
    }

    /// The page in its own encoding; every character must have a code in it.
    fn bytes(&self, declare: bool, http_equiv: bool) -> Vec<u8> {
        let encoding = Encoding::for_label(self.label.as_bytes()).unwrap();
        let page = self.page(declare, http_equiv);
        let (bytes, _, unmappable) = encoding.encode(&page);
        assert!(
            !unmappable,
            "{}: the test page has a character {} lacks",
            self.label, self.label
        );
        bytes.into_owned()
    }

    fn content_type(&self) -> String {
        format!("text/html; charset={}", self.label)
    }
}

/// The ways a page comes in.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// An envelope's `html`: the decoded text, its `<meta>` and the envelope's `content_type` both naming
    /// the charset of bytes that are gone.
    StringWithStaleCharset,
    /// An envelope's `html_base64`, the page declaring its charset in a `<meta>`.
    Base64WithMeta,
    /// An envelope's `html_base64` and `content_type` with a charset; nothing in the page.
    Base64WithContentType,
    /// An envelope's `html_base64`, no charset anywhere: detection.
    Base64Bare,
    /// A raw value, the page declaring its charset in a `<meta>`.
    RawWithMeta,
    /// A raw value and a `content-type` header with a charset; nothing in the page.
    RawWithContentType,
    /// A raw value, no charset anywhere: detection.
    RawBare,
}

const FORMS: [Form; 7] = [
    Form::StringWithStaleCharset,
    Form::Base64WithMeta,
    Form::Base64WithContentType,
    Form::Base64Bare,
    Form::RawWithMeta,
    Form::RawWithContentType,
    Form::RawBare,
];

fn pipeline() -> Pipeline {
    Pipeline::new(PipelineConfig {
        stages: vec![Stage::Extract, Stage::Dedup, Stage::Lang],
        max_input_bytes: 1 << 20,
        version: "test".to_owned(),
        ..PipelineConfig::default()
    })
    .unwrap()
}

/// The event `form` of `case` becomes, on a pipeline of its own (so that every form is a first copy).
fn event_of(case: &Case, form: Form, http_equiv: bool) -> ArticleEvent {
    let base64 = |bytes: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(bytes);
    let (value, headers): (Vec<u8>, Vec<(&str, String)>) = match form {
        Form::StringWithStaleCharset => (
            serde_json::json!({
                "url": case.url,
                "html": case.page(true, http_equiv),
                "content_type": case.content_type(),
            })
            .to_string()
            .into_bytes(),
            vec![],
        ),
        Form::Base64WithMeta => (
            serde_json::json!({ "url": case.url, "html_base64": base64(case.bytes(true, http_equiv)) })
                .to_string()
                .into_bytes(),
            vec![],
        ),
        Form::Base64WithContentType => (
            serde_json::json!({
                "url": case.url,
                "html_base64": base64(case.bytes(false, http_equiv)),
                "content_type": case.content_type(),
            })
            .to_string()
            .into_bytes(),
            vec![],
        ),
        Form::Base64Bare => (
            serde_json::json!({ "url": case.url, "html_base64": base64(case.bytes(false, http_equiv)) })
                .to_string()
                .into_bytes(),
            vec![],
        ),
        Form::RawWithMeta => (case.bytes(true, http_equiv), vec![("url", case.url.to_owned())]),
        Form::RawWithContentType => (
            case.bytes(false, http_equiv),
            vec![
                ("url", case.url.to_owned()),
                ("content-type", case.content_type()),
            ],
        ),
        Form::RawBare => (case.bytes(false, http_equiv), vec![("url", case.url.to_owned())]),
    };
    publish(&value, &headers, &format!("{} as {form:?}", case.label))
}

/// The event a message becomes, on a pipeline of its own.
fn publish(value: &[u8], headers: &[(&str, String)], what: &str) -> ArticleEvent {
    let message = RawMessage {
        value,
        headers: headers.iter().map(|(k, v)| (*k, v.as_bytes())).collect(),
        source: SourceRef {
            topic: "in".to_owned(),
            partition: 0,
            offset: 7,
        },
    };
    match pipeline().process(&message, NOW).outcome {
        Outcome::Publish { event, .. } => *event,
        other => panic!("{what}: not published: {other:?}"),
    }
}

/// Every form of the page gives the same event, with the title and the paragraphs as written.
#[track_caller]
fn check(case: &Case, http_equiv: bool) {
    let reference = event_of(case, Form::StringWithStaleCharset, http_equiv);
    assert_eq!(reference.title.as_deref(), Some(case.title), "{}", case.label);
    for paragraph in case.paragraphs {
        assert!(
            reference.text.contains(paragraph),
            "{}: {paragraph:?} not in {:?}",
            case.label,
            reference.text
        );
    }
    for form in FORMS {
        let event = event_of(case, form, http_equiv);
        assert_eq!(event, reference, "{} as {form:?}", case.label);
    }
}

#[test]
fn every_form_of_a_page_in_every_charset_gives_the_same_event() {
    for (i, case) in CASES.iter().enumerate() {
        check(case, i % 2 == 0);
    }
}

/// UTF-8 read as windows-1252: what a crawler that trusted a wrong label sends.
fn garble(text: &str) -> String {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(text.as_bytes())
        .0
        .into_owned()
}

fn envelope(url: &str, html: &str) -> Vec<u8> {
    serde_json::json!({ "url": url, "html": html })
        .to_string()
        .into_bytes()
}

/// What a page with mojibake in it must become.
enum Expected<'a> {
    /// Repaired: this event (the clean page's).
    Repaired(&'a ArticleEvent),
    /// Not undone: the text still holds this, and the language confidence is half of what the text
    /// alone gives.
    Left(&'a str),
}

#[track_caller]
fn check_mojibake(value: &[u8], headers: &[(&str, String)], expected: Expected<'_>) {
    let event = publish(value, headers, "a page with mojibake");
    let (detection, garbled) = pipeline().detect_language(&event);
    match expected {
        Expected::Repaired(clean) => {
            assert!(!garbled, "mojibake left in {:?}", event.text);
            assert_eq!(&event, clean);
        }
        Expected::Left(left) => {
            assert!(garbled, "no mojibake left in {:?}", event.text);
            assert!(event.text.contains(left), "{left:?} not in {:?}", event.text);
            let language = event.language.as_ref().unwrap();
            assert_eq!(
                (language.code.as_str(), language.confidence),
                (detection.code.as_str(), detection.confidence / 2.0)
            );
        }
    }
}

#[test]
fn mojibake_is_repaired_or_lowers_the_language_confidence() {
    let french = CASES.iter().find(|c| c.lang == "fr").unwrap();
    let reference = event_of(french, Form::StringWithStaleCharset, false);
    let page = french.page(true, false);
    // A crawler read the UTF-8 page as windows-1252 and sent the string.
    let garbled = garble(&page);
    assert!(garbled.contains("fÃªte du village"));
    check_mojibake(
        &envelope(french.url, &garbled),
        &[],
        Expected::Repaired(&reference),
    );
    // The same twice over.
    check_mojibake(
        &envelope(french.url, &garble(&garbled)),
        &[],
        Expected::Repaired(&reference),
    );
    // UTF-8 bytes under a wrong label: decoded as labelled, then repaired.
    check_mojibake(
        page.as_bytes(),
        &[("url", french.url.to_owned())],
        Expected::Repaired(&reference),
    );
    // Mojibake whose no-break spaces became plain spaces: `à` cannot be told back from `Ã `.
    let lossy = garbled.replace('\u{A0}', " ");
    check_mojibake(&envelope(french.url, &lossy), &[], Expected::Left("Ã la mer"));

    // Genuine Portuguese capitals before punctuation are not mojibake, and not a reason for doubt.
    let portuguese = "<html lang=\"pt\"><head><title>SÃO PAULO: A IRMÃ” DO TÉCNICO</title></head><body>\
        <article><h1>SÃO PAULO: A IRMÃ” DO TÉCNICO</h1><p>A irmã do técnico, que não quis falar com a \
        imprensa, assistiu ao jogo no estádio municipal ao lado da mãe e de vários amigos da família.</p>\
        <p>Depois da partida, os jogadores agradeceram o apoio da torcida, que cantou até o fim.</p>\
        </article></body></html>";
    let event = publish(
        &envelope("https://news.example.br/a/1", portuguese),
        &[],
        "portuguese",
    );
    assert_eq!(event.title.as_deref(), Some("SÃO PAULO: A IRMÃ” DO TÉCNICO"));
    assert!(!pipeline().detect_language(&event).1);
}
