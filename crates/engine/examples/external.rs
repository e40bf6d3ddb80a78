//! Prints what lies outside the JS object graph in each snapshot given (totals by kind,
//! embedder classes, the top holders with their paths, the relation to Statistics) and how
//! long the call took.
//!
//! `cargo run --release -p heapwise-engine --example external -- a.heapsnapshot …`

use heapwise_engine::{path_text, Analysis, Quiet, Window};
use std::time::Instant;

fn main() -> Result<(), heapwise_engine::Error> {
    for f in std::env::args().skip(1) {
        let t = Instant::now();
        let a = Analysis::from_path(f.as_ref(), &Quiet)?;
        let loaded = t.elapsed();
        let t = Instant::now();
        let x = a.external_memory(&Quiet)?;
        let took = t.elapsed();
        println!("{f}: loaded in {loaded:.2?}, externalMemory in {took:.2?}");
        for (k, amount) in &x.totals {
            println!(
                "  {:<18} {:>8} {:>14}",
                k.name(),
                amount.count,
                amount.bytes
            );
        }
        println!("  shared: {:?}", x.shared_array_buffers);
        for c in x.classes.iter().take(8) {
            println!("  class {:?} {} {:?}", c.kind, c.name, c.amount);
        }
        for h in x.holders_page(None, Window::new(0, 10)).items {
            let at = h.holder.unwrap_or(h.largest);
            let name = h.holder.map_or("(none)".to_owned(), |o| a.display_name(o));
            println!(
                "  holder {:?} {} {:?} {}",
                h.kind,
                name,
                h.amount,
                path_text(&a.path_steps(at))
            );
        }
        println!("  {:?}", x.reconcile);
    }
    Ok(())
}
