//! `HeapAnalysis.duplicatedStrings`, `largestStrings` and `duplicatedStringIds`: options in,
//! pages out (conversion only; the engine's `strings_report` computes them), off the JS thread.

use crate::error::{catch_panic, ENTRY_PANIC_HOOK};
use crate::query::window;
use crate::results::HeapNode;
use crate::{spawn_promise, HeapAnalysis};
use heapwise_engine::{self as engine, Error as EngineError, ErrorKind};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of `HeapAnalysis.duplicatedStrings` and `HeapAnalysis.largestStrings`.
#[napi(object, object_to_js = false)]
pub struct StringsOptions {
    /// Items skipped (default 0).
    pub offset: Option<f64>,
    /// Most items returned (default 50, at most 10,000).
    pub limit: Option<f64>,
    /// Characters of content in each preview (default 100, at most 10,000).
    pub preview_chars: Option<f64>,
    /// `duplicatedStrings` only: largest copies of each group shown with their holders
    /// (default 3, at most 20).
    pub copies: Option<f64>,
}

/// The engine's arguments of a strings request.
fn strings_args(
    o: Option<StringsOptions>,
) -> std::result::Result<(engine::StringsOptions, engine::Window), EngineError> {
    let Some(o) = o else {
        return Ok((engine::StringsOptions::default(), engine::Window::default()));
    };
    let count = |v: Option<f64>, name: &str, default: usize, max: usize| match v {
        None => Ok(default),
        Some(x) if x >= 0.0 && x.fract() == 0.0 => Ok((x as usize).min(max)),
        Some(x) => Err(EngineError::new(
            ErrorKind::InvalidArgument,
            format!("{name} must be a whole number of 0 or more, got {x}"),
        )),
    };
    let d = engine::StringsOptions::default();
    Ok((
        engine::StringsOptions {
            preview_chars: count(o.preview_chars, "previewChars", d.preview_chars, 10_000)?,
            copies: count(o.copies, "copies", d.copies, engine::MAX_COPIES)?,
        },
        window(o.offset, o.limit)?,
    ))
}

/// A string object with what holds it.
#[napi(object)]
pub struct StringCopy {
    /// The string object (`name` is its whole content in the snapshot, unescaped).
    pub node: HeapNode,
    /// The first object on its retainer path that is not a string (`null` when a root holds it
    /// or it is unreachable).
    pub holder: Option<HeapNode>,
    /// Its retainer path in heapwise's one notation, cut to about 160 characters (empty if it
    /// is unreachable).
    pub path_text: String,
}

impl From<engine::StringCopy> for StringCopy {
    fn from(c: engine::StringCopy) -> Self {
        StringCopy {
            node: c.node.into(),
            holder: c.holder.map(Into::into),
            path_text: c.path_text,
        }
    }
}

/// The content of a string as the snapshot has it.
#[napi(object)]
pub struct StringContent {
    /// The content as a JSON string literal (quotes and escapes), cut to `previewChars`
    /// characters with `…` before the closing quote.
    pub preview: String,
    /// Length of the content in the snapshot, in UTF-16 units. V8 writes at most the first 1024
    /// characters of a string.
    pub length: f64,
    /// True when V8 marked the string as clipped.
    pub truncated: bool,
    /// The string's whole length, when V8 gave it next to a clipped string.
    pub full_length: Option<f64>,
}

impl From<engine::StringContent> for StringContent {
    fn from(c: engine::StringContent) -> Self {
        StringContent {
            preview: c.preview,
            length: c.length as f64,
            truncated: c.truncated,
            full_length: c.full_length,
        }
    }
}

/// The copies of one string content (DevTools' "Duplicated strings").
#[napi(object)]
pub struct DuplicatedString {
    /// The content.
    pub content: StringContent,
    /// Number of copies (2 or more).
    pub copies: f64,
    /// Sum of their shallow sizes, in bytes.
    pub total_size: f64,
    /// `totalSize` minus the largest copy's size: what sharing one copy would free.
    pub wasted_size: f64,
    /// The largest copies with their holders, largest first (`copies` of them).
    pub largest: Vec<StringCopy>,
}

impl From<engine::DuplicatedString> for DuplicatedString {
    fn from(g: engine::DuplicatedString) -> Self {
        DuplicatedString {
            content: g.content.into(),
            copies: g.copies as f64,
            total_size: g.total_size as f64,
            wasted_size: g.wasted_size as f64,
            largest: g.largest.into_iter().map(Into::into).collect(),
        }
    }
}

