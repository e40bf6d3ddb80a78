//! Scripts and their source text, to point at lines of code.
//!
//! Terms:
//! * a **script** is what a closure's `shared → script_or_debug_info` (older V8: `script`)
//!   leads to; its `name` is the file (or URL) and its `source` the text V8 compiled;
//! * V8 writes at most `--heap-snapshot-string-limit` (1,024) characters of any string, so a
//!   longer source is read from the script's file when that file exists (it may have changed
//!   since the snapshot; the finding says where its text came from);
//! * a **mention** of a name is a line where it appears as a whole word outside comments,
//!   classified as a definition, a line that fills (adds to, appends to, subscribes on, or
//!   reassigns) it, or another use.

use crate::analysis::locations::ScriptRef;
use crate::analysis::Analysis;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// V8's default `--heap-snapshot-string-limit`.
const SNAPSHOT_STRING_LIMIT: usize = 1024;

/// What a line does with a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Use {
    /// Adds to it, appends to it, subscribes on it or reassigns it.
    Fills,
    /// Declares it.
    Defines,
    /// Anything else.
    Uses,
}

/// A line that mentions a name (0-based line and column).
#[derive(Debug, Clone)]
pub(crate) struct Mention {
    /// 0-based line.
    pub line: u32,
    /// 0-based column of the name.
    pub column: u32,
    /// What the line does with the name.
    pub kind: Use,
    /// The line, trimmed, at most 160 characters.
    pub text: String,
}

/// The scripts of a snapshot, their source read when first asked for (a snapshot of a big
/// application names thousands of scripts; a finding needs a few).
pub(crate) struct Scripts<'a> {
    a: &'a Analysis,
    sources: RefCell<HashMap<u32, Option<Rc<[String]>>>>,
}

/// True for scripts of the runtime itself (Node's `node:` and `internal/` modules).
pub(crate) fn is_runtime_script(name: &str) -> bool {
    name.starts_with("node:") || name.starts_with("internal/") || name.is_empty()
}

impl<'a> Scripts<'a> {
    /// The scripts that closures' locations point into (the analysis learns them once).
    pub(crate) fn of(a: &'a Analysis) -> Scripts<'a> {
        Scripts {
            a,
            sources: RefCell::new(HashMap::new()),
        }
    }

    /// The name of the script with this id.
    pub(crate) fn name(&self, script_id: u32) -> Option<&'a str> {
        self.a.scripts().get(&script_id).map(|s| s.name.as_str())
    }

    /// The source lines of the script with this id (none for the runtime's scripts).
    pub(crate) fn lines(&self, script_id: u32) -> Option<Rc<[String]>> {
        if let Some(known) = self.sources.borrow().get(&script_id) {
            return known.clone();
        }
        let lines = self
            .a
            .scripts()
            .get(&script_id)
            .filter(|s| !is_runtime_script(&s.name))
            .and_then(|s| source_text(self.a, s))
            .map(|t| t.lines().map(str::to_owned).collect::<Rc<[String]>>());
        self.sources.borrow_mut().insert(script_id, lines.clone());
        lines
    }

    /// Ids of the scripts that are not the runtime's, in order.
    pub(crate) fn user_ids(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .a
            .scripts()
            .iter()
            .filter(|(_, s)| !is_runtime_script(&s.name))
            .map(|(&id, _)| id)
            .collect();
        v.sort_unstable();
        v
    }
}

