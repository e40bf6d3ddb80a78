//! Leak findings: which object holds the growth of a series of snapshots of one process, how
//! fast it grows, what accumulates in it, and which lines of code fill it.
//!
//! Input: the [`Footprint`]s of the earlier snapshots of a series (oldest first; each is 12
//! bytes per node, so a series never holds two full graphs) and the [`Analysis`] of the last
//! one. Output: [`Finding`]s, ranked: leaks first, then by growth.
//!
//! Every answer is built from the graph's own evidence (see each module's docs):
//! [`holders`] finds where growth enters through the dominator tree, [`naming`] names it from
//! context variables and property edges, [`members`] says what accumulates, [`source`] points at
//! the lines that fill it, and [`growth`] fits the series.
//!
//! A finding is a **leak** when its growth is steady over three or more snapshots (it rose in
//! every step, by [`MIN_STEADY_BYTES`] in all with members added in every step, or by
//! [`MIN_LEAK_BYTES`]), or, with two snapshots, when it gained at least [`MIN_MEMBERS`] members
//! (or chain links) and [`MIN_LEAK_BYTES`]. A bounded cache that filled before the first
//! snapshot, churn that is collected, and one-time initialisation do not rise in every step.

pub(crate) mod allocation;
pub mod footprint;
pub(crate) mod growth;
pub(crate) mod holders;
pub(crate) mod members;
pub(crate) mod naming;
pub mod series;
pub(crate) mod source;

pub use footprint::Footprint;
pub use series::Series;

use crate::analysis::paths::PathStep;
use crate::analysis::{Analysis, SourceLocation};
use crate::error::Result;
use crate::progress::{check, Observer};
use crate::strings::Text;
use crate::NodeId;
use crate::NodeInfo;
use naming::Anchor;
use source::{Scripts, Use};

/// Fewest members a two-snapshot finding needs to be called a leak.
pub const MIN_MEMBERS: u64 = 10;
/// Fewest bytes a finding must have grown by to be called a leak from two snapshots, or from a
/// steady series without members added in every step.
pub const MIN_LEAK_BYTES: f64 = 16_384.0;
/// Fewest bytes a steady finding (members added in every step) must have grown by.
pub const MIN_STEADY_BYTES: f64 = 4_096.0;
/// Smallest growth (bytes) of an object for it to be considered as a holder.
const MIN_HOLDER_GROWTH: f64 = 1024.0;
/// How many holders are examined in detail.
const EXAMINED: usize = 40;

/// Options of [`find`].
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
    /// a diff; a spread of them in a long series (see [`Series`]).
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

/// The result of [`find`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Findings {
    /// Ranked findings.
    pub findings: Vec<Finding>,
    /// Caps and limits that applied.
    pub warnings: Vec<String>,
}

/// Builds the findings of a series: `history` are the footprints of the earlier snapshots
/// (oldest first, at least one), `cur` the analysis of the last.
pub fn find(
    history: &[&Footprint],
    cur: &Analysis,
    opts: &FindingsOptions,
    obs: &dyn Observer,
) -> Result<Findings> {
    let Some(first) = history.first() else {
        return Ok(Findings::default());
    };
    let top = if opts.top == 0 { 10 } else { opts.top };
    let before = holders::retained_before(cur, first, obs)?;
    let found = holders::find(cur, &before, MIN_HOLDER_GROWTH, obs)?;
    check(obs)?;
    let mut warnings = Vec::new();
    if found.len() > EXAMINED {
        warnings.push(format!(
            "findings: {} objects grew; the {EXAMINED} that grew most were examined",
            found.len()
        ));
    }
    let scripts = Scripts::of(cur);
    let mut max_ids: Vec<u32> = history.iter().map(|f| f.max_js_object_id()).collect();
    max_ids.push(u32::MAX);
    let ctx = Context {
        cur,
        before: &before,
        history,
        scripts: &scripts,
        max_ids: &max_ids,
        opts,
    };
    let mut findings: Vec<Finding> = found
        .iter()
        .take(EXAMINED)
        .filter_map(|h| ctx.finding(h))
        .collect();
    findings.sort_by(|a, b| {
        b.leak
            .cmp(&a.leak)
            .then((!b.code.is_empty()).cmp(&!a.code.is_empty()))
            .then(total_growth(b).total_cmp(&total_growth(a)))
    });
    findings.truncate(top);
    Ok(Findings { findings, warnings })
}

