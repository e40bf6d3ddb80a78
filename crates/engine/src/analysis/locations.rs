//! Where objects were created, and the names of the scripts that locations point into.
//!
//! A node's *location* comes from the snapshot's `locations` section: a closure's is its
//! function's source position, an object's is its constructor's (V8 writes them for objects made
//! by a script function). A location names a *script id*; the script's *name* (its URL or path)
//! is found through a closure of that script: `closure --shared--> SharedFunctionInfo
//! --script--> Script --name--> string`.

use super::Analysis;
use crate::ids::{NodeOrd, StrId};
use std::collections::HashMap;

/// A script a location points into: its name and its `Script` node (whose `source` edge leads
/// to the text V8 compiled).
#[derive(Debug, Clone)]
pub(crate) struct ScriptRef {
    /// The script's name (URL or path), never empty.
    pub name: String,
    /// Ordinal of the `Script` node.
    pub node: usize,
}

/// A resolved source location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// V8 script id.
    pub script_id: u32,
    /// 0-based line.
    pub line: u32,
    /// 0-based column.
    pub column: u32,
    /// The script's name (URL or path), when the snapshot has it.
    pub script_name: Option<String>,
}

impl Analysis {
    /// A traced function's name (`(anonymous)` for none) and its location (0-based, `None`
    /// when the line is unknown), as allocation stacks show them.
    pub(crate) fn traced_function(
        &self,
        f: &crate::snapshot::TraceFunctionInfo,
    ) -> (String, Option<SourceLocation>) {
        let strings = &self.snap.strings;
        let name = strings.get(f.name);
        let script = strings.get(f.script_name);
        let name = if name.is_empty() {
            "(anonymous)".to_owned()
        } else {
            name.into_owned()
        };
        let location = (f.line > 0).then(|| SourceLocation {
            script_id: f.script_id,
            line: f.line - 1,
            column: f.column.saturating_sub(1),
            script_name: (!script.is_empty()).then(|| script.into_owned()),
        });
        (name, location)
    }

    /// The source location of node `o`: its own (closures, objects with a script constructor).
    pub fn location(&self, o: NodeOrd) -> Option<SourceLocation> {
        let l = self.snap.location(o.0)?;
        Some(SourceLocation {
            script_id: l.script_id,
            line: l.line,
            column: l.column,
            script_name: self.scripts().get(&l.script_id).map(|s| s.name.clone()),
        })
    }

    /// Script id → script, learned once from the closures.
    pub(crate) fn scripts(&self) -> &HashMap<u32, ScriptRef> {
        self.scripts.get_or_init(|| {
            let closure = self.snap.header.meta.node_types.closure;
            let mut scripts = HashMap::new();
            for (o, l) in self.snap.locations.iter() {
                if scripts.contains_key(&l.script_id) || self.snap.node_type[o as usize] != closure
                {
                    continue;
                }
                if let Some(s) = self.closure_script(o as usize) {
                    scripts.insert(l.script_id, s);
                }
            }
            scripts
        })
    }

    fn closure_script(&self, closure: usize) -> Option<ScriptRef> {
        let nt = self.snap.header.meta.node_types;
        let shared = self.edge_target(closure, "shared")?;
        let node = self
            .edge_target(shared, "script")
            .or_else(|| self.edge_target(shared, "script_or_debug_info"))?;
        let name = self.edge_target(node, "name")?;
        let t = self.snap.node_type[name];
        (t == nt.string || t == nt.cons_string || t == nt.sliced_string)
            .then(|| self.display_name(NodeOrd::from_index(name)))
            .filter(|s| !s.is_empty())
            .map(|name| ScriptRef { name, node })
    }

    /// The target of node `o`'s first edge named `name`.
    pub(crate) fn edge_target(&self, o: usize, name: &str) -> Option<usize> {
        let snap = &self.snap;
        snap.edges_of(o)
            .find(|&ei| {
                !snap.header.meta.edge_has_index_name(snap.edge_type[ei])
                    && snap.strings.eq(StrId(snap.edge_name[ei]), name)
            })
            .map(|ei| snap.edge_to[ei] as usize)
    }
}
