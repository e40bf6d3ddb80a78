//! Development tool: analyse a snapshot, print timings, write the per-node TSV.
//! `cargo run --release -p heapwise-engine --example dump -- FILE [OUT.tsv]`
use heapwise_engine::{parse, Analysis, Quiet};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let t0 = Instant::now();
    let snap = parse::parse_file(args[1].as_ref(), &Quiet).unwrap_or_else(|e| {
        eprintln!("{}: {e}", e.code());
        std::process::exit(2)
    });
    let t1 = Instant::now();
    let a = Analysis::run(snap, &Quiet).expect("analysis");
    let t2 = Instant::now();
    eprintln!(
        "nodes {} edges {} total {} parse {:?} analysis {:?} heap {} MB",
        a.node_count(),
        a.edge_count(),
        a.total_size(),
        t1 - t0,
        t2 - t1,
        a.heap_bytes() >> 20
    );
    for w in &a.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(out) = args.get(2) {
        let mut f = std::fs::File::create(out).expect("create");
        a.write_nodes_tsv(&mut f).expect("write");
    }
}
