//! A byte scanner over any `io::Read` with its own buffer, tracking the absolute offset so that
//! every error can say where reading failed. Numbers and strings are decoded straight from the
//! buffer; nothing builds a JSON tree.

use crate::error::{Error, ErrorKind, Result};
use crate::strings::push_code_point;
use std::io::Read;

/// 4 MiB: large enough that refills are rare and that a buffer of numbers splits into pieces
/// for every core ([`RecordSink::block`]), small enough to be nothing next to the graph.
pub(crate) const BUFFER_SIZE: usize = 4 << 20;

/// The least text ahead in the buffer worth handing to [`RecordSink::block`].
const MIN_BLOCK: usize = 256 << 10;

/// Deepest nesting accepted when skipping unknown values (serde_json uses 128).
const MAX_DEPTH: usize = 128;

/// Where a [`Scanner`]'s text comes from: any `io::Read` (read into the scanner's buffer), or
/// [`super::read_ahead::ReadAhead`] (which swaps in a buffer it filled on its own thread).
pub(crate) trait Source {
    /// Refills `buf`, or replaces it with a filled buffer of the same size: how many bytes it
    /// holds, 0 at the end of input.
    fn fill(&mut self, buf: &mut Box<[u8]>) -> std::io::Result<usize>;
}

impl<R: Read> Source for R {
    fn fill(&mut self, buf: &mut Box<[u8]>) -> std::io::Result<usize> {
        self.read(buf)
    }
}

pub(crate) struct Scanner<R> {
    reader: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// Offset in the input of `buf[0]`.
    base: u64,
    eof: bool,
    /// Invalid UTF-8 sequences replaced by U+FFFD inside strings so far.
    pub(crate) invalid_utf8: u64,
    /// Offset of the first of them.
    pub(crate) first_invalid_utf8: Option<u64>,
}

impl<R: Source> Scanner<R> {
    pub(crate) fn new(reader: R) -> Self {
        Scanner {
            reader,
            buf: vec![0; BUFFER_SIZE].into_boxed_slice(),
            pos: 0,
            len: 0,
            base: 0,
            eof: false,
            invalid_utf8: 0,
            first_invalid_utf8: None,
        }
    }

    /// Offset of the next unread byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Skips a UTF-8 byte order mark at the start of the input (an editor may add one; browsers
    /// skip it when they decode the file). Offsets keep counting its bytes.
    pub(crate) fn skip_utf8_bom(&mut self) -> Result<()> {
        if self.offset() == 0 && self.peek()? == Some(0xEF) {
            self.pos += 1;
            if self.next()? != Some(0xBB) || self.next()? != Some(0xBF) {
                return Err(Error::at(
                    ErrorKind::NotJson,
                    0,
                    "the file is not JSON (it starts with byte 0xef)",
                ));
            }
        }
        Ok(())
    }

