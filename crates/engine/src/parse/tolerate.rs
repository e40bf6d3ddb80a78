//! What the parser tolerates, as DevTools does, once every array is read: the edge lists
//! settled against the edges array, edges to nodes past the last one set aside, names past the
//! strings counted, and one warning per kind of inconsistency (with how often it occurs and its
//! first occurrence: a corrupt file can have millions).
//!
//! DevTools builds a node's edge list from the `edge_count` prefix sums, the last node's list
//! ending where the edges array ends (`buildEdgeIndexes`). So when the counts add up to less
//! than the array holds, the last node gets the edges left over; when they add up to more, the
//! lists of the last nodes reach past the array, and DevTools walks those *missing* edges as
//! `undefined`s (kept in [`Anomalies::phantom`]). An edge whose `to_node` is past the last
//! node is *dangling*: DevTools keeps it and skips it almost everywhere (kept in
//! [`Anomalies::dangling`], out of the edge columns). A name index past the strings reads as
//! `undefined`, or as a string DevTools appends to the table later (class names); the analysis
//! fails where DevTools fails on one.

use super::columns::{Builder, Tally};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::StrId;
use crate::meta::Header;
use crate::snapshot::Anomalies;

/// How many empty nodes (or edges) heapwise makes up beyond the ones written, when the header
/// counts more than the array holds (DevTools' arrays are sized by the header and filled with
/// zeros): at most as many as were written, or this many, so that a header cannot make a small
/// file allocate without bound.
pub(crate) const MAX_MADE_UP: u64 = 1 << 20;

/// How many empty `what` records (`"node"` or `"edge"`) to make up when the header counts
/// `wanted` but the array holds `read`; an error (at `header_offset`) past [`MAX_MADE_UP`].
pub(crate) fn made_up_records(
    what: &str,
    wanted: u64,
    read: u64,
    header_offset: u64,
) -> Result<u64> {
    let missing = wanted.saturating_sub(read);
    let allowed = read.max(MAX_MADE_UP);
    if missing > allowed {
        return Err(Error::at(
            ErrorKind::InvalidData,
            header_offset,
            format!(
                "snapshot.{what}_count says {wanted} {what}s but the {what}s array has {read}; \
                 heapwise makes up at most {allowed} empty {what}s (as DevTools does)"
            ),
        ));
    }
    Ok(missing)
}

impl Builder {
    /// Settles the edge lists and the names, and writes the warnings (see the module docs).
    pub(super) fn settle(&mut self, header: &Header) -> Result<()> {
        self.count_warnings(header);
        self.settle_edges(header)?;
        self.settle_names(header);
        Ok(())
    }

    fn count_warnings(&mut self, header: &Header) {
        let meta = &header.meta;
        for (said, (written, partial), what, fields) in [
            (
                header.node_count,
                self.nodes_written,
                "nodes",
                meta.node_field_count,
            ),
            (
                header.edge_count,
                self.edges_written,
                "edges",
                meta.edge_field_count,
            ),
        ] {
            let written = written as u64;
            if partial > 0 {
                let fate = if written <= said {
                    "DevTools reads 0 for the missing values"
                } else {
                    "past the header's count, so ignored"
                };
                self.warnings.push(format!(
                    "the {what} array ends in the middle of a record ({partial} of {fields} values); {fate}"
                ));
            }
            if written != said {
                let fate = if written > said {
                    format!("the last {} records are ignored", written - said)
                } else {
                    format!("{} empty records (all fields 0) are added", said - written)
                };
                self.warnings.push(format!(
                    "the header says {said} {what} but the {what} array has {written}; as in DevTools, the header's count is used: {fate}"
                ));
            }
        }
        let types = [
            (
                std::mem::take(&mut self.node_types_past),
                "nodes have a type",
                "node_types",
                "DevTools shows them as class (undefined)",
            ),
            (
                std::mem::take(&mut self.edge_types_past),
                "edges have a type",
                "edge_types",
                "as in DevTools, the number right after the list is DevTools' own type \"invisible\" and the others match no type",
            ),
        ];
        for (tally, what, list, fate) in types {
            if tally.count > 0 {
                self.warnings.push(format!(
                    "{} {what} number past snapshot.meta.{list} (the first: {}); {fate}",
                    tally.count, tally.first
                ));
            }
        }
    }

    /// Turns the `edge_count` prefix sums into CSR offsets over the edge columns (see the
    /// module docs) and places the dangling edges.
    fn settle_edges(&mut self, header: &Header) -> Result<()> {
        let n = self.node_type.len();
        let columns = self.edge_to.len() as u64;
        let total = columns + self.anomalies.dangling.len() as u64;
        if total > u32::MAX as u64 {
            return Err(super::too_big(self.header_offset, "the number of edges"));
        }
        let total = total as u32;
        let sum = self.edge_count_sum;
        if sum != total as u64 {
            let last_start = self.first_edge[n - 1] as u64;
            if last_start * header.meta.edge_field_count as u64 > u32::MAX as u64 {
                // DevTools' edge indexes (edge ordinal × field count, in a Uint32Array) wrap.
                return Err(Error::at(
                    ErrorKind::InvalidData,
                    self.header_offset,
                    format!(
                        "the nodes' edge counts add up to {sum} but the edges array has {total}, \
                         and so many edges overflow DevTools' 32-bit edge indexes"
                    ),
                ));
            }
            self.phantom_edges(sum, total);
        }
        // DevTools' edge lists: prefix sums, the last one ending with the array.
        let fe = &mut self.first_edge;
        fe[n] = total;
        for v in fe.iter_mut() {
            *v = (*v).min(total);
        }
        if self.anomalies.dangling.is_empty() {
            return Ok(());
        }
        // The columns lack the dangling edges: shift every offset back by the dangling
        // edges before it, and place each dangling edge in its source's list.
        let devtools = fe.clone();
        let dangling = &mut self.anomalies.dangling;
        let mut removed = 0u32;
        let mut d = 0usize;
        for o in 0..=n {
            while d < dangling.len() && dangling[d].index < devtools[o] {
                removed += 1;
                d += 1;
            }
            fe[o] = devtools[o] - removed;
        }
        for e in dangling.iter_mut() {
            // The last node whose list starts at or before the edge (earlier ones may be empty).
            let o = devtools[..n].partition_point(|&p| p <= e.index) - 1;
            e.source = o as u32;
            e.position = e.index - devtools[o];
        }
        self.dangling_warning(header);
        Ok(())
    }

