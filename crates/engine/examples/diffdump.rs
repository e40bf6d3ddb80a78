//! Development tool: diff two snapshots and print the Comparison rows as TSV.
//! `cargo run --release -p heapwise-engine --example diffdump -- BEFORE AFTER [FINAL]`
#[global_allocator]
static ALLOCATOR: heapwise_engine::alloc::MmapLarge = heapwise_engine::alloc::MmapLarge;

use heapwise_engine::diff::{diff, DiffOptions};
use heapwise_engine::Quiet;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opts = DiffOptions {
        include_internal: std::env::var_os("HEAPWISE_INTERNAL").is_some(),
        final_snapshot: args.get(3).map(Into::into),
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let d = diff(args[1].as_ref(), args[2].as_ref(), &opts, &Quiet).unwrap_or_else(|e| {
        eprintln!("{}: {e}", e.code());
        std::process::exit(2)
    });
    eprintln!(
        "diff in {:?}; same process {}; {} rows; totals +{} -{} size {}",
        t.elapsed(),
        d.same_process,
        d.classes.len(),
        d.totals.new_count,
        d.totals.deleted_count,
        d.totals.size_delta
    );
    for r in &d.classes {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.key,
            r.name,
            r.counts.new_count,
            r.counts.deleted_count,
            r.counts.alloc_size,
            r.counts.freed_size,
            r.counts.size_delta
        );
    }
    for g in &d.growers {
        eprintln!(
            "grower {} @{} +{} path {}",
            g.node.class_name,
            g.node.id.0,
            g.growth,
            g.retainer_path
                .iter()
                .skip(1)
                .filter_map(|s| s.edge.clone())
                .collect::<Vec<_>>()
                .join(" > ")
        );
    }
    for l in &d.leaks {
        eprintln!(
            "leak {} x{} retained {} path {}",
            l.name,
            l.count,
            l.retained_size,
            l.retainer_path
                .iter()
                .skip(1)
                .filter_map(|s| s.edge.clone())
                .collect::<Vec<_>>()
                .join(" > ")
        );
    }
    for a in d.allocated.iter().take(5) {
        eprintln!(
            "allocated {} x{} retained {}",
            a.name, a.count, a.retained_size
        );
    }
    for w in &d.warnings {
        eprintln!("warning: {w}");
    }
}