    #[cold]
    fn refill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.reader.fill(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Error::at(
                        ErrorKind::Io,
                        self.base,
                        format!("reading the snapshot failed: {e}"),
                    ))
                }
            }
        }
    }

    /// The next byte without consuming it; `None` at the end of input.
    #[inline]
    pub(crate) fn peek(&mut self) -> Result<Option<u8>> {
        if self.pos < self.len || self.refill()? {
            Ok(Some(self.buf[self.pos]))
        } else {
            Ok(None)
        }
    }

    #[inline]
    fn next(&mut self) -> Result<Option<u8>> {
        if self.pos < self.len || self.refill()? {
            let b = self.buf[self.pos];
            self.pos += 1;
            Ok(Some(b))
        } else {
            Ok(None)
        }
    }

    pub(crate) fn truncated(&self, what: &str) -> Error {
        Error::at(
            ErrorKind::Truncated,
            self.offset(),
            format!("the file ends inside {what}: it is truncated"),
        )
    }

    fn unexpected(&self, b: u8, expected: &str) -> Error {
        let shown = if b.is_ascii_graphic() {
            format!("'{}'", b as char)
        } else {
            format!("byte 0x{b:02x}")
        };
        Error::at(
            ErrorKind::NotJson,
            self.offset().saturating_sub(1),
            format!("expected {expected}, found {shown}"),
        )
    }

    /// Skips whitespace and returns the next byte without consuming it.
    #[inline]
    pub(crate) fn peek_token(&mut self) -> Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b' ' | b'\n' | b'\r' | b'\t') => self.pos += 1,
                other => return Ok(other),
            }
        }
    }

    /// Skips whitespace and consumes the next byte, which must be `want`.
    pub(crate) fn expect(&mut self, want: u8, what: &str) -> Result<()> {
        match self.peek_token()? {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => {
                self.pos += 1;
                Err(self.unexpected(b, &format!("'{}' {what}", want as char)))
            }
            None => Err(self.truncated(what)),
        }
    }

    fn hex4(&mut self, what: &str) -> Result<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let b = self.next()?.ok_or_else(|| self.truncated(what))?;
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.unexpected(b, "a hex digit in a \\u escape")),
            };
            v = v << 4 | d as u32;
        }
        Ok(v)
    }

    /// Reads a JSON string (the opening quote not yet consumed) and appends its WTF-8 to `out`.
    /// Escaped surrogate pairs are joined; lone surrogates are kept (spec §1.6).
    pub(crate) fn read_string(&mut self, out: &mut Vec<u8>, what: &str) -> Result<()> {
        self.expect(b'"', what)?;
        loop {
            // Copy the plain run (printable ASCII up to a quote or backslash) in one go.
            let run_start = self.pos;
            self.pos += plain_run(&self.buf[self.pos..self.len]);
            out.extend_from_slice(&self.buf[run_start..self.pos]);
            let b = match self.next()? {
                Some(b) => b,
                None => return Err(self.truncated(what)),
            };
            match b {
                b'"' => return Ok(()),
                b'\\' => {
                    let e = self.next()?.ok_or_else(|| self.truncated(what))?;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut cp = self.hex4(what)?;
                            if (0xD800..0xDC00).contains(&cp) && self.peek()? == Some(b'\\') {
                                // Possibly a pair: look for "\uDCxx" right after.
                                self.pos += 1;
                                match self.next()? {
                                    Some(b'u') => {
                                        let lo = self.hex4(what)?;
                                        if (0xDC00..0xE000).contains(&lo) {
                                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                        } else {
                                            push_code_point(out, cp);
                                            cp = lo;
                                        }
                                    }
                                    Some(other) => {
                                        // Not a \u escape: emit the lone surrogate, then re-handle.
                                        push_code_point(out, cp);
                                        match other {
                                            b'"' => out.push(b'"'),
                                            b'\\' => out.push(b'\\'),
                                            b'/' => out.push(b'/'),
                                            b'b' => out.push(8),
                                            b'f' => out.push(12),
                                            b'n' => out.push(b'\n'),
                                            b'r' => out.push(b'\r'),
                                            b't' => out.push(b'\t'),
                                            _ => {
                                                return Err(self.unexpected(other, "a valid escape"))
                                            }
                                        }
                                        continue;
                                    }
                                    None => return Err(self.truncated(what)),
                                }
                            }
                            push_code_point(out, cp);
                        }
                        _ => return Err(self.unexpected(e, "a valid escape")),
                    }
                }
                0x80.. => self.utf8_sequence(b, out)?,
                // A plain byte that came right after a buffer refill.
                _ if b >= 0x20 => out.push(b),
                _ => return Err(self.unexpected(b, "no raw control character inside a string")),
            }
        }
    }

    /// Copies the raw UTF-8 sequence that starts with `lead` (already consumed) to `out`, or
    /// U+FFFD for an invalid one, replacing the same maximal subparts as the WHATWG decoder that
    /// browsers (and so DevTools) use. V8 writes only ASCII, so this is the rare path.
    #[cold]
    fn utf8_sequence(&mut self, lead: u8, out: &mut Vec<u8>) -> Result<()> {
        let (need, lo, hi) = match lead {
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE | 0xEF => (2, 0x80, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => (0, 0, 0),
        };
        let start = self.offset() - 1;
        let mut seq = [lead, 0, 0, 0];
        let mut valid = need > 0;
        for (k, slot) in seq.iter_mut().enumerate().skip(1).take(need) {
            let (l, h) = if k == 1 { (lo, hi) } else { (0x80, 0xBF) };
            match self.peek()? {
                Some(c) if (l..=h).contains(&c) => {
                    *slot = c;
                    self.pos += 1;
                }
                // The offending byte is not consumed: it starts what follows.
                _ => {
                    valid = false;
                    break;
                }
            }
        }
        if valid {
            out.extend_from_slice(&seq[..=need]);
        } else {
            out.extend_from_slice("\u{FFFD}".as_bytes());
            self.invalid_utf8 += 1;
            self.first_invalid_utf8.get_or_insert(start);
        }
        Ok(())
    }

    /// Reads a string and returns it as an owned UTF-8 `String` (lossy), for keys.
    pub(crate) fn read_key(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.read_string(&mut out, "an object key")?;
        Ok(out)
    }

    /// Copies the raw text of one JSON value (any kind) into `out`, checking only nesting and
    /// string boundaries; used for the small `snapshot` header, which serde_json then parses.
    pub(crate) fn capture_value(&mut self, out: &mut Vec<u8>, what: &str) -> Result<()> {
        let mut depth = 0usize;
        self.peek_token()?;
        loop {
            let b = self.next()?.ok_or_else(|| self.truncated(what))?;
            out.push(b);
            match b {
                b'{' | b'[' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(Error::at(
                            ErrorKind::InvalidData,
                            self.offset(),
                            format!("{what} is nested too deeply"),
                        ));
                    }
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
                b'"' => loop {
                    let c = self.next()?.ok_or_else(|| self.truncated(what))?;
                    out.push(c);
                    if c == b'\\' {
                        let e = self.next()?.ok_or_else(|| self.truncated(what))?;
                        out.push(e);
                    } else if c == b'"' {
                        break;
                    }
                },
                _ => {}
            }
            if depth == 0 {
                // A scalar: read until a delimiter.
                while let Some(c) = self.peek()? {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    out.push(c);
                    self.pos += 1;
                }
                return Ok(());
            }
        }
    }

    /// Skips one JSON value of any kind, with a nesting limit.
    pub(crate) fn skip_value(&mut self, what: &str) -> Result<()> {
        let mut sink = Vec::new();
        let mut depth = 0usize;
        loop {
            let b = self.peek_token()?.ok_or_else(|| self.truncated(what))?;
            match b {
                b'{' | b'[' => {
                    self.pos += 1;
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(Error::at(
                            ErrorKind::InvalidData,
                            self.offset(),
                            format!("{what} is nested too deeply"),
                        ));
                    }
                    continue;
                }
                b'}' | b']' => {
                    self.pos += 1;
                    depth = depth.saturating_sub(1);
                }
                b'"' => {
                    sink.clear();
                    self.read_string(&mut sink, what)?;
                }
                b',' | b':' => {
                    self.pos += 1;
                    continue;
                }
                _ => {
                    let mut any = false;
                    while let Some(c) = self.peek()? {
                        if matches!(c, b',' | b'}' | b']' | b':' | b' ' | b'\n' | b'\r' | b'\t') {
                            break;
                        }
                        any = true;
                        self.pos += 1;
                    }
                    if !any {
                        self.pos += 1;
                        return Err(self.unexpected(b, "a JSON value"));
                    }
                }
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }
}

