//! # heapwise-engine
//!
//! A pure-Rust engine for V8 heap snapshots (`.heapsnapshot`, as written by
//! `v8.writeHeapSnapshot()`, Chrome, Electron, Deno and Bun) whose numbers equal Chrome DevTools'
//! on the same file: shallow and retained sizes, distances, the dominator tree, the Summary and
//! Statistics views.
//!
//! * [`parse`] streams a file into the columns of a [`Snapshot`] without building a JSON tree;
//! * [`Analysis::run`] applies DevTools' post-processing (see the `analysis` module docs);
//! * the [`Analysis`] answers queries: [`Analysis::summary`], [`Analysis::top`],
//!   [`Analysis::retainer_path`], [`Analysis::node`], …
//!
//! ```no_run
//! use heapwise_engine::{Analysis, Quiet};
//! let a = Analysis::from_path("app.heapsnapshot".as_ref(), &Quiet)?;
//! for row in a.summary().iter().take(10) {
//!     println!("{:<40} {:>8} {:>12}", row.name, row.count, row.retained_size);
//! }
//! # Ok::<(), heapwise_engine::Error>(())
//! ```
#![deny(missing_docs)]

pub mod alloc;
mod analysis;
pub mod diff;
mod error;
pub mod findings;
mod ids;
mod meta;
pub mod parse;
mod progress;
mod snapshot;
mod strings;
#[cfg(test)]
mod test_rng;

pub use analysis::explain::{AllocationFrame, Explanation, RetainedClass};
pub use analysis::external::{
    Amount, ClassAmount, ExternalKind, ExternalMemory, HolderAmount, Reconcile,
};
pub use analysis::pages::{NodeSort, Page, SummarySort, Window, MAX_PAGE};
pub use analysis::path_text::{path_text, path_text_short};
pub use analysis::paths::{PathStep, RawPath};
pub use analysis::statistics::Statistics;
pub use analysis::strings_report::{
    DuplicatedString, DuplicatedStrings, LargeString, LargestStrings, StringContent, StringCopy,
    StringsOptions, MAX_COPIES, PREVIEW_CHARS,
};
pub use analysis::{Analysis, EdgeInfo, NodeInfo, SourceLocation, SummaryRow};
pub use error::{Error, ErrorKind, Result};
pub use ids::{EdgeIdx, NodeId, NodeOrd, StrId};
pub use meta::Header;
pub use progress::{CancelFlag, Observer, Phase, Quiet};
pub use snapshot::{
    Anomalies, DanglingEdge, Location, Locations, Snapshot, TraceFunctionInfo, TraceNode,
};
pub use strings::{StringTable, Text};
