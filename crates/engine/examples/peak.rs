//! Prints, for each snapshot given, `peek`'s predictions next to what the analysis measures:
//! its `heap_bytes()` (with the id index built) and the high-water mark of the engine's own
//! allocations while parsing and analysing (sampled at every progress report).
//!
//! `cargo run --release -p heapwise-engine --example peak -- a.heapsnapshot …`

#[global_allocator]
static ALLOCATOR: heapwise_engine::alloc::MmapLarge = heapwise_engine::alloc::MmapLarge;

use heapwise_engine::{alloc, parse, Analysis, NodeId, Observer, Phase};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records the most bytes in use seen at any progress report.
struct HighWater(AtomicUsize);

impl Observer for HighWater {
    fn progress(&self, _phase: Phase, _fraction: f64) {
        self.0.fetch_max(alloc::in_use(), Ordering::Relaxed);
    }
    fn is_cancelled(&self) -> bool {
        self.0.fetch_max(alloc::in_use(), Ordering::Relaxed);
        false
    }
}

fn main() -> Result<(), heapwise_engine::Error> {
    for f in std::env::args().skip(1) {
        let h = parse::peek(f.as_ref())?;
        let before = alloc::in_use();
        let hw = HighWater(AtomicUsize::new(0));
        let a = Analysis::from_path(f.as_ref(), &hw)?;
        a.ordinal_of(NodeId(1));
        let (mem, peak) = (a.heap_bytes(), hw.0.load(Ordering::Relaxed) - before);
        println!(
            "{f}: memory {mem} predicted {} ({:.2}); peak {peak} predicted {} ({:.2})",
            h.predicted_memory_bytes,
            h.predicted_memory_bytes as f64 / mem as f64,
            h.predicted_peak_bytes,
            h.predicted_peak_bytes as f64 / peak as f64
        );
    }
    Ok(())
}