/// The length of the run of printable ASCII other than `"` and `\\` at the start of `text`:
/// the quote or backslash found with `memchr`, the bytes before it checked 16 at a time.
fn plain_run(text: &[u8]) -> usize {
    let stop = memchr::memchr2(b'"', b'\\', text).unwrap_or(text.len());
    // Control characters and non-ASCII bytes end the run too.
    let special = |b: u8| b.wrapping_sub(0x20) >= 0x60;
    let mut k = 0;
    while k + 16 <= stop && !text[k..k + 16].iter().fold(false, |a, &b| a | special(b)) {
        k += 16;
    }
    while k < stop && !special(text[k]) {
        k += 1;
    }
    k
}

/// Where [`Scanner::read_records`] hands what it reads.
pub(crate) trait RecordSink {
    /// One whole record (`f` values) and the offset where it starts.
    fn record(&mut self, r: &[u64], off: u64) -> Result<()>;

    /// Offered, at a record boundary, the text ahead in the buffer (`off`: where it starts):
    /// takes whole records from its start and returns how many bytes it took (ending right
    /// after a separator) and how many more bytes after them not to offer again (text it
    /// declined, which [`RecordSink::record`] then gets value by value). Taking nothing is
    /// always right: the records then come one by one.
    fn block(&mut self, _text: &[u8], _off: u64) -> Result<(usize, usize)> {
        Ok((0, usize::MAX))
    }
}

