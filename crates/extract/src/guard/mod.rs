//! Cheap checks done before parsing: content type, binary junk, and a linear
//! pre-scan of the markup that bounds the parser's work.
//!
//! The page passes once, in one direction: [`limits`] looks at the raw
//! bytes, the charset module decodes them, and [`rewrite`] scans the decoded
//! markup before it is parsed. Neither half calls the decoder, nor the
//! decoder them.

mod limits;
mod rewrite;

pub(crate) use limits::{check_content_type, check_raw_bytes, check_size};
pub(crate) use rewrite::check_markup;
