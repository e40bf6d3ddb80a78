//! `HeapAnalysis.externalMemory()`: its options in, its result out (conversion only; the engine's
//! `analysis::external` computes everything).

use crate::query::window;
use crate::results::HeapNode;
use heapwise_engine::{
    path_text, Amount, Analysis, Error as EngineError, ErrorKind, ExternalKind, NodeOrd, Quiet,
};
use napi::bindgen_prelude::Utf16String;
use napi_derive::napi;

const KIND_TS: &str =
    "'arrayBuffers' | 'externalStrings' | 'extraNativeBytes' | 'embedder' | 'detachedEmbedder'";

/// Options of `externalMemory()`.
#[napi(object, object_to_js = false)]
pub struct ExternalMemoryOptions {
    /// Only the holders of this kind (default: every kind).
    #[napi(
        ts_type = "'arrayBuffers' | 'externalStrings' | 'extraNativeBytes' | 'embedder' | 'detachedEmbedder'"
    )]
    pub kind: Option<String>,
    /// Holders skipped (default 0).
    pub offset: Option<f64>,
    /// Most holders returned (default 50, at most 10,000).
    pub limit: Option<f64>,
    /// Most classes returned of each of `embedder` and `detachedEmbedder` (default 20).
    pub class_limit: Option<f64>,
}

/// A count of items and their bytes, for one kind.
#[napi(object)]
pub struct ExternalTotal {
    /// The kind.
    #[napi(
        ts_type = "'arrayBuffers' | 'externalStrings' | 'extraNativeBytes' | 'embedder' | 'detachedEmbedder'"
    )]
    pub kind: String,
    /// Items (0 for `extraNativeBytes`, which has no nodes).
    pub count: f64,
    /// Bytes (shallow sizes, as in Statistics).
    pub bytes: f64,
}

/// A count of items and their bytes.
#[napi(object)]
pub struct ExternalAmount {
    /// Items.
    pub count: f64,
    /// Bytes.
    pub bytes: f64,
}

impl From<Amount> for ExternalAmount {
    fn from(a: Amount) -> Self {
        ExternalAmount {
            count: a.count as f64,
            bytes: a.bytes,
        }
    }
}

/// One object, with its retainer path in the one notation.
#[napi(object)]
pub struct ExternalItem {
    /// The object.
    pub node: HeapNode,
    /// Its retainer path from the root (`global.cache[3]`).
    pub path_text: String,
}

impl From<(&Analysis, NodeOrd)> for ExternalItem {
    fn from((a, o): (&Analysis, NodeOrd)) -> Self {
        ExternalItem {
            node: a.node(o).into(),
            path_text: path_text(&a.path_steps(o)),
        }
    }
}

/// The embedder objects of one class.
#[napi(object)]
pub struct ExternalClass {
    /// `embedder` or `detachedEmbedder`.
    #[napi(ts_type = "'embedder' | 'detachedEmbedder'")]
    pub kind: String,
    /// The class name, as in the Summary (`Node / ContextifyScript`).
    pub name: Utf16String,
    /// Objects.
    pub count: f64,
    /// Bytes.
    pub bytes: f64,
    /// The largest objects (at most 3), each with its path.
    pub largest: Vec<ExternalItem>,
}

/// The items of one kind one object holds.
#[napi(object)]
pub struct ExternalHolder {
    /// The kind.
    #[napi(
        ts_type = "'arrayBuffers' | 'externalStrings' | 'extraNativeBytes' | 'embedder' | 'detachedEmbedder'"
    )]
    pub kind: String,
    /// The holder: the first object up the dominator tree that is not a buffer, a view, a
    /// string, internal storage or an embedder object (`null` for items held from roots only,
    /// e.g. by C++ or the stack).
    pub holder: Option<HeapNode>,
    /// The holder's retainer path (the largest item's when there is no holder).
    pub path_text: String,
    /// Items.
    pub count: f64,
    /// Bytes.
    pub bytes: f64,
    /// The largest item, with its path.
    pub largest: ExternalItem,
}

/// A page of holders.
#[napi(object)]
pub struct ExternalHolderPage {
    /// Number of holders (of the kind asked for).
    pub total: f64,
    /// Position of the first one.
    pub offset: f64,
    /// The holders, largest bytes first.
    pub items: Vec<ExternalHolder>,
}

/// How the kinds' sums relate to `statistics()`: both checks are 0 when they agree.
#[napi(object)]
pub struct ExternalReconcile {
    /// `statistics().typedArrays`: equals the `arrayBuffers` bytes.
    pub typed_arrays: f64,
    /// `statistics().native`.
    pub native: f64,
    /// `statistics().otherNonJsObjects`: `embedder` + `detachedEmbedder` + `extraNativeBytes` +
    /// `stringDataInNative`.
    pub other_non_js_objects: f64,
    /// `statistics().strings`, of which `externalStringsInStrings` are external strings.
    pub strings: f64,
    /// The external string objects' bytes: part of `statistics().strings`.
    pub external_strings_in_strings: f64,
    /// `system / ExternalStringData` bytes no single string owns: part of `native`.
    pub string_data_in_native: f64,
    /// `typedArrays − arrayBuffers bytes`.
    pub typed_arrays_check: f64,
    /// `otherNonJsObjects − (embedder + detachedEmbedder + extraNativeBytes + stringDataInNative)`.
    pub other_non_js_check: f64,
}

