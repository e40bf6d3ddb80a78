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
    /// The source location of node `o`: its own (closures, objects with a script constructor).
    pub fn location(&self, o: NodeOrd) -> Option<SourceLocation> {
        let l = self.snap.location(o.0)?;
        Some(SourceLocation {
            script_id: l.script_id,
            line: l.line,
            column: l.column,
            script_name: self.script_names().get(&l.script_id).cloned(),
        })
    }

    /// Script id → script name, learned once from the closures.
    fn script_names(&self) -> &HashMap<u32, String> {
        self.script_names.get_or_init(|| {
            let closure = self.snap.header.meta.node_types.closure;
            let mut names = HashMap::new();
            for (o, l) in self.snap.locations.iter() {
                if names.contains_key(&l.script_id) || self.snap.node_type[o as usize] != closure {
                    continue;
                }
                if let Some(n) = self.closure_script_name(o as usize) {
                    names.insert(l.script_id, n);
                }
            }
            names
        })
    }

    fn closure_script_name(&self, closure: usize) -> Option<String> {
        let nt = self.snap.header.meta.node_types;
        let shared = self.edge_target(closure, "shared")?;
        let script = self
            .edge_target(shared, "script")
            .or_else(|| self.edge_target(shared, "script_or_debug_info"))?;
        let name = self.edge_target(script, "name")?;
        let t = self.snap.node_type[name];
        (t == nt.string || t == nt.cons_string || t == nt.sliced_string)
            .then(|| self.display_name(NodeOrd::from_index(name)))
            .filter(|s| !s.is_empty())
    }

    /// The target of node `o`'s first edge named `name`.
    fn edge_target(&self, o: usize, name: &str) -> Option<usize> {
        let snap = &self.snap;
        snap.edges_of(o)
            .find(|&ei| {
                !snap.header.meta.edge_has_index_name(snap.edge_type[ei])
                    && snap.strings.eq(StrId(snap.edge_name[ei]), name)
            })
            .map(|ei| snap.edge_to[ei] as usize)
    }
}