    /// Records the nodes whose edge lists reach past the edges array, and warns.
    fn phantom_edges(&mut self, sum: u64, total: u32) {
        let n = self.node_type.len();
        let fe = &self.first_edge;
        if sum < total as u64 {
            self.warnings.push(format!(
                "the nodes' edge counts add up to {sum} but the edges array has {total}; as in DevTools, the last node (@{}) gets the {} edges left over",
                self.node_id[n - 1],
                total as u64 - sum
            ));
            return;
        }
        // The last node's list ends with the array: it has no missing edges.
        for o in 0..n - 1 {
            let (start, end) = (fe[o].max(total), fe[o + 1]);
            if end > start {
                self.anomalies.phantom.push((o as u32, end - start));
            }
        }
        // Only the last node may be short: DevTools ends its list with the array.
        let (count, first) = match self.anomalies.phantom.first() {
            Some(&(first, _)) => (self.anomalies.phantom.len(), first as usize),
            None => (1, n - 1),
        };
        self.warnings.push(format!(
            "the nodes' edge counts add up to {sum} but the edges array has {total}; as in DevTools, the edge lists of {count} nodes (the first: @{}) are cut short where the array ends",
            self.node_id[first],
        ));
    }

    fn dangling_warning(&mut self, header: &Header) {
        let d = &self.anomalies.dangling;
        let nf = header.meta.node_field_count as u64;
        let first = d[0];
        self.warnings.push(format!(
            "{} edges point past the last node (the first: edge {} of @{}, to_node {}; there are {} nodes); as in DevTools, they lead nowhere",
            d.len(),
            first.index,
            self.node_id[first.source as usize],
            first.target as u64 * nf,
            self.node_type.len()
        ));
    }

    /// Counts the names past the strings and warns (the analysis fails where DevTools does).
    fn settle_names(&mut self, header: &Header) {
        let s = self.strings.len() as u32;
        if self.anomalies.max_node_name.is_some_and(|(m, _)| m >= s) {
            let mut tally = Tally::default();
            for (o, name) in self.node_name.iter().enumerate() {
                if name.0 >= s {
                    let id = self.node_id[o];
                    tally.add(|| format!("@{id}, string {}", name.0));
                }
            }
            self.warnings.push(format!(
                "{} nodes name a string past the {s} strings (the first: {}); as in DevTools, such a name reads as the string DevTools adds to the table at that index (a class name), or as \"undefined\"",
                tally.count, tally.first
            ));
        }
        let past = |m: Option<(u32, u64)>| m.is_some_and(|(m, _)| m >= s);
        if past(self.max_edge_name) || past(self.anomalies.max_internal_edge_name) {
            let meta = &header.meta;
            let mut tally = Tally::default();
            let mut o = 0usize;
            for (ei, (&t, &name)) in self.edge_type.iter().zip(&self.edge_name).enumerate() {
                if name >= s && !meta.edge_has_index_name(t) {
                    while self.first_edge[o + 1] as usize <= ei {
                        o += 1;
                    }
                    let id = self.node_id[o];
                    tally.add(|| format!("an edge of @{id}, string {name}"));
                }
            }
            for d in &self.anomalies.dangling {
                if d.name >= s && !meta.edge_has_index_name(d.ty) {
                    let id = self.node_id[d.source as usize];
                    tally.add(|| format!("an edge of @{id}, string {}", d.name));
                }
            }
            self.warnings.push(format!(
                "{} edges name a string past the {s} strings (the first: {}); as in DevTools, such a name reads as \"undefined\", or as the string DevTools adds to the table at that index",
                tally.count, tally.first
            ));
        }
    }
}

/// Checks what DevTools fails on among the dangling edges: an `internal` edge named
/// `native_context` (DevTools reads its target's name to see if it is a native context).
pub(super) fn check_dangling(
    anomalies: &Anomalies,
    strings: &crate::strings::StringTable,
    internal: u8,
) -> Result<()> {
    let Some(nc) = strings.find("native_context") else {
        return Ok(());
    };
    if let Some(d) = anomalies
        .dangling
        .iter()
        .find(|d| d.ty == internal && StrId(d.name) == nc)
    {
        return Err(Error::at(
            ErrorKind::InvalidData,
            d.offset,
            "an internal edge named native_context points past the last node (DevTools fails reading the name of its target)",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "tolerate_tests.rs"]
mod tests;