/// Memory outside the JS object graph (see `docs/external-memory.md`).
#[napi(object)]
pub struct ExternalMemory {
    /// Per kind: `arrayBuffers`, `externalStrings`, `extraNativeBytes`, `embedder`,
    /// `detachedEmbedder`, in this order.
    pub totals: Vec<ExternalTotal>,
    /// The backing stores of `SharedArrayBuffer`s (part of `arrayBuffers`).
    pub shared_array_buffers: ExternalAmount,
    /// Embedder classes, then detached embedder classes, largest bytes first each.
    pub classes: Vec<ExternalClass>,
    /// Number of classes of each kind before `classLimit`.
    pub class_counts: ExternalClassCounts,
    /// The holders, largest bytes first.
    pub holders: ExternalHolderPage,
    /// The relation to `statistics()`.
    pub reconcile: ExternalReconcile,
}

/// Number of embedder classes of each kind.
#[napi(object)]
pub struct ExternalClassCounts {
    /// Embedder classes.
    pub embedder: f64,
    /// Detached embedder classes.
    pub detached_embedder: f64,
}

fn bad(message: String) -> EngineError {
    EngineError::new(ErrorKind::InvalidArgument, message)
}

/// Checked options: the kind, the holders' window, the class limit.
pub struct ExternalArgs {
    kind: Option<ExternalKind>,
    window: heapwise_engine::Window,
    class_limit: usize,
}

impl ExternalArgs {
    /// Reads `options` (defaults without them).
    pub fn of(options: Option<ExternalMemoryOptions>) -> Result<ExternalArgs, EngineError> {
        let o = options.unwrap_or(ExternalMemoryOptions {
            kind: None,
            offset: None,
            limit: None,
            class_limit: None,
        });
        let kind = match o.kind {
            None => None,
            Some(k) => Some(
                ExternalKind::from_name(&k)
                    .ok_or_else(|| bad(format!("kind must be one of {KIND_TS}, got '{k}'")))?,
            ),
        };
        let class_limit = window(None, o.class_limit.or(Some(20.0)))?.limit;
        Ok(ExternalArgs {
            kind,
            window: window(o.offset, o.limit)?,
            class_limit,
        })
    }
}

/// Computes (or reads back) the analysis' external memory and converts the parts asked for.
pub fn external_memory(
    a: &Analysis,
    args: &ExternalArgs,
) -> heapwise_engine::Result<ExternalMemory> {
    let x = a.external_memory(&Quiet)?;
    let page = x.holders_page(args.kind, args.window);
    let item = |o: NodeOrd| ExternalItem::from((a, o));
    let mut classes = Vec::new();
    let mut counts = [0usize; 2];
    for (i, kind) in [ExternalKind::Embedder, ExternalKind::DetachedEmbedder]
        .into_iter()
        .enumerate()
    {
        let all = x.classes.iter().filter(|c| c.kind == kind);
        counts[i] = all.clone().count();
        classes.extend(all.take(args.class_limit).map(|c| ExternalClass {
            kind: kind.name().to_owned(),
            name: Utf16String::from(c.name.to_utf16()),
            count: c.amount.count as f64,
            bytes: c.amount.bytes,
            largest: c.largest.iter().map(|&o| item(o)).collect(),
        }));
    }
    let r = x.reconcile;
    Ok(ExternalMemory {
        totals: x
            .totals
            .iter()
            .map(|(k, a)| ExternalTotal {
                kind: k.name().to_owned(),
                count: a.count as f64,
                bytes: a.bytes,
            })
            .collect(),
        shared_array_buffers: x.shared_array_buffers.into(),
        classes,
        class_counts: ExternalClassCounts {
            embedder: counts[0] as f64,
            detached_embedder: counts[1] as f64,
        },
        holders: ExternalHolderPage {
            total: page.total as f64,
            offset: page.offset as f64,
            items: page
                .items
                .into_iter()
                .map(|h| {
                    let largest = item(h.largest);
                    ExternalHolder {
                        kind: h.kind.name().to_owned(),
                        holder: h.holder.map(|o| a.node(o).into()),
                        path_text: h.holder.map_or_else(
                            || largest.path_text.clone(),
                            |o| path_text(&a.path_steps(o)),
                        ),
                        count: h.amount.count as f64,
                        bytes: h.amount.bytes,
                        largest,
                    }
                })
                .collect(),
        },
        reconcile: ExternalReconcile {
            typed_arrays: r.typed_arrays,
            native: r.native,
            other_non_js_objects: r.other_non_js_objects,
            strings: r.strings,
            external_strings_in_strings: r.external_strings_in_strings,
            string_data_in_native: r.string_data_in_native,
            typed_arrays_check: r.typed_arrays_check,
            other_non_js_check: r.other_non_js_check,
        },
    })
}
