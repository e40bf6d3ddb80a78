//! Typed indices of the engine.
//!
//! Terms: a node's *ordinal* ([`NodeOrd`]) is its position in one snapshot's `nodes` array
//! (0-based, not comparable across snapshots); its *id* ([`NodeId`]) is the V8 object id, stable
//! across snapshots of one process (diff and watch match objects by it). An *edge index*
//! ([`EdgeIdx`]) is an edge's position in the `edges` array, where edges are grouped by source
//! node in file order. A *string id* ([`StrId`]) is a position in the string table.
//!
//! All four are `u32` newtypes, so an ordinal cannot be passed where an id is expected. The
//! column vectors stay `Vec<u32>` where hot loops index them; the queries take and return these
//! types.

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for indexing a column.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The value at column position `i` (which must fit in 32 bits, as every column
            /// length does: the parser checks it).
            #[inline]
            pub fn from_index(i: usize) -> Self {
                debug_assert!(i <= u32::MAX as usize, "index {i} does not fit in 32 bits");
                $name(i as u32)
            }
        }
    };
}

index_type!(
    /// A node's position in one snapshot (0-based). Not comparable across snapshots.
    NodeOrd
);
index_type!(
    /// A V8 heap object id, stable across snapshots of one process.
    NodeId
);
index_type!(
    /// An edge's position in the `edges` array of one snapshot.
    EdgeIdx
);
index_type!(
    /// A string's position in a snapshot's string table.
    StrId
);
