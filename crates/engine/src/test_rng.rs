//! A tiny reproducible random number generator for the unit tests (xorshift64; the
//! integration tests in `tests/` have their own, as they cannot see this crate's test code).

/// xorshift64 (Marsaglia 2003) from a fixed non-zero seed.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed` (0 is replaced, as xorshift would stay at 0).
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// Uniform enough in `0..m` (m > 0).
    pub(crate) fn below(&mut self, m: u64) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x % m
    }
}