impl<F: FnMut(&[u64], u64) -> Result<()>> RecordSink for F {
    #[inline(always)]
    fn record(&mut self, r: &[u64], off: u64) -> Result<()> {
        self(r, off)
    }
}

/// What [`Scanner::read_records`] read.
#[derive(Default)]
pub(crate) struct Records {
    /// The last record, if the array ends in its middle.
    pub partial: Option<Partial>,
}

/// A record cut short by the end of its array.
pub(crate) struct Partial {
    /// How many values it has.
    pub values: usize,
    /// The record, zeros in place of the missing values.
    pub record: Vec<u64>,
    /// Where it starts.
    pub offset: u64,
}

/// The largest integer up to which DevTools' double-precision digit accumulation is exact (2^53).
const MAX_EXACT: u64 = 1 << 53;

impl<R: Source> Scanner<R> {
    /// Reads one non-negative integer.
    pub(crate) fn read_uint(&mut self, what: &str) -> Result<u64> {
        let mut value = None;
        self.read_one_uint(what, false, &mut value)?;
        Ok(value.expect("read_one_uint sets a value or fails"))
    }
}

impl<R: Source> Scanner<R> {
    /// Reads `[…]` of non-negative integers in records of `f` values, calling `sink` with each
    /// whole record and the offset where it started. Returns a last record cut short,
    /// zero-filled. With `as_devtools`, a number above 2^53 is read as DevTools'
    /// loader reads it: accumulated digit by digit in double precision (so rounded, and
    /// infinite past about 309 digits), then reduced modulo 2^32 as its `Uint32Array` stores it;
    /// without, one above 2^64 − 1 is an error. At record boundaries the sink may take whole
    /// records straight from the buffer ([`RecordSink::block`]); otherwise the common case (a
    /// whole number and its separator inside the buffer) runs without refills or per-byte
    /// bookkeeping, and anything else takes the careful path ([`Scanner::read_one_uint`]).
    pub(crate) fn read_records(
        &mut self,
        what: &str,
        f: usize,
        as_devtools: bool,
        sink: &mut impl RecordSink,
    ) -> Result<Records> {
        debug_assert!(f > 0);
        // Newer V8 versions may add fields; any count works (Node 20 writes 7 and 3).
        let mut rec = vec![0u64; f];
        let mut k = 0usize;
        let mut rec_start = 0u64;
        self.expect(b'[', what)?;
        if self.peek_token()? == Some(b']') {
            self.pos += 1;
            return Ok(Records::default());
        }
        // Offsets before which the sink is not offered blocks again (it declined them).
        let mut no_block_before = 0u64;
        loop {
            if k == 0 && self.len - self.pos >= MIN_BLOCK && self.offset() >= no_block_before {
                let off = self.offset();
                let (took, declined) = sink.block(&self.buf[self.pos..self.len], off)?;
                self.pos += took;
                no_block_before = (off + took as u64).saturating_add(declined as u64);
                if took > 0 {
                    // The block ended after a separator: a value must follow.
                    continue;
                }
            }
            // Fast path: digits followed by a separator, all in the buffer.
            let buf = &self.buf[self.pos..self.len];
            let mut i = 0usize;
            let mut v = 0u64;
            while i < buf.len() && i < 19 {
                let d = buf[i].wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                v = v * 10 + d as u64;
                i += 1;
            }
            // At most 19 digits were taken (no overflow); more, or a value above 2^53, takes
            // the slow path (`v` is then at least 10^18).
            let value = if i > 0 && i < buf.len() && v <= MAX_EXACT {
                let off = self.base + self.pos as u64;
                self.pos += i;
                (v, off)
            } else {
                // Slow path: refills, overflow checks, precise errors.
                let off = self.offset();
                let mut one = None;
                self.read_one_uint(what, as_devtools, &mut one)?;
                (one.expect("read_one_uint sets a value or fails"), off)
            };
            if k == 0 {
                rec_start = value.1;
            }
            rec[k] = value.0;
            k += 1;
            if k == f {
                sink.record(&rec[..f], rec_start)?;
                k = 0;
            }
            // Separator.
            if self.pos < self.len && self.buf[self.pos] == b',' {
                self.pos += 1;
                // V8 puts a newline after each record.
                if self.pos < self.len && self.buf[self.pos] == b'\n' {
                    self.pos += 1;
                }
                continue;
            }
            match self.peek_token()? {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(b'.' | b'e' | b'E') => {
                    return Err(Error::at(
                        ErrorKind::InvalidData,
                        value.1,
                        format!("a non-integer number in {what}"),
                    ))
                }
                Some(b) => {
                    self.pos += 1;
                    return Err(self.unexpected(b, &format!("',' or ']' in {what}")));
                }
                None => return Err(self.truncated(what)),
            }
        }
        // DevTools reads the values into a flat array: a last record cut short keeps zeros in
        // its missing fields. It is handed back rather than to `sink`, whose one call site lets
        // the compiler inline it into the loop above.
        let partial = (k != 0).then(|| {
            rec[k..].iter_mut().for_each(|v| *v = 0);
            Partial {
                values: k,
                record: rec,
                offset: rec_start,
            }
        });
        Ok(Records { partial })
    }