/// A page of the duplicated strings, most wasted bytes first, with the totals of all groups.
#[napi(object)]
pub struct DuplicatedStringsPage {
    /// Number of groups (contents with 2 or more copies).
    pub total: f64,
    /// Position of the first group returned.
    pub offset: f64,
    /// Copies in all groups.
    pub copies: f64,
    /// Sum of the groups' total sizes, in bytes.
    pub total_size: f64,
    /// Sum of the groups' wasted bytes.
    pub wasted_size: f64,
    /// The groups.
    pub groups: Vec<DuplicatedString>,
}

impl From<engine::DuplicatedStrings> for DuplicatedStringsPage {
    fn from(d: engine::DuplicatedStrings) -> Self {
        DuplicatedStringsPage {
            total: d.page.total as f64,
            offset: d.page.offset as f64,
            copies: d.copies as f64,
            total_size: d.total_size as f64,
            wasted_size: d.wasted_size as f64,
            groups: d.page.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// One of the largest strings.
#[napi(object)]
pub struct LargeString {
    /// The string object, its holder and its path.
    pub copy: StringCopy,
    /// Its content.
    pub content: StringContent,
}

impl From<engine::LargeString> for LargeString {
    fn from(s: engine::LargeString) -> Self {
        LargeString {
            copy: s.copy.into(),
            content: s.content.into(),
        }
    }
}

/// A page of the string objects, largest shallow size first.
#[napi(object)]
pub struct LargestStringsPage {
    /// Number of string objects (strings, concatenated and sliced strings) of non-zero size.
    pub total: f64,
    /// Position of the first string returned.
    pub offset: f64,
    /// Sum of their shallow sizes, in bytes.
    pub total_size: f64,
    /// The strings.
    pub strings: Vec<LargeString>,
}

impl From<engine::LargestStrings> for LargestStringsPage {
    fn from(l: engine::LargestStrings) -> Self {
        LargestStringsPage {
            total: l.page.total as f64,
            offset: l.page.offset as f64,
            total_size: l.total_size as f64,
            strings: l.page.items.into_iter().map(Into::into).collect(),
        }
    }
}

#[napi]
impl HeapAnalysis {
    /// A page of the duplicated strings (DevTools' Summary filter "Duplicated strings": strings
    /// and concatenated strings of the same content, flattened concatenations and sliced strings
    /// left out), most wasted bytes first, each group with its largest copies and their holders.
    /// Off the JS thread; the first call groups the strings (one pass over the heap), the next
    /// ones only cut pages.
    #[napi(ts_return_type = "Promise<DuplicatedStringsPage>")]
    pub fn duplicated_strings<'env>(
        &self,
        env: &'env Env,
        options: Option<StringsOptions>,
    ) -> Result<Object<'env>> {
        let shared = self.shared();
        let args = strings_args(options);
        spawn_promise::<_, DuplicatedStringsPage>(env, "strings", move || {
            let (a, (o, w)) = (shared?, args?);
            catch_panic(ENTRY_PANIC_HOOK, || Ok(a.duplicated_strings(o, w)), |e| e)
        })
    }

    /// The ids of every copy `duplicatedStrings` counts (the objects DevTools' "Duplicated
    /// strings" filter keeps), in snapshot order. Off the JS thread.
    #[napi(ts_return_type = "Promise<number[]>")]
    pub fn duplicated_string_ids<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let shared = self.shared();
        spawn_promise::<_, Vec<f64>>(env, "strings", move || {
            let a = shared?;
            catch_panic(
                ENTRY_PANIC_HOOK,
                || {
                    let ids = &a.snapshot().node_id;
                    Ok(a.duplicated_string_nodes()
                        .into_iter()
                        .map(|o| ids[o.index()] as f64)
                        .collect::<Vec<f64>>())
                },
                |e| e,
            )
        })
    }

    /// A page of the string objects (strings, concatenated and sliced strings), largest shallow
    /// size first, each with its content's preview, its holder and its path. Off the JS thread
    /// (one pass over the heap per page).
    #[napi(ts_return_type = "Promise<LargestStringsPage>")]
    pub fn largest_strings<'env>(
        &self,
        env: &'env Env,
        options: Option<StringsOptions>,
    ) -> Result<Object<'env>> {
        let shared = self.shared();
        let args = strings_args(options);
        spawn_promise::<_, LargestStringsPage>(env, "strings", move || {
            let (a, (o, w)) = (shared?, args?);
            catch_panic(ENTRY_PANIC_HOOK, || Ok(a.largest_strings(o, w)), |e| e)
        })
    }
}
