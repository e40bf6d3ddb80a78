//! A plain bit vector.

/// Fixed-size bit vector.
#[derive(Debug, Clone, Default)]
pub(crate) struct BitVec(Vec<u64>);

impl BitVec {
    /// `n` zero bits.
    pub(crate) fn new(n: usize) -> Self {
        BitVec(vec![0; n.div_ceil(64)])
    }
    /// Bit `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> bool {
        self.0[i >> 6] >> (i & 63) & 1 != 0
    }
    /// Bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        8 * self.0.capacity()
    }
    /// Sets bit `i`.
    #[inline]
    pub(crate) fn set(&mut self, i: usize) {
        self.0[i >> 6] |= 1 << (i & 63);
    }
}
