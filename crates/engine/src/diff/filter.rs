//! Which classes a diff reports.
//!
//! A *pattern* is a user's class-name filter: a substring, or `/regex/flags`. An *internal class*
//! is one of V8's own groups (`(system)`, `(compiled code)`, `system / …`, any `(…)` name other
//! than the three string kinds): left out unless asked for. `watch` applies the same rule
//! through the addon's `ClassFilter`.

use super::DiffOptions;
use crate::analysis::Analysis;

/// A class-name filter: substring or regular expression.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// Matches names containing this text.
    Substring(String),
    /// Matches names the expression finds a match in.
    Regex(regex::Regex),
}

impl Pattern {
    /// Parses `/expr/flags` as a regular expression (flag `i` supported), anything else as a
    /// substring.
    pub fn parse(s: &str) -> std::result::Result<Pattern, String> {
        if s.len() >= 2 && s.starts_with('/') {
            if let Some(end) = s.rfind('/').filter(|&e| e > 0) {
                let (expr, flags) = (&s[1..end], &s[end + 1..]);
                let mut b = regex::RegexBuilder::new(expr);
                for f in flags.chars() {
                    match f {
                        'i' => {
                            b.case_insensitive(true);
                        }
                        'u' | 'g' => {}
                        other => {
                            return Err(format!(
                                "unsupported regular expression flag '{other}' in {s}"
                            ))
                        }
                    }
                }
                return b
                    .build()
                    .map(Pattern::Regex)
                    .map_err(|e| format!("invalid pattern {s}: {e}"));
            }
        }
        Ok(Pattern::Substring(s.to_owned()))
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Pattern::Substring(t) => name.contains(t.as_str()),
            Pattern::Regex(r) => r.is_match(name),
        }
    }
}

impl DiffOptions {
    /// True if a class of this name is reported.
    pub fn keeps_class(&self, name: &str) -> bool {
        if !self.include_internal && is_internal_class(name) {
            return false;
        }
        !self.ignore.iter().any(|p| p.matches(name))
    }
}

/// Internal/system classes: `(…)` names other than the string kinds, and `system / …`.
pub fn is_internal_class(name: &str) -> bool {
    (name.starts_with('(')
        && !matches!(
            name,
            "(string)" | "(concatenated string)" | "(sliced string)"
        ))
        || name.starts_with("system / ")
}

/// Per class-name string id: `pred` of the class's name for the names classes use, false for
/// other strings.
pub(crate) fn per_class_name(a: &Analysis, pred: impl Fn(&str) -> bool) -> Vec<bool> {
    let mut out = vec![false; a.snap.strings.len()];
    for &c in &a.classes.key_name {
        out[c.index()] = pred(&a.snap.strings.get(c));
    }
    out
}