/// The whole source of a script: the snapshot's copy when V8 wrote all of it, else the file.
fn source_text(a: &Analysis, script: &ScriptRef) -> Option<String> {
    let in_snapshot = a
        .edge_target(script.node, "source")
        .map(|s| a.display_name(super::ord(s)));
    if let Some(text) = &in_snapshot {
        if text.encode_utf16().count() < SNAPSHOT_STRING_LIMIT {
            return in_snapshot;
        }
    }
    let path = script.name.strip_prefix("file://").unwrap_or(&script.name);
    std::fs::read_to_string(path).ok().or(in_snapshot)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The lines of `lines` that mention `word` as a whole word outside `//` comments.
pub(crate) fn mentions(lines: &[String], word: &str) -> Vec<Mention> {
    let mut out = Vec::new();
    if word.is_empty() {
        return out;
    }
    for (i, line) in lines.iter().enumerate() {
        let masked = mask_literals(line);
        let code = masked.as_str();
        let bytes = code.as_bytes();
        let mut from = 0;
        // Every whole-word occurrence; the line counts once, with its strongest use.
        let mut best: Option<(Use, usize)> = None;
        while let Some(pos) = code[from..].find(word).map(|p| p + from) {
            let end = pos + word.len();
            let before_ok = pos == 0 || !is_word_byte(bytes[pos - 1]);
            let after_ok = end >= bytes.len() || !is_word_byte(bytes[end]);
            if before_ok && after_ok {
                let kind = classify(code, pos, end);
                if best.is_none_or(|b| kind < b.0) {
                    best = Some((kind, pos));
                }
            }
            from = end;
        }
        if let Some((kind, pos)) = best {
            out.push(Mention {
                line: i as u32,
                column: pos as u32,
                kind,
                text: line.trim().chars().take(160).collect(),
            });
        }
    }
    out
}

/// The line with the insides of string literals blanked (same length) and a `//` comment cut:
/// a name inside a string is no mention. A string or comment left open continues on the next
/// line in real code; here the rest of the line is blanked, which errs on the quiet side.
fn mask_literals(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut prev = '\0';
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == q && prev != '\\' {
                    quote = None;
                    out.push(c);
                } else {
                    out.push_str(&" ".repeat(c.len_utf8()));
                }
            }
            None => {
                if c == '/' && chars.peek() == Some(&'/') {
                    break;
                }
                if matches!(c, '\'' | '"' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
        prev = if prev == '\\' && c == '\\' { '\0' } else { c };
    }
    out
}

/// What a line does with the name at `pos..end`.
fn classify(code: &str, pos: usize, end: usize) -> Use {
    let before = code[..pos].trim_end();
    let after = code[end..].trim_start();
    const DECLARERS: [&str; 6] = ["const", "let", "var", "class", "function", "static"];
    if DECLARERS.iter().any(|k| ends_with_word(before, k)) {
        return Use::Defines;
    }
    const FILLERS: [&str; 14] = [
        ".set(",
        ".add(",
        ".push(",
        ".unshift(",
        ".splice(",
        ".on(",
        ".once(",
        ".addListener(",
        ".prependListener(",
        ".then(",
        ".catch(",
        ".finally(",
        "+=",
        ".concat(",
    ];
    if FILLERS.iter().any(|f| after.starts_with(f)) {
        return Use::Fills;
    }
    // `name[key] = …`, `name.key = …` (not `==`), and `name = …` (a reassignment).
    if let Some(rest) = after.strip_prefix('[').or_else(|| after.strip_prefix('.')) {
        if let Some(eq) = rest.find('=') {
            let tail = &rest[eq..];
            let head = &rest[..eq];
            if !tail.starts_with("==") && !head.contains('(') && !head.ends_with(['!', '<', '>']) {
                return Use::Fills;
            }
        }
    }
    if after.starts_with('=') && !after.starts_with("==") && !after.starts_with("=>") {
        // `x = []`, `x = new Map()`, `x = x || {}`: (re)creating an empty container defines it;
        // any other assignment (`theThing = { … }`, `log = log + line`) fills it.
        return if creates_empty(after[1..].trim()) {
            Use::Defines
        } else {
            Use::Fills
        };
    }
    Use::Uses
}

/// True for a right-hand side that makes an empty container: `[]`, `{}`, `new Map()`, or
/// `a || []`, `a ?? new Set()`.
fn creates_empty(rhs: &str) -> bool {
    let rhs = rhs.trim_end_matches(';').trim();
    let last = rhs.rsplit(['|', '?']).next().unwrap_or(rhs).trim();
    let empty = |e: &str| {
        e == "[]"
            || e == "{}"
            || (e.starts_with("new ")
                && e.ends_with("()")
                && e[4..e.len() - 2]
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_'))
    };
    empty(rhs) || ((rhs.contains("||") || rhs.contains("??")) && empty(last))
}

fn ends_with_word(s: &str, word: &str) -> bool {
    s.ends_with(word)
        && s[..s.len() - word.len()]
            .bytes()
            .last()
            .is_none_or(|b| !is_word_byte(b))
}

/// The text of the function that starts at `line:column` (a closure's location): from there to
/// the brace that closes its body, or to the end of the line for an arrow function without
/// braces. Strings, template literals and comments are skipped while matching braces.
pub(crate) fn function_text(lines: &[String], line: u32, column: u32) -> Option<String> {
    let first = lines.get(line as usize)?;
    let start = first
        .char_indices()
        .nth(column as usize)
        .map_or(first.len(), |(i, _)| i);
    let mut text = String::new();
    let mut depth = 0i32;
    let mut opened = false;
    let mut state = Lex::Code;
    for (k, l) in lines.iter().enumerate().skip(line as usize) {
        let part = if k == line as usize {
            &l[start.min(l.len())..]
        } else {
            l.as_str()
        };
        let mut prev = '\0';
        for c in part.chars() {
            text.push(c);
            state = match state {
                Lex::Code => match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                        Lex::Code
                    }
                    '}' => {
                        depth -= 1;
                        if opened && depth <= 0 {
                            return Some(text);
                        }
                        Lex::Code
                    }
                    '\'' | '"' | '`' => Lex::Str(c),
                    '/' if prev == '/' => Lex::LineComment,
                    '*' if prev == '/' => Lex::BlockComment,
                    _ => Lex::Code,
                },
                Lex::Str(q) if c == q && prev != '\\' => Lex::Code,
                Lex::BlockComment if c == '/' && prev == '*' => Lex::Code,
                s => s,
            };
            prev = c;
        }
        if state == Lex::LineComment {
            state = Lex::Code;
        }
        if !opened {
            // An arrow function without braces ends on its line.
            return Some(text);
        }
        text.push('\n');
        if text.len() > 1 << 16 {
            return Some(text);
        }
    }
    Some(text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Code,
    Str(char),
    LineComment,
    BlockComment,
}

/// True if `text` mentions `word` as a whole word.
pub(crate) fn mentions_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = text[from..].find(word).map(|p| p + from) {
        let end = pos + word.len();
        if (pos == 0 || !is_word_byte(bytes[pos - 1]))
            && (end >= bytes.len() || !is_word_byte(bytes[end]))
        {
            return true;
        }
        from = end;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str, word: &str) -> Use {
        mentions(&[line.to_owned()], word)[0].kind
    }

    #[test]
    fn what_a_line_does_with_a_name() {
        assert_eq!(kind("const cache = new Map();", "cache"), Use::Defines);
        assert_eq!(kind("  cache.set(k, v);", "cache"), Use::Fills);
        assert_eq!(
            kind("if (!cache.has(k)) cache.set(k, v);", "cache"),
            Use::Fills
        );
        assert_eq!(
            kind("globalThis.log = globalThis.log || [];", "log"),
            Use::Defines
        );
        assert_eq!(kind("theThing = {", "theThing"), Use::Fills);
        assert_eq!(kind("buf += line;", "buf"), Use::Fills);
        assert_eq!(kind("byId[id] = product;", "byId"), Use::Fills);
        assert_eq!(kind("return cache.get(k);", "cache"), Use::Uses);
        assert_eq!(kind("if (a == cache) {}", "cache"), Use::Uses);
        // In a string or a comment, a name is no mention.
        assert!(mentions(&["log('cache.set(x)'); // cache.set".to_owned()], "cache").is_empty());
    }

    #[test]
    fn a_function_ends_at_its_closing_brace() {
        let lines: Vec<String> = ["x(function f() {", "  if (a) { b('}'); }", "}, 1); next();"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let text = function_text(&lines, 0, 2).expect("text");
        assert!(text.ends_with('}') && !text.contains("next"), "{text}");
        let arrow = vec!["list.push(() => req.url); other();".to_owned()];
        assert!(function_text(&arrow, 0, 10)
            .expect("text")
            .contains("req.url"));
    }
}
