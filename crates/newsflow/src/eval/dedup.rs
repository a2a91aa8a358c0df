//! `newsflow eval dedup`.

use std::path::Path;

pub fn run(corpus: &Path, floors: Option<&Path>) -> anyhow::Result<()> {
    let _ = (corpus, floors);
    anyhow::bail!("newsflow eval dedup is not implemented yet")
}
