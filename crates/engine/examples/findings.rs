//! Development tool: print the findings of a series.
//! `cargo run --release -p heapwise-engine --example findings -- S0 S1 … SN`
use heapwise_engine::findings::{code_position, find, FindingsOptions, Footprint};
use heapwise_engine::{Analysis, Quiet};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let calls = std::env::var("CALLS").ok().and_then(|c| c.parse().ok());
    let mut history = Vec::new();
    for p in &args[..args.len() - 1] {
        let a = Analysis::from_path(p.as_ref(), &Quiet).expect("analyse");
        history.push(Footprint::of(&a, &Quiet).expect("footprint"));
    }
    let cur = Analysis::from_path(args.last().expect("a file").as_ref(), &Quiet).expect("analyse");
    let t = std::time::Instant::now();
    let opts = FindingsOptions {
        calls_per_step: calls,
        top: 5,
    };
    let refs: Vec<&Footprint> = history.iter().collect();
    let f = find(&refs, &cur, &opts, &Quiet).expect("findings");
    eprintln!("findings in {:?}", t.elapsed());
    for w in &f.warnings {
        println!("warning: {w}");
    }
    for (i, x) in f.findings.iter().enumerate() {
        println!(
            "{}. [{}] {}",
            i + 1,
            if x.leak { "LEAK" } else { "grew" },
            x.message
        );
        println!(
            "   members by step {:?} retained {:?}",
            x.growth.members, x.growth.retained
        );
        for a in &x.accumulates {
            println!("   accumulates {} x{} {}", a.class_name, a.count, a.size);
        }
        for c in &x.code {
            println!(
                "   {} {} {}",
                c.role.as_str(),
                code_position(&c.location),
                c.text.clone().unwrap_or_default()
            );
        }
        if let Some(c) = &x.closure {
            println!("   closure: {}", c.message);
        }
        println!("   path {}", x.path_text);
        println!("   short {}", heapwise_engine::path_text_short(&x.path, 60));
    }
}