fn total_growth(f: &Finding) -> f64 {
    let r = &f.growth.retained;
    let last = r.last().copied().unwrap_or(0.0);
    let first = r.first().copied().filter(|v| !v.is_nan()).unwrap_or(0.0);
    last - first
}

/// Everything a finding is built from.
struct Context<'a> {
    cur: &'a Analysis,
    before: &'a [f64],
    history: &'a [&'a Footprint],
    scripts: &'a Scripts,
    max_ids: &'a [u32],
    opts: &'a FindingsOptions,
}

impl Context<'_> {
    fn finding(&self, h: &holders::Holder) -> Option<Finding> {
        let cur = self.cur;
        let node = h.node;
        let members = members::of(cur, self.before, node, &h.parts, h.growth);
        let classes = members::by_class(cur, &members);
        // A context holds through a variable: that variable is the name.
        let into = (cur.strings_eq_class(node, "system / Context"))
            .then(|| self.heaviest_new_child(node))
            .flatten();
        let (name, path) = match into.and_then(|c| naming::variable_of(cur, node, c)) {
            Some(named) => named,
            None => naming::name(cur, &naming::readable_path(cur, node)?, 6),
        };
        let growth = self.growth(node, &h.exclude, &members, classes.first().map(|c| c.class));
        let accumulates: Vec<Accumulated> = classes
            .into_iter()
            .filter(|g| g.size > 0.0)
            .take(5)
            .map(|g| Accumulated {
                class_name: Text(cur.snap.strings.wtf8(g.class).to_vec()),
                count: g.count,
                size: g.size,
                example: NodeId(cur.snap.node_id[g.example]),
                location: cur.location(ord(g.example)),
            })
            .collect();
        let kind = self.kind(into.unwrap_or(node), &members);
        let scope = self.scope(&name.anchor);
        let mut holder_name = name.text.clone();
        if members.chain {
            if let Some(head) = members.chain_head {
                holder_name = self.chain_name(&holder_name, into.unwrap_or(node), head);
            }
        }
        let description = match &scope {
            Some(s) => format!("{holder_name} ({kind}, {s})"),
            None => format!("{holder_name} ({kind})"),
        };
        let mut words: Vec<String> = Vec::new();
        for &o in std::iter::once(&node).chain(h.parts.iter()) {
            words.extend(self.weakmap_names(o));
        }
        let code = self.code(&name, &path, &members, &accumulates, &words);
        let closure = self.closure_leak(&members);
        let leak = is_leak(&growth);
        let mut f = Finding {
            holder: Holder {
                node: cur.node(ord(node)),
                name: holder_name,
                kind,
                scope,
                description,
            },
            growth,
            accumulates,
            path: path
                .iter()
                .map(|s| PathStep {
                    edge: s.edge.map(|e| cur.edge_name(edge_ix(e))),
                    edge_type: s.edge.map(|e| {
                        cur.snap
                            .header
                            .meta
                            .edge_type_name(cur.snap.edge_type[e])
                            .to_owned()
                    }),
                    node: cur.node(ord(s.node)),
                })
                .collect(),
            path_text: String::new(),
            code,
            closure,
            leak,
            message: String::new(),
        };
        f.path_text = crate::path_text(&f.path);
        f.message = message(&f, self.scripts);
        Some(f)
    }

    /// The names of the WeakMaps whose values `o` is: V8 names the edge from a key to its value
    /// `… pair in WeakMap (table @id)`; the WeakMap is the object whose `table` that is.
    fn weakmap_names(&self, o: usize) -> Vec<String> {
        let cur = self.cur;
        let mut out = Vec::new();
        for slot in cur.retainers.of(o) {
            let ei = cur.retainers.edge_of(&cur.snap, o, slot);
            let name = cur.edge_name(edge_ix(ei));
            let Some(at) = name.rfind("pair in WeakMap (table @") else {
                continue;
            };
            let digits: String = name[at + 24..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let Some(table) = digits
                .parse()
                .ok()
                .and_then(|id| cur.ordinal_of(NodeId(id)))
            else {
                continue;
            };
            let table = table.0 as usize;
            for ts in cur.retainers.of(table) {
                let map = cur.retainers.node[ts] as usize;
                if let Some((_, from, aei)) = naming::anchor_into(cur, map) {
                    let _ = from;
                    out.push(cur.edge_name(edge_ix(aei)));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The new object `o` dominates that retains most.
    fn heaviest_new_child(&self, o: usize) -> Option<usize> {
        let cur = self.cur;
        cur.dominated
            .of(o)
            .iter()
            .map(|&c| c as usize)
            .filter(|&c| self.before[c].is_nan())
            .max_by(|&x, &y| cur.retained[x].total_cmp(&cur.retained[y]))
    }

    /// Growth of `node`; members are counted in the class that accumulates most (`class`), so
    /// a Map's entries count once, not once for the key and once for the value.
    fn growth(
        &self,
        node: usize,
        exclude: &[usize],
        members: &members::Members,
        class: Option<crate::ids::StrId>,
    ) -> Growth {
        let cur = self.cur;
        // The holder's retained size less that of the holders below it reported on their own.
        let at = |f: &&Footprint, o: usize| f.retained_of(cur.snap.node_id[o]);
        let mut retained: Vec<f64> = self
            .history
            .iter()
            .map(|f| {
                at(f, node).map_or(f64::NAN, |r| {
                    r - exclude.iter().filter_map(|&x| at(f, x)).sum::<f64>()
                })
            })
            .collect();
        retained.push(cur.retained[node] - exclude.iter().map(|&x| cur.retained[x]).sum::<f64>());
        let steps = retained.len() - 1;
        let mut per_step = vec![0u64; steps + 1];
        for &m in members
            .nodes
            .iter()
            .filter(|&&m| class.is_none_or(|c| cur.classes.class_of(m) == c))
        {
            per_step[growth::step_of(self.max_ids, cur.snap.node_id[m]).min(steps)] += 1;
        }
        let known: Vec<f64> = retained.iter().copied().filter(|v| !v.is_nan()).collect();
        let steps_grown = growth::steps_grown(&known) as u32;
        let added: u64 = per_step[1..].iter().sum();
        let members_per_snapshot = added as f64 / steps.max(1) as f64;
        let bytes_per_snapshot = growth::slope(&known);
        let calls = self.opts.calls_per_step.filter(|&c| c > 0.0);
        Growth {
            snapshots: (0..=steps as u32).collect(),
            bytes_per_call: calls.map(|c| bytes_per_snapshot / c),
            members_per_call: calls.map(|c| members_per_snapshot / c),
            whole_multiple: calls.map(|c| {
                per_step[1..]
                    .iter()
                    .all(|&k| k > 0 && (k as f64 / c).fract() == 0.0)
            }),
            retained,
            members: per_step,
            bytes_per_snapshot,
            members_per_snapshot,
            steps_grown,
            steps: steps as u32,
            steady: steps >= 2 && steps_grown as usize == steps,
            chain: members.chain,
        }
    }

    fn kind(&self, node: usize, members: &members::Members) -> String {
        let cur = self.cur;
        let nt = cur.snap.header.meta.node_types;
        let t = cur.snap.node_type[node];
        if t == nt.string || t == nt.cons_string || t == nt.sliced_string {
            return "string".to_owned();
        }
        let class = cur
            .snap
            .strings
            .get(cur.classes.class_of(node))
            .into_owned();
        let all_closures = !members.chain
            && !members.nodes.is_empty()
            && members
                .nodes
                .iter()
                .all(|&m| cur.snap.node_type[m] == nt.closure);
        if class == "Array" && all_closures {
            return "Array of functions".to_owned();
        }
        class
    }

    /// `theThing → someMethod → context.originalThing → …`: the holder's name, then the edges
    /// from the chain's first link to the next.
    fn chain_name(&self, base: &str, from: usize, head: usize) -> String {
        let cur = self.cur;
        let mut text = base.to_owned();
        if from != head {
            if let Some(ei) = cur
                .snap
                .edges_of(from)
                .find(|&e| cur.snap.edge_to[e] as usize == head)
            {
                text.push_str(&naming::step_suffix(cur, ei));
            }
        }
        let class = cur.classes.key_of[head];
        let mut o = head;
        let mut hops: Vec<String> = Vec::new();
        for _ in 0..8 {
            let Some(next) = self.heaviest_new_child(o) else {
                break;
            };
            if let Some(ei) = cur
                .snap
                .edges_of(o)
                .find(|&e| cur.snap.edge_to[e] as usize == next)
            {
                hops.push(cur.edge_name(edge_ix(ei)));
            }
            if cur.classes.key_of[next] == class {
                break;
            }
            o = next;
        }
        if !hops.is_empty() && hops.len() < 8 {
            text.push_str(" → ");
            text.push_str(&hops.join(" → "));
            text.push_str(" → …");
        }
        text
    }

    fn scope(&self, anchor: &Anchor) -> Option<String> {
        let cur = self.cur;
        match *anchor {
            Anchor::Variable { context } => {
                let closures = capturing_closures(cur, context);
                let script = closures
                    .iter()
                    .filter_map(|&c| cur.snap.location(c as u32))
                    .filter_map(|l| self.scripts.get(l.script_id))
                    .map(|s| s.name.clone())
                    .next();
                let module = is_module_context(cur, context);
                Some(match (module, script) {
                    (true, Some(s)) => format!("a variable of {}'s module scope", display_path(&s)),
                    (true, None) => "a variable of a module scope".to_owned(),
                    (false, _) => {
                        let names: Vec<String> = closures
                            .iter()
                            .take(3)
                            .map(|&c| function_name(cur, c))
                            .collect();
                        if names.is_empty() {
                            "a variable of a closure context".to_owned()
                        } else {
                            format!("a variable captured by {}", names.join(", "))
                        }
                    }
                })
            }
            Anchor::Global => Some("a property of the global object".to_owned()),
            Anchor::FunctionProperty { function } => Some(format!(
                "a property of the function {}",
                function_name(cur, function)
            )),
            Anchor::Path => None,
        }
    }

    /// The code to change: lines that fill and define the holder's name, functions whose
    /// instances accumulate, the closures that capture its context, the constructors of what
    /// accumulates.
    fn code(
        &self,
        name: &naming::Name,
        path: &[naming::Step],
        members: &members::Members,
        accumulates: &[Accumulated],
        extra_words: &[String],
    ) -> Vec<CodeRef> {
        let cur = self.cur;
        let mut out: Vec<CodeRef> = Vec::new();
        // Words of the name to look for, and the scripts to look in.
        let mut words: Vec<String> = extra_words.to_vec();
        let mut script_ids: Vec<u32> = Vec::new();
        let anchor_edge = path.get(name.from_step).and_then(|s| s.edge);
        if let Some(ei) = anchor_edge {
            words.push(cur.edge_name(edge_ix(ei)));
        }
        match name.anchor {
            Anchor::Variable { context } => {
                for c in capturing_closures(cur, context) {
                    if let Some(l) = cur.snap.location(c as u32) {
                        script_ids.push(l.script_id);
                    }
                }
            }
            Anchor::FunctionProperty { function } => {
                if let Some(l) = cur.snap.location(function as u32) {
                    script_ids.push(l.script_id);
                }
            }
            Anchor::Global | Anchor::Path => script_ids.extend(self.scripts.user_ids()),
        }
        let member_closures = members::closures(cur, members);
        for &(c, _) in member_closures.iter().take(3) {
            if let Some(l) = cur.snap.location(c as u32) {
                script_ids.push(l.script_id);
            }
        }
        script_ids.sort_unstable();
        script_ids.dedup();
        let mut mentions: Vec<(Use, u32, source::Mention)> = Vec::new();
        for &sid in &script_ids {
            let Some(lines) = self.scripts.get(sid).and_then(|s| s.lines.as_ref()) else {
                continue;
            };
            for w in &words {
                for m in source::mentions(lines, w) {
                    mentions.push((m.kind, sid, m));
                }
            }
        }
        mentions.sort_by_key(|(k, sid, m)| (*k, *sid, m.line));
        mentions.dedup_by_key(|(_, sid, m)| (*sid, m.line));
        for (kind, sid, m) in mentions.iter().filter(|(k, _, _)| *k != Use::Uses).take(6) {
            out.push(CodeRef {
                role: if *kind == Use::Fills {
                    CodeRole::Fills
                } else {
                    CodeRole::Defines
                },
                location: self.location(*sid, m.line, m.column),
                function: None,
                text: Some(m.text.clone()),
            });
        }
        for &(c, _) in member_closures.iter().take(3) {
            if let Some(mut r) = self.closure_ref(c, CodeRole::Accumulates) {
                r.function = Some(function_name(cur, c));
                out.push(r);
            }
        }
        if let Some(site) = allocation::site(cur, &members.nodes) {
            out.push(CodeRef {
                role: CodeRole::Allocates,
                text: self.line_text(site.location.script_id, site.location.line),
                location: site.location,
                function: Some(site.function),
            });
        }
        if let Anchor::Variable { context } = name.anchor {
            for c in capturing_closures(cur, context).into_iter().take(5) {
                if let Some(r) = self.closure_ref(c, CodeRole::Captures) {
                    out.push(r);
                }
            }
        }
        for a in accumulates.iter().take(2) {
            let Some(l) = &a.location else { continue };
            if self
                .scripts
                .get(l.script_id)
                .is_some_and(|s| !source::is_runtime_script(&s.name))
            {
                out.push(CodeRef {
                    role: CodeRole::Constructor,
                    location: l.clone(),
                    function: Some(a.class_name.to_lossy().into_owned()),
                    text: self.line_text(l.script_id, l.line),
                });
            }
        }
        // Runtime scripts (node:…) are never the line to change: user code first.
        out.sort_by_key(|r| (is_runtime_ref(r), r.role));
        out.dedup_by(|a, b| a.location == b.location);
        if out.iter().any(|r| !is_runtime_ref(r)) {
            out.retain(|r| !is_runtime_ref(r));
        }
        out
    }

    fn location(&self, script_id: u32, line: u32, column: u32) -> SourceLocation {
        SourceLocation {
            script_id,
            line,
            column,
            script_name: self.scripts.get(script_id).map(|s| s.name.clone()),
        }
    }

    fn line_text(&self, script_id: u32, line: u32) -> Option<String> {
        let lines = self.scripts.get(script_id)?.lines.as_ref()?;
        lines
            .get(line as usize)
            .map(|l| l.trim().chars().take(160).collect())
    }

    fn closure_ref(&self, c: usize, role: CodeRole) -> Option<CodeRef> {
        let l = self.cur.snap.location(c as u32)?;
        Some(CodeRef {
            role,
            location: self.location(l.script_id, l.line, l.column),
            function: Some(function_name(self.cur, c)),
            text: self.line_text(l.script_id, l.line),
        })
    }

    /// For a chain through closure contexts: the variable that links it, the closures sharing
    /// that context, and which of them mention it.
    fn closure_leak(&self, members: &members::Members) -> Option<ClosureLeak> {
        let cur = self.cur;
        if !members.chain {
            return None;
        }
        let et = cur.snap.header.meta.edge_types;
        // Walk from the first link to the second and find the context variable on the way.
        let head = *members.nodes.first()?;
        let second = *members.nodes.get(1)?;
        let mut o = head;
        for _ in 0..16 {
            let next = cur
                .dominated
                .of(o)
                .iter()
                .map(|&c| c as usize)
                .filter(|&c| self.before[c].is_nan())
                .max_by(|&x, &y| cur.retained[x].total_cmp(&cur.retained[y]))?;
            if cur.strings_eq_class(o, "system / Context") {
                let ei = cur.snap.edges_of(o).find(|&e| {
                    cur.snap.edge_to[e] as usize == next && cur.snap.edge_type[e] == et.context
                })?;
                let variable = cur.edge_name(edge_ix(ei));
                let closures: Vec<SharingClosure> = capturing_closures(cur, o)
                    .into_iter()
                    .map(|c| {
                        let location = cur.location(ord(c));
                        let reads = location.as_ref().and_then(|l| {
                            let lines = self.scripts.get(l.script_id)?.lines.as_ref()?;
                            let text = source::function_text(lines, l.line, l.column)?;
                            Some(source::mentions_word(&text, &variable))
                        });
                        SharingClosure {
                            name: function_name(cur, c),
                            location,
                            reads,
                        }
                    })
                    .collect();
                // A closure that reads the variable may be gone from the heap while the context
                // it shared keeps the variable: the lines that read it say who it was.
                let readers_gone = closures.iter().all(|c| c.reads == Some(false));
                let read_at: Vec<u32> = if readers_gone {
                    closures
                        .iter()
                        .filter_map(|c| c.location.as_ref())
                        .filter_map(|l| self.scripts.get(l.script_id)?.lines.as_ref())
                        .flat_map(|lines| source::mentions(lines, &variable))
                        .filter(|m| m.kind == Use::Uses)
                        .map(|m| m.line)
                        .collect()
                } else {
                    Vec::new()
                };
                let message = closure_message(&variable, &closures, &read_at);
                return Some(ClosureLeak {
                    variable,
                    closures,
                    message,
                });
            }
            if next == second {
                break;
            }
            o = next;
        }
        None
    }
}

impl Analysis {
    /// True if node `o`'s class name is `name`.
    pub(crate) fn strings_eq_class(&self, o: usize, name: &str) -> bool {
        self.snap.strings.eq(self.classes.class_of(o), name)
    }
}

fn is_runtime_ref(r: &CodeRef) -> bool {
    r.location
        .script_name
        .as_deref()
        .is_none_or(source::is_runtime_script)
}

fn closure_message(variable: &str, closures: &[SharingClosure], read_at: &[u32]) -> String {
    let describe = |c: &SharingClosure| match &c.location {
        Some(l) => format!("`{}` (line {})", c.name, l.line + 1),
        None => format!("`{}`", c.name),
    };
    let all: Vec<String> = closures.iter().map(describe).collect();
    let readers: Vec<String> = closures
        .iter()
        .filter(|c| c.reads == Some(true))
        .map(|c| format!("`{}`", c.name))
        .collect();
    let mut m = format!(
        "`{variable}` is kept by the context shared by {}",
        join_and(&all)
    );
    if closures.iter().all(|c| c.reads.is_some()) {
        if readers.is_empty() && !read_at.is_empty() {
            let lines: Vec<String> = read_at.iter().map(|l| format!("line {}", l + 1)).collect();
            m.push_str(&format!(
                ", which {} not read it: {} {} it from another closure of the same scope, so V8 keeps it in the shared context",
                if closures.len() == 1 { "does" } else { "do" },
                join_and(&lines),
                if lines.len() == 1 { "reads" } else { "read" }
            ));
        } else if readers.is_empty() {
            m.push_str("; none of them reads it");
        } else if readers.len() < closures.len() {
            m.push_str(&format!(
                "; only {} {} it",
                join_and(&readers),
                if readers.len() == 1 { "reads" } else { "read" }
            ));
        }
    }
    m
}

fn join_and(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// Closures whose context is `context`.
fn capturing_closures(cur: &Analysis, context: usize) -> Vec<usize> {
    let closure = cur.snap.header.meta.node_types.closure;
    let mut v: Vec<usize> = cur
        .retainers
        .of(context)
        .filter_map(|slot| {
            let from = cur.retainers.node[slot] as usize;
            (cur.snap.node_type[from] == closure
                && cur.snap.strings.eq(
                    crate::ids::StrId(
                        cur.snap.edge_name[cur.retainers.edge_of(&cur.snap, context, slot)],
                    ),
                    "context",
                ))
            .then_some(from)
        })
        .collect();
    v.sort_by_key(|&c| cur.snap.location(c as u32).map(|l| (l.line, l.column)));
    v.dedup();
    v
}

/// A context whose enclosing context is the native (or script) context: a module's top level.
fn is_module_context(cur: &Analysis, context: usize) -> bool {
    cur.snap.edges_of(context).any(|ei| {
        cur.snap
            .strings
            .eq(crate::ids::StrId(cur.snap.edge_name[ei]), "previous")
            && {
                let p = cur.snap.edge_to[ei] as usize;
                cur.strings_eq_class(p, "system / NativeContext")
                    || cur
                        .snap
                        .strings
                        .eq(cur.snap.node_name[p], "system / NativeContext")
                    || cur
                        .snap
                        .strings
                        .eq(cur.snap.node_name[p], "system / ScriptContext")
            }
    })
}

fn function_name(cur: &Analysis, c: usize) -> String {
    let n = cur.display_name(ord(c));
    if n.is_empty() {
        "(anonymous)".to_owned()
    } else {
        n
    }
}

/// A script name as people read it: relative to the working directory when under it.
pub(crate) fn display_path(name: &str) -> String {
    let path = name.strip_prefix("file://").unwrap_or(name);
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = std::path::Path::new(path).strip_prefix(&cwd) {
            return rel.display().to_string();
        }
    }
    path.to_owned()
}

fn is_leak(g: &Growth) -> bool {
    let known: Vec<f64> = g.retained.iter().copied().filter(|v| !v.is_nan()).collect();
    let total = known.last().copied().unwrap_or(0.0) - known.first().copied().unwrap_or(0.0);
    let added: u64 = g.members.iter().skip(1).sum();
    if g.steps >= 2 {
        // Steady over three snapshots or more: members added in every step is evidence enough
        // for a small leak; without members (a string rebuilt bigger), the bytes must be many.
        let members_every_step = g.members.iter().skip(1).all(|&m| m > 0);
        g.steady && total >= MIN_STEADY_BYTES && (members_every_step || total >= MIN_LEAK_BYTES)
    } else {
        total >= MIN_LEAK_BYTES && added >= MIN_MEMBERS
    }
}

/// `sessionCache (Map, a variable of lib/session.js's module scope) gains 100 members per
/// snapshot (1 per call), +23.1 kB per snapshot; they are Object; change lib/session.js:6`.
fn message(f: &Finding, _scripts: &Scripts) -> String {
    let g = &f.growth;
    let unit = if g.chain { "links" } else { "members" };
    let mut m = format!(
        "{} gains {} {unit} per snapshot",
        f.holder.description,
        round(g.members_per_snapshot)
    );
    if let Some(pc) = g.members_per_call {
        m.push_str(&format!(" ({} per call)", round(pc)));
    }
    m.push_str(&format!(
        ", {}{} per snapshot",
        if g.bytes_per_snapshot >= 0.0 { "+" } else { "" },
        crate::diff::fmt_bytes(g.bytes_per_snapshot.round())
    ));
    if let Some(a) = f.accumulates.first() {
        m.push_str(&format!("; they are {}", a.class_name.to_lossy()));
    }
    if let Some(c) = f.code.first() {
        m.push_str(&format!("; change {}", code_position(&c.location)));
    }
    m
}

/// `file:line:column`, 1-based, the script as people read it.
pub fn code_position(l: &SourceLocation) -> String {
    format!(
        "{}:{}:{}",
        l.script_name
            .as_deref()
            .map_or_else(|| format!("script {}", l.script_id), display_path),
        l.line + 1,
        l.column + 1
    )
}

fn round(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round())
    } else {
        format!("{x:.1}")
    }
}

/// The typed ordinal of a node index (the findings walk raw columns with `usize`).
pub(crate) fn ord(o: usize) -> crate::NodeOrd {
    crate::NodeOrd::from_index(o)
}

/// The typed index of an edge.
pub(crate) fn edge_ix(e: usize) -> crate::EdgeIdx {
    crate::EdgeIdx::from_index(e)
}
