//! Format sniffing: what the first bytes say the input is.
//!
//! A heap snapshot is a JSON object. Before reading it, the first token tells apart the inputs
//! people pass by mistake: an empty file, a gzip-compressed snapshot (`1F 8B`), other binary
//! data or text, a JSON array or scalar, and `{}`. Each gets its own error kind and message.

use super::scanner::{Scanner, Source};
use crate::error::{Error, ErrorKind, Result};

/// Reads up to and including the opening `{` of a non-empty top-level object, or fails with
/// what the input is instead.
pub(super) fn open_snapshot_object<R: Source>(sc: &mut Scanner<R>) -> Result<()> {
    sc.skip_utf8_bom()?;
    match sc.peek_token()? {
        None => return Err(Error::at(ErrorKind::Empty, 0, "the file is empty")),
        Some(0x1F) => {
            let start = sc.offset();
            sc.expect(0x1F, "the file")?;
            let gzip = sc.peek()? == Some(0x8B);
            return Err(Error::at(
                ErrorKind::NotJson,
                start,
                if gzip {
                    "the file is gzip-compressed, not JSON: decompress it first (e.g. gunzip)"
                } else {
                    "the file is not JSON (it does not start with '{')"
                },
            ));
        }
        Some(b'{') => {}
        Some(b'[') => {
            return Err(Error::at(
                ErrorKind::NotASnapshot,
                sc.offset(),
                "a JSON array, not a heap snapshot object",
            ))
        }
        Some(_) => {
            // A JSON scalar (`42`, `null`, `"x"`) is JSON, just not a snapshot.
            let start = sc.offset();
            let mut text = Vec::new();
            let scalar = sc.capture_value(&mut text, "the file").is_ok()
                && matches!(sc.peek_token(), Ok(None))
                && serde_json::from_slice::<serde_json::Value>(&text).is_ok();
            return Err(if scalar {
                Error::at(
                    ErrorKind::NotASnapshot,
                    start,
                    "a JSON value, not a heap snapshot object",
                )
            } else {
                Error::at(
                    ErrorKind::NotJson,
                    start,
                    "the file is not JSON (it does not start with '{')",
                )
            });
        }
    }
    sc.expect(b'{', "the top-level object")?;
    if sc.peek_token()? == Some(b'}') {
        return Err(Error::at(
            ErrorKind::NotASnapshot,
            sc.offset(),
            "an empty JSON object, not a heap snapshot",
        ));
    }
    Ok(())
}
