//! Accuracy on single sentences of a `sentences/<code>.txt` corpus, split into two halves (even and
//! odd lines), so that a rule tuned while looking at one half can be confirmed on the other:
//! `cargo run --release -p lang --example split -- ../shared/corpus/langid [tune|confirm] [codes…]`.
//! With language codes, the wrong answers of the chosen half for those languages are printed.

use std::collections::BTreeMap;

const BIG16: [&str; 16] = [
    "ar", "de", "en", "es", "fr", "hi", "it", "ja", "ko", "nl", "pt", "ru", "sv", "tr", "vi", "zh",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let corpus = args
        .next()
        .ok_or("usage: split <corpus> [tune|confirm] [codes…]")?;
    let half = args.next().unwrap_or_else(|| "tune".to_owned());
    let show: Vec<String> = args.collect();
    let parity = usize::from(half == "confirm");
    let config = lang::LangConfig::default();
    let hints = lang::Hints::default();
    let mut accuracy = BTreeMap::new();
    for entry in std::fs::read_dir(std::path::Path::new(&corpus).join("sentences"))? {
        let path = entry?.path();
        let code = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if !lang::SUPPORTED_LANGUAGES.contains(&code.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let (mut right, mut total) = (0usize, 0usize);
        for (i, line) in lines.iter().enumerate() {
            if i % 2 != parity {
                continue;
            }
            let d = lang::detect(line, &hints, &config);
            total += 1;
            if d.code == code {
                right += 1;
            } else if show.contains(&code) {
                println!("{code} -> {} {:.2}  {line}", d.code, d.confidence);
            }
        }
        accuracy.insert(code, (right as f64 / total.max(1) as f64, total - right));
    }
    let mean = |codes: &mut dyn Iterator<Item = f64>| {
        let v: Vec<f64> = codes.collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let big = mean(&mut BIG16.iter().map(|c| accuracy.get(*c).map_or(0.0, |a| a.0)));
    let all = mean(&mut accuracy.values().map(|a| a.0));
    let (worst, w) = accuracy
        .iter()
        .min_by(|a, b| a.1.0.total_cmp(&b.1.0))
        .map(|(c, a)| (c.clone(), a.0))
        .unwrap_or_default();
    let errs: Vec<String> = accuracy
        .iter()
        .filter(|(_, a)| a.1 > 0)
        .map(|(c, a)| format!("{c}:{}", a.1))
        .collect();
    println!(
        "{half}: big16 {:.2}%  mean {:.2}%  min {worst} {:.1}%",
        big * 100.0,
        all * 100.0,
        w * 100.0
    );
    println!("errors {}", errs.join(" "));
    Ok(())
}
