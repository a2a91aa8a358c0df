//! How records are written in Redis values. Part of the stored format: the Lua scripts read the leading
//! `seen_at` of signatures and the trailing owner of claims.
//!
//! - claim: `<seen_at>|<article id>|<content hash>|<owner>` (the owner last: it may contain `|`);
//! - decision: `<status>|<similarity>|<duplicate_of or empty>`;
//! - signature: `<seen_at>|<word count>|<shingle count>|<article id>|<owner length>|<owner><minhash>`,
//!   the MinHash as little-endian u32s (512 bytes for 128 permutations).

use dedup::{Claim, Decision, Signature, Status};

pub(crate) fn claim(claim: &Claim) -> String {
    format!(
        "{}|{}|{}|{}",
        claim.seen_at, claim.article_id, claim.content_hash, claim.owner
    )
}

pub(crate) fn parse_claim(value: &[u8]) -> Result<Claim, String> {
    let text = std::str::from_utf8(value).map_err(|_| "claim is not UTF-8".to_owned())?;
    let mut parts = text.splitn(4, '|');
    let (Some(seen_at), Some(article_id), Some(content_hash), Some(owner)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("claim has fewer than 4 fields".to_owned());
    };
    Ok(Claim {
        article_id: article_id.to_owned(),
        owner: owner.to_owned(),
        content_hash: content_hash.to_owned(),
        seen_at: seen_at
            .parse()
            .map_err(|_| format!("claim time {seen_at:?} is not a number"))?,
    })
}

pub(crate) fn decision(decision: &Decision) -> String {
    format!(
        "{}|{}|{}",
        decision.status.as_str(),
        decision.similarity,
        decision.duplicate_of.as_deref().unwrap_or_default()
    )
}

pub(crate) fn parse_decision(value: &[u8]) -> Result<Decision, String> {
    let text = std::str::from_utf8(value).map_err(|_| "decision is not UTF-8".to_owned())?;
    let mut parts = text.splitn(3, '|');
    let (Some(status), Some(similarity), Some(duplicate_of)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("decision has fewer than 3 fields".to_owned());
    };
    let status = match status {
        "unique" => Status::Unique,
        "duplicate" => Status::Duplicate,
        "near_duplicate" => Status::NearDuplicate,
        "update" => Status::Update,
        other => return Err(format!("unknown status {other:?}")),
    };
    Ok(Decision {
        status,
        duplicate_of: (!duplicate_of.is_empty()).then(|| duplicate_of.to_owned()),
        similarity: similarity
            .parse()
            .map_err(|_| format!("similarity {similarity:?} is not a number"))?,
    })
}

pub(crate) fn signature(signature: &Signature) -> Vec<u8> {
    let head = format!(
        "{}|{}|{}|{}|{}|",
        signature.seen_at,
        signature.word_count,
        signature.shingle_count,
        signature.article_id,
        signature.owner.len()
    );
    let mut out = Vec::with_capacity(head.len() + signature.owner.len() + signature.minhash.len() * 4);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(signature.owner.as_bytes());
    for value in &signature.minhash {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}

pub(crate) fn parse_signature(value: &[u8]) -> Result<Signature, String> {
    let mut fields = Vec::with_capacity(5);
    let mut rest = value;
    for _ in 0..5 {
        let end = rest
            .iter()
            .position(|&b| b == b'|')
            .ok_or("signature has fewer than 5 fields")?;
        let field =
            std::str::from_utf8(&rest[..end]).map_err(|_| "signature field is not UTF-8".to_owned())?;
        fields.push(field);
        rest = &rest[end + 1..];
    }
    let number = |i: usize| -> Result<i64, String> {
        fields[i]
            .parse::<i64>()
            .map_err(|_| format!("signature field {i} {:?} is not a number", fields[i]))
    };
    let count =
        |i: usize| number(i).and_then(|n| usize::try_from(n).map_err(|_| format!("negative field {i}")));
    let owner_len = count(4)?;
    if rest.len() < owner_len || !(rest.len() - owner_len).is_multiple_of(4) {
        return Err(format!(
            "signature payload of {} bytes does not fit owner length {owner_len}",
            rest.len()
        ));
    }
    let owner =
        std::str::from_utf8(&rest[..owner_len]).map_err(|_| "signature owner is not UTF-8".to_owned())?;
    let minhash = rest[owner_len..]
        .chunks_exact(4)
        .map(|chunk| u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
        .collect();
    Ok(Signature {
        article_id: fields[3].to_owned(),
        owner: owner.to_owned(),
        seen_at: number(0)?,
        minhash,
        word_count: count(1)?,
        shingle_count: count(2)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_roundtrip() {
        for owner in ["news.raw-html/3/1234", "file:/tmp/a|b.html/0", ""] {
            let c = Claim {
                article_id: "0123456789abcdef0123456789abcdef".into(),
                owner: owner.into(),
                content_hash: "ab".repeat(32),
                seen_at: 1_700_000_000,
            };
            assert_eq!(parse_claim(claim(&c).as_bytes()).unwrap(), c);
        }
        assert!(parse_claim(b"1|a|b").is_err());
        assert!(parse_claim(b"x|a|b|o").unwrap_err().contains("not a number"));
    }

    #[test]
    fn decisions_roundtrip() {
        for d in [
            Decision::unique(),
            Decision {
                status: Status::NearDuplicate,
                duplicate_of: Some("abc".into()),
                similarity: 0.734_375,
            },
            Decision {
                status: Status::Update,
                duplicate_of: Some("abc".into()),
                similarity: 0.1,
            },
            Decision {
                status: Status::Duplicate,
                duplicate_of: Some("abc".into()),
                similarity: 1.0,
            },
        ] {
            assert_eq!(parse_decision(decision(&d).as_bytes()).unwrap(), d);
        }
        assert!(
            parse_decision(b"maybe|1|x")
                .unwrap_err()
                .contains("unknown status")
        );
    }

    #[test]
    fn signatures_roundtrip() {
        let s = Signature {
            article_id: "0123456789abcdef0123456789abcdef".into(),
            owner: "t|x/0/9".into(),
            seen_at: -5,
            minhash: (0..128u32)
                .map(|i| i.wrapping_mul(0x9E37_79B9) | 0x7C00)
                .collect(),
            word_count: 412,
            shingle_count: 400,
        };
        let bytes = signature(&s);
        assert_eq!(parse_signature(&bytes).unwrap(), s);
        assert!(
            bytes.starts_with(b"-5|412|400|"),
            "the scripts read the leading seen_at"
        );
        assert!(parse_signature(&bytes[..bytes.len() - 1]).is_err());
        assert!(parse_signature(b"1|2|3").is_err());
    }
}
