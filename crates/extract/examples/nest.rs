fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let mut s = String::from("<html><body>");
    for _ in 0..n { s.push_str("<div>"); }
    s.push_str("x");
    let t = std::time::Instant::now();
    let h = scraper::Html::parse_document(&s);
    println!("{} nodes in {:?}", h.tree.nodes().count(), t.elapsed());
}
