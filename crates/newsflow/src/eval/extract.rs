//! `newsflow eval extract`.

use std::path::Path;

pub fn run(corpus: &Path, floors: Option<&Path>, verbose: bool) -> anyhow::Result<()> {
    let _ = (corpus, floors, verbose);
    anyhow::bail!("newsflow eval extract is not implemented yet")
}
