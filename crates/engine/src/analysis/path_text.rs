//! The one notation for retainer paths, used by every output (text, Markdown, HTML, JSON's
//! `pathText`).
//!
//! A path is written as JavaScript a person would type to reach the object, starting at the
//! first named object below the root:
//! * `.name` for a property (`["a b"]` when the name is not an identifier), `[3]` for an
//!   element;
//! * ` → name` for a variable of a closure's scope: the function's internal `context` link and
//!   the links between scopes (`previous`) are not written;
//! * internal links into storage (a Map's `table`, `elements`) are left out; other internal
//!   links are written `.name`;
//! * a root group (`(GC roots)`, `(Stack roots)`) is written by its name.
//!
//! `global.CustomEvent → process.mainModule.children[0].exports.step → sessionCache` reads:
//! the function `step`, reached from the global object, has `sessionCache` in its scope.
//!
//! [`path_text_short`] cuts a long path at step boundaries, keeping its start and its end (the
//! holder's name and the step into it are never cut).

use super::paths::PathStep;

/// True for names written `a.name` in JavaScript (private names `a.#name` included).
pub(crate) fn is_identifier(s: &str) -> bool {
    let s = s.strip_prefix('#').unwrap_or(s);
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// True for the classes of internal storage (a Map's table, `(object elements)`, `system / …`
/// other than a closure context): what paths and names leave out, and what a holder's owner
/// answers for.
pub(crate) fn is_storage_class(name: &[u8]) -> bool {
    (name.starts_with(b"(")
        && !matches!(
            name,
            b"(string)" | b"(concatenated string)" | b"(sliced string)" | b"(closure)"
        ))
        || (name.starts_with(b"system / ") && name != b"system / Context")
}

/// The text of a step into a property or an element after the object it leaves: `.name`,
/// `["a b"]` for a name that is not an identifier, `[3]` for an element (`indexed`) or a
/// numeric name.
pub(crate) fn member_text(edge: &str, indexed: bool) -> String {
    if indexed || (!edge.is_empty() && edge.bytes().all(|b| b.is_ascii_digit())) {
        format!("[{edge}]")
    } else if is_identifier(edge) {
        format!(".{edge}")
    } else {
        format!("[{}]", quote(edge))
    }
}

/// The path as segments: each is the text of one step (`global`, `.cache`, `[3]`, ` → x`).
pub fn segments(steps: &[PathStep]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let last = steps.len().saturating_sub(1);
    let mut after_root_group = true;
    for (i, s) in steps.iter().enumerate().skip(1) {
        let edge = s.edge.as_deref().unwrap_or("");
        let ty = s.edge_type.as_deref().unwrap_or("");
        let synthetic = s.node.node_type == "synthetic";
        if synthetic {
            out.push(
                if out.is_empty() {
                    String::new()
                } else {
                    " → ".to_owned()
                } + &s.node.name.to_lossy(),
            );
            after_root_group = true;
            continue;
        }
        if after_root_group {
            after_root_group = false;
            let name = s.node.name.to_lossy();
            let start = if name == "global" || name.starts_with("Window") {
                name.into_owned()
            } else {
                s.node.class_name.to_lossy().into_owned()
            };
            out.push(if out.is_empty() {
                start
            } else {
                format!(" → {start}")
            });
            continue;
        }
        let into_storage = is_storage_class(&s.node.class_name.0) && i < last;
        let text = match ty {
            "context" => format!(" → {edge}"),
            "internal" if edge == "context" || edge == "previous" => continue,
            "internal" if into_storage => continue,
            "weak" => format!(".(weak {edge})"),
            _ => member_text(edge, matches!(ty, "element" | "hidden")),
        };
        out.push(text);
    }
    out
}

/// A property name as `JSON.stringify` writes it (`"a b"`), cut at 80 characters: unambiguous
/// for any name, and what JavaScript accepts between brackets.
pub(crate) fn quote(s: &str) -> String {
    let cut: String = s.chars().take(80).collect();
    let mut out =
        String::from_utf8_lossy(&super::classes::json_string_literal(cut.as_bytes())).into_owned();
    if cut.len() < s.len() {
        out.insert(out.len() - 1, '…');
    }
    out
}

/// The whole path as text (`(root)` for the root itself).
pub fn path_text(steps: &[PathStep]) -> String {
    let t: String = segments(steps).concat();
    if t.is_empty() {
        "(root)".to_owned()
    } else {
        t
    }
}

/// The path in at most about `max_chars` characters: the first segment, `…`, and as many of
/// the last segments as fit (at least the last two: the holder and the step into it).
pub fn path_text_short(steps: &[PathStep], max_chars: usize) -> String {
    let seg = segments(steps);
    let full: String = seg.concat();
    if full.chars().count() <= max_chars || seg.len() <= 3 {
        return if full.is_empty() {
            "(root)".to_owned()
        } else {
            full
        };
    }
    let mut tail: Vec<&String> = Vec::new();
    let mut len = seg[0].chars().count() + 3;
    for s in seg[1..].iter().rev() {
        let l = s.chars().count();
        if tail.len() >= 2 && len + l > max_chars {
            break;
        }
        len += l;
        tail.push(s);
    }
    tail.reverse();
    let mut t = seg[0].clone();
    if tail.len() < seg.len() - 1 {
        t.push_str(" …");
    }
    for s in tail {
        t.push_str(s);
    }
    t
}
