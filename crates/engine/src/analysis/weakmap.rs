//! WeakMap ephemeron edge names (spec §2.8.3):
//! `<n> / part of key (<k> @<id>) -> value (<v> @<id>) pair in WeakMap (table @<tableId>)`
//! (one closing parenthesis at the end).
//! DevTools matches them with an anchored regex with lazy groups; [`parse`] accepts exactly the
//! strings that regex accepts and returns the same captures.

/// The captures of a matching name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ephemeron<'a> {
    /// The name without its leading counter (shared by the key's and the table's edge).
    pub(crate) duplicated_part: &'a [u8],
    /// The table's node id (`None` if it does not fit in 32 bits: then it equals no node id).
    pub(crate) table_id: Option<u32>,
}

fn strip_digits_back(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = s.len();
    let mut i = end;
    while i > 0 && s[i - 1].is_ascii_digit() {
        i -= 1;
    }
    (i < end).then(|| (&s[..i], &s[i..]))
}

/// Parses an edge name; `None` if it is not a WeakMap ephemeron name.
pub(crate) fn parse(name: &[u8]) -> Option<Ephemeron<'_>> {
    // ^\d+
    let lead = name.iter().take_while(|b| b.is_ascii_digit()).count();
    if lead == 0 {
        return None;
    }
    let dup = &name[lead..];
    let rest = dup.strip_prefix(b" / part of key (")?;
    // ... pair in WeakMap \(table @(\d+)\)$  (the regex's last ')' closes the capture group)
    let rest = rest.strip_suffix(b")")?;
    let (rest, table_digits) = strip_digits_back(rest)?;
    let middle = rest.strip_suffix(b") pair in WeakMap (table @")?;
    // middle = A " @"\d+ ") -> value (" B " @"\d+   (the final ")" was taken above)
    let (m2, _value_id) = strip_digits_back(middle)?;
    let m2 = m2.strip_suffix(b" @")?;
    // m2 = A " @"\d+ ") -> value (" B : find any split where the prefix ends in " @"\d+.
    const SEP: &[u8] = b") -> value (";
    let found = (0..m2.len().saturating_sub(SEP.len() - 1)).any(|i| {
        m2[i..].starts_with(SEP)
            && strip_digits_back(&m2[..i]).is_some_and(|(p, _)| p.ends_with(b" @"))
    });
    if !found {
        return None;
    }
    let table_id = std::str::from_utf8(table_digits)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .and_then(|v| u32::try_from(v).ok());
    Some(Ephemeron {
        duplicated_part: dup,
        table_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v8_names() {
        let n =
            b"2 / part of key (Object @123) -> value (Object @456) pair in WeakMap (table @789)";
        let e = parse(n).unwrap();
        assert_eq!(e.table_id, Some(789));
        assert_eq!(e.duplicated_part, &n[1..]);
        assert!(parse(b"part of key (a @1) -> value (b @2) pair in WeakMap (table @3)").is_none());
        assert!(
            parse(b"1 / part of key (a @1) -> value (b @x) pair in WeakMap (table @3)").is_none()
        );
        assert!(parse(b"1 / part of key (a) -> value (b @2) pair in WeakMap (table @3)").is_none());
        // Names that themselves contain the separators still match, as with the lazy regex.
        assert!(parse(
            b"10 / part of key (x) -> value (y @1) @5) -> value ( @2) pair in WeakMap (table @3)"
        )
        .is_some());
    }
}
