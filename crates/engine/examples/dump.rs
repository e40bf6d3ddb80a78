//! Development tool: analyse a snapshot, print timings, write the per-node TSV.
//! `cargo run --release -p heapwise-engine --example dump -- FILE [OUT.tsv]`
#[global_allocator]
static ALLOCATOR: heapwise_engine::alloc::MmapLarge = heapwise_engine::alloc::MmapLarge;

use heapwise_engine::{parse, Analysis, Observer, Phase, Quiet};
use std::time::Instant;

/// Prints the elapsed and CPU time, the resident set size and its high-water mark at each phase
/// boundary (Linux).
struct MemoryTrace(Instant);
impl Observer for MemoryTrace {
    fn progress(&self, phase: Phase, fraction: f64) {
        if fraction != 0.0 && fraction != 1.0 {
            return;
        }
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |k: &str| {
            status
                .lines()
                .find(|l| l.starts_with(k))
                .map(|l| l[k.len()..].trim().to_owned())
                .unwrap_or_default()
        };
        // utime and stime (fields 14 and 15 of /proc/self/stat, in clock ticks of 10 ms).
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after_name = stat.rsplit(')').next().unwrap_or("");
        let ticks: Vec<u64> = after_name
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|t| t.parse().ok())
            .collect();
        let cpu = ticks.iter().sum::<u64>() as f64 / 100.0;
        eprintln!(
            "{:>8.3}s cpu {cpu:>6.2}s {:<11} {fraction} rss {} hwm {}",
            self.0.elapsed().as_secs_f64(),
            phase.name(),
            field("VmRSS:"),
            field("VmHWM:")
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let t0 = Instant::now();
    let trace = MemoryTrace(t0);
    let obs: &dyn Observer = if std::env::var_os("HEAPWISE_TRACE").is_some() {
        &trace
    } else {
        &Quiet
    };
    let snap = parse::parse_file(args[1].as_ref(), obs).unwrap_or_else(|e| {
        eprintln!("{}: {e}", e.code());
        std::process::exit(2)
    });
    let t1 = Instant::now();
    let a = Analysis::run(snap, obs).expect("analysis");
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
    for w in a.warnings() {
        eprintln!("warning: {w}");
    }
    if let Some(out) = args.get(2) {
        let mut f = std::fs::File::create(out).expect("create");
        a.write_nodes_tsv(&mut f).expect("write");
    }
}
