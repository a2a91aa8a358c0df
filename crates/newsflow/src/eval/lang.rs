//! `newsflow eval lang`.

use std::path::Path;

pub fn run(corpus: &Path, floors: Option<&Path>) -> anyhow::Result<()> {
    let _ = (corpus, floors);
    anyhow::bail!("newsflow eval lang is not implemented yet")
}
