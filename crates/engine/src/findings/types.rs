//! The findings' public types: what a finding says (holder, growth, what accumulates, the code to
//! change, a closure leak) and the options of [`super::find`].

use crate::analysis::paths::PathStep;
use crate::analysis::SourceLocation;
use crate::strings::Text;
use crate::{NodeId, NodeInfo};

/// Options of [`find`](crate::findings::find).
#[derive(Debug, Clone, Default)]
pub struct FindingsOptions {
    /// How many times the suspected action ran between consecutive snapshots, if known.
    pub calls_per_step: Option<f64>,
    /// How many findings to return (default 10 when 0).
    pub top: usize,
}

/// The object where growth enters the heap.
#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    /// The object, in the last snapshot.
    pub node: NodeInfo,
    /// Its name as a person writes it: `sessionCache`, `globalThis.auditLog`,
    /// `bus._events["config-changed"]`, `Connection.registry`.
    pub name: String,
    /// What it is: `Map`, `Set`, `Array`, `Object`, `listeners`, `string`, `chain`, a class name.
    pub kind: String,
    /// Where the name lives: `a variable of lib/session.js's module scope`,
    /// `a property of the global object`, …
    pub scope: Option<String>,
    /// `name (kind, scope)`.
    pub description: String,
}

/// How a holder grows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Growth {
    /// Which snapshots of the series the values below are of (0 the first): every snapshot of
    /// a diff; a spread of them in a long series (see [`Series`](crate::findings::Series)).
    pub snapshots: Vec<u32>,
    /// The holder's retained size in each of those snapshots (`NaN` where it did not exist).
    pub retained: Vec<f64>,
    /// Members added since the first snapshot and alive in the last, by the step they were
    /// allocated in: `[i]` between snapshots `i - 1` and `i` (`[0]` is always 0, so that the
    /// list lines up with the snapshots).
    pub members: Vec<u64>,
    /// Least-squares slope of `retained`: bytes per snapshot.
    pub bytes_per_snapshot: f64,
    /// Members added per step (mean over the steps).
    pub members_per_snapshot: f64,
    /// Bytes per call, when the number of calls is known.
    pub bytes_per_call: Option<f64>,
    /// Members per call, when the number of calls is known.
    pub members_per_call: Option<f64>,
    /// Whether every step's member count is a whole multiple of the calls (when known).
    pub whole_multiple: Option<bool>,
    /// Steps in which the retained size rose.
    pub steps_grown: u32,
    /// Steps in the series (snapshots − 1).
    pub steps: u32,
    /// Rose in every step of a series of three or more snapshots.
    pub steady: bool,
    /// The members are the links of a chain that gets longer.
    pub chain: bool,
}

/// One class of what accumulates in a holder.
#[derive(Debug, Clone, PartialEq)]
pub struct Accumulated {
    /// Class name.
    pub class_name: Text,
    /// Members of this class added since the first snapshot.
    pub count: u64,
    /// Their retained size (chain links: shallow size).
    pub size: f64,
    /// The largest of them.
    pub example: NodeId,
    /// Where its constructor or function is defined.
    pub location: Option<SourceLocation>,
}

/// Why a line of code is pointed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CodeRole {
    /// It adds to the holder (`.set(`, `.push(`, `.on(`, `+=`, an assignment).
    Fills,
    /// A function whose instances accumulate (listeners, timer callbacks, handlers).
    Accumulates,
    /// The function that allocated most members (allocation tracking).
    Allocates,
    /// It declares the holder.
    Defines,
    /// A closure that shares the context holding the holder.
    Captures,
    /// The constructor of what accumulates.
    Constructor,
    /// Another line that mentions the holder.
    Uses,
}

impl CodeRole {
    /// The role as a word (`fills`, `accumulates`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CodeRole::Fills => "fills",
            CodeRole::Accumulates => "accumulates",
            CodeRole::Allocates => "allocates",
            CodeRole::Defines => "defines",
            CodeRole::Captures => "captures",
            CodeRole::Constructor => "constructor",
            CodeRole::Uses => "uses",
        }
    }
}

/// A line of code to look at.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRef {
    /// Why.
    pub role: CodeRole,
    /// Where (0-based line and column, as everywhere in the API).
    pub location: SourceLocation,
    /// The function there, when known.
    pub function: Option<String>,
    /// The line's text, trimmed, when the source is known.
    pub text: Option<String>,
}

/// A closure that shares a context which keeps a leaking variable.
#[derive(Debug, Clone, PartialEq)]
pub struct SharingClosure {
    /// Function name (`(anonymous)` when it has none).
    pub name: String,
    /// Where it is defined.
    pub location: Option<SourceLocation>,
    /// Whether its source mentions the variable (`None`: source unknown).
    pub reads: Option<bool>,
}

/// For leaks through a closure context: which variable is kept and by whom.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosureLeak {
    /// The kept variable.
    pub variable: String,
    /// The closures sharing the context that holds it.
    pub closures: Vec<SharingClosure>,
    /// One sentence: "`x` is kept by the context shared by `a` (line 11) and `b` (line 7);
    /// only `b` reads it".
    pub message: String,
}

/// One leak finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The object where the growth enters.
    pub holder: Holder,
    /// How it grows.
    pub growth: Growth,
    /// What accumulates in it, largest first.
    pub accumulates: Vec<Accumulated>,
    /// A readable path from the root to the holder, root first (the whole path).
    pub path: Vec<PathStep>,
    /// That path in the one notation of [`crate::path_text`].
    pub path_text: String,
    /// The code to change, most direct first.
    pub code: Vec<CodeRef>,
    /// For a variable kept by a closure context: the closures that share it.
    pub closure: Option<ClosureLeak>,
    /// True if the evidence says leak (see the module docs).
    pub leak: bool,
    /// One sentence for people.
    pub message: String,
}

/// The result of [`find`](crate::findings::find).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Findings {
    /// Ranked findings.
    pub findings: Vec<Finding>,
    /// Caps and limits that applied.
    pub warnings: Vec<String>,
}