    /// Reads one number with full checks (the slow path of [`Scanner::read_records`]; for
    /// `as_devtools`, see there).
    fn read_one_uint(
        &mut self,
        what: &str,
        as_devtools: bool,
        out: &mut Option<u64>,
    ) -> Result<()> {
        self.peek_token()?;
        let start = self.offset();
        let mut value: Option<u64> = Some(0);
        // DevTools' `nextNumber = nextNumber * 10 + digit`, in double precision.
        let mut double = 0f64;
        let mut digits = 0usize;
        while let Some(b) = self.peek()? {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            value = value
                .and_then(|v| v.checked_mul(10))
                .and_then(|v| v.checked_add(d as u64));
            if value.is_none() && !as_devtools {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    start,
                    format!("a number in {what} does not fit in 64 bits"),
                ));
            }
            double = double * 10.0 + d as f64;
            digits += 1;
            self.pos += 1;
        }
        let value = match value {
            Some(v) if v <= MAX_EXACT || !as_devtools => v,
            // `ToUint32`: the double modulo 2^32 (exact for doubles), infinity reads as 0.
            _ if double.is_finite() => (double % 4_294_967_296.0) as u64,
            _ => 0,
        };
        match self.peek()? {
            None => return Err(self.truncated(what)),
            Some(b'-') if digits == 0 => {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    start,
                    format!("a negative number in {what}"),
                ))
            }
            Some(b'.' | b'e' | b'E') if digits > 0 => {
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    start,
                    format!("a non-integer number in {what}"),
                ))
            }
            Some(b) if digits == 0 => {
                self.pos += 1;
                return Err(self.unexpected(b, &format!("a number in {what}")));
            }
            _ => {}
        }
        *out = Some(value);
        Ok(())
    }
}
