//! Leak findings: which object holds the growth of a series of snapshots of one process, how
//! fast it grows, what accumulates in it, and which lines of code fill it.
//!
//! Input: the [`Footprint`]s of the earlier snapshots of a series (oldest first; each is about 9
//! bytes per node, so a series never holds two full graphs) and the [`Analysis`] of the last
//! one. Output: [`Finding`]s, ranked: leaks first, then by growth.
//!
//! Every answer is built from the graph's own evidence (see each module's docs):
//! `holders` finds where growth enters through the dominator tree, `naming` names it from
//! context variables and property edges, `members` says what accumulates, `source` points at
//! the lines that fill it, and `growth` fits the series.
//!
//! A finding is a **leak** when its growth is steady over three or more snapshots (it rose in
//! every step, by [`MIN_STEADY_BYTES`] in all with members added in every step, or by
//! [`MIN_LEAK_BYTES`]), or, with two snapshots, when it gained at least [`MIN_MEMBERS`] members
//! (or chain links) and [`MIN_LEAK_BYTES`]. A bounded cache that filled before the first
//! snapshot, churn that is collected, and one-time initialisation do not rise in every step.

pub(crate) mod allocation;
mod closure;
mod code;
pub mod footprint;
pub(crate) mod growth;
pub(crate) mod holders;
pub(crate) mod members;
mod message;
pub(crate) mod naming;
pub mod series;
pub(crate) mod source;
mod types;

use closure::capturing_closures;
pub use footprint::Footprint;
pub use message::code_position;
pub use series::Series;
pub use types::{
    Accumulated, ClosureLeak, CodeRef, CodeRole, Finding, Findings, FindingsOptions, Growth,
    Holder, SharingClosure,
};

use crate::analysis::paths::PathStep;
use crate::analysis::Analysis;
use crate::error::Result;
use crate::progress::{check, Observer};
use crate::strings::Text;
use crate::NodeId;
use naming::Anchor;
use source::Scripts;

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
    let before = retained_before(cur, first, obs)?;
    find_with(history, cur, &before, opts, obs)
}

/// Each node's retained size in the snapshot of `first` (`NaN`: a new object), looked up once,
/// in parallel chunks that each look at the observer first; what [`find_with`] and a diff's
/// growers both need.
pub(crate) fn retained_before(
    cur: &Analysis,
    first: &Footprint,
    obs: &dyn Observer,
) -> Result<Vec<f64>> {
    use rayon::prelude::*;
    let mut before: Vec<f64> = vec![f64::NAN; cur.node_count()];
    before
        .par_chunks_mut(1 << 16)
        .zip(cur.snap.node_id.par_chunks(1 << 16))
        .try_for_each(|(out, ids)| -> Result<()> {
            check(obs)?;
            for (b, &id) in out.iter_mut().zip(ids) {
                *b = first.retained_of(id).unwrap_or(f64::NAN);
            }
            Ok(())
        })?;
    Ok(before)
}

/// [`find`] with each node's retained size in the first snapshot already looked up.
pub(crate) fn find_with(
    history: &[&Footprint],
    cur: &Analysis,
    before: &[f64],
    opts: &FindingsOptions,
    obs: &dyn Observer,
) -> Result<Findings> {
    let top = if opts.top == 0 { 10 } else { opts.top };
    let found = holders::find(cur, before, MIN_HOLDER_GROWTH, obs)?;
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
        before,
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
    scripts: &'a Scripts<'a>,
    max_ids: &'a [u32],
    opts: &'a FindingsOptions,
}

impl Context<'_> {
    fn finding(&self, h: &holders::Holder) -> Option<Finding> {
        let cur = self.cur;
        let mut node = h.node;
        let mut exclude: &[usize] = &h.exclude;
        let mut members = members::of(cur, self.before, node, &h.parts, h.growth);
        // One new member that carries most of what entered and is itself a container filled
        // since (a Set created and filled between the snapshots): that container is the holder,
        // its entries the members.
        let heaviest = members::heaviest(cur, members.nodes.iter().copied());
        let entered: f64 = members.nodes.iter().map(|&m| cur.retained[m]).sum();
        if let Some(m) =
            heaviest.filter(|&m| !members.chain && cur.retained[m] >= holders::EXPLAINED * entered)
        {
            let inner = members::of(cur, self.before, m, &[], cur.retained[m]);
            if inner.chain || inner.nodes.len() as u64 >= MIN_MEMBERS {
                node = m;
                members = inner;
                exclude = &[];
            }
        }
        let classes = members::by_class(cur, &members);
        // A context holds through a variable: that variable is the name.
        let into = (cur.strings_eq_class(node, "system / Context"))
            .then(|| members::heaviest_new_child(cur, self.before, node))
            .flatten();
        let (name, path) = match into.and_then(|c| naming::variable_of(cur, node, c)) {
            Some(named) => named,
            None => naming::name(cur, &naming::readable_path(cur, node)?, 6),
        };
        let growth = self.growth(node, exclude, &members, classes.first().map(|c| c.class));
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
        let leak = message::is_leak(&growth);
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
        f.message = message::message(&f);
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
        // The holder's retained size less that of the holders below it reported on their own;
        // a holder created since the first snapshot had nothing before it existed.
        let absent = if self.before[node].is_nan() {
            Some(0.0)
        } else {
            None
        };
        let at = |f: &&Footprint, o: usize| f.retained_of(cur.snap.node_id[o]).or(absent);
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
            .filter(|&&m| class.is_none_or(|c| members::class_key(cur, m) == c))
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
            let Some(next) = members::heaviest_new_child(cur, self.before, o) else {
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
        // Only named links say something (`someMethod → context → originalThing`); a chain of
        // internal links (a promise's reactions) is named by its holder alone.
        if hops.len() < 8
            && hops
                .iter()
                .any(|h| naming::is_identifier(h) && h != "context")
        {
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
                    .find_map(|l| self.scripts.name(l.script_id));
                let module = is_module_context(cur, context);
                Some(match (module, script) {
                    (true, Some(s)) => format!("a variable of {}'s module scope", display_path(s)),
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

/// The typed ordinal of a node index (the findings walk raw columns with `usize`).
pub(crate) fn ord(o: usize) -> crate::NodeOrd {
    crate::NodeOrd::from_index(o)
}

/// The typed index of an edge.
pub(crate) fn edge_ix(e: usize) -> crate::EdgeIdx {
    crate::EdgeIdx::from_index(e)
}
