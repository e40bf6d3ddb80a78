'use strict';
// The help texts of the command line: `heapwise --help` (every command's usage line) and
// `heapwise CMD --help` (that command's options). A test checks that each command's help names
// every flag lib/cli/args.js gives it.

const EXIT_CODES = 'exit codes: 0 ok, 1 a diff threshold exceeded, a leak found or a rising GC floor, 2 usage or input error';

const USAGE_LINES = {
  analyze: 'heapwise analyze FILE [--top N] [--nodes OUT.tsv] [--format text|json|markdown|html] [-o FILE]',
  diff: `heapwise diff BEFORE AFTER [--final FILE] [--max-growth SIZE] [--max-new-objects N]
                     [--max-class-count NAME=N] [--max-class-size NAME=SIZE]
                     [--ignore PATTERN]... [--min-retained-size SIZE] [--include-internal] [--top N]
                     [--calls N] [--only-thresholds] [--all-rows] [--format text|json|markdown|html] [-o FILE]`,
  watch: `heapwise watch DIR [--pid PID] [--interval 5s] [--max-growth SIZE] [--max-new-objects N]
                     [--max-class-count NAME=N] [--max-class-size NAME=SIZE]
                     [--ignore PATTERN]... [--include-internal] [--calls N] [--only-thresholds] [--once]
                     [--gc-log FILE] [--format text|json|markdown|html] [-o FILE]
       heapwise watch [--snapshot-every 30s] [--trace-gc] [--keep-snapshots DIR] [--interval 1s]
                     [--gc-log FILE] [watch's other flags] -- CMD ARGS...`,
  mcp: 'heapwise mcp [--max-memory SIZE]',
  open: 'heapwise open FILE [BASELINE]... [--port N] [--no-browser] [--max-memory SIZE]',
  gc: 'heapwise gc LOG [--format text|json|markdown|html] [-o FILE]',
  dhat: 'heapwise dhat A.json [B.json] [--top N] [--format text|json|markdown|html] [-o FILE]',
};

const ANALYZE = `usage: ${USAGE_LINES.analyze}

  analyze FILE        analyse a .heapsnapshot and print DevTools' Summary (the JS API's analyze())
    --format F        text (default), json (the same objects as the JS API), markdown, or html
                      (a self-contained page: sortable class table, statistics, dominator
                      treemap, retainer paths; use with -o); --json = --format json
    -o, --output FILE write the report to FILE instead of stdout
    --top N           how many of the largest objects to show (default 10)
    --nodes OUT.tsv   write one line per node: id self_size shallow_size retained_size distance dominator_id

exit codes: 0 ok, 2 usage or input error`;

const DIFF = `usage: ${USAGE_LINES.diff}

  diff BEFORE AFTER   what grew between two snapshots of one process, and why: the findings (the
                      object that holds each growth, named, how fast it grows, what accumulates,
                      the lines of code that fill it), DevTools' Comparison view, what was
                      allocated between them and the objects that grew (the JS API's diff(), with
                      the same option names). With no threshold set, a finding the evidence calls
                      a leak fails the verdict (exit 1) unless --only-thresholds.
    --final FILE      a third snapshot: leak candidates are objects allocated between BEFORE and
                      AFTER that are still alive in FILE (memlab's baseline/target/final)
    --max-growth SIZE fail when the heap's total size grew by more than SIZE: 1000, 512kB, 2MB,
                      1.5GiB (kB/MB/GB = 1000^n bytes, KiB/MiB/GiB = 1024^n)
    --max-new-objects N   fail when more than N objects are new (Comparison total # New)
    --max-class-count NAME=N      fail when class NAME gains more than N objects (repeatable)
    --max-class-size NAME=SIZE    fail when class NAME grows by more than SIZE (repeatable)
    --ignore PATTERN  leave out classes whose name contains PATTERN, or matches /regexp/flags
                      (repeatable)
    --min-retained-size SIZE      leave out growers / leak groups / allocated rows below SIZE
    --include-internal            keep internal classes ("(...)", "system / ...") in every list
    --calls N         the suspected action ran N times between the snapshots: growth per call
    --only-thresholds the verdict counts only the size and count thresholds, never the findings
    --all-rows        also list Comparison classes whose count and size did not change
    --top N           how many findings / growers / leak groups to detail (default 10)
    --format F        text (default), json (the HeapDiff of the JS API), markdown (for a pull
                      request comment or $GITHUB_STEP_SUMMARY), or html (a self-contained page
                      with charts; use with -o); --json = --format json
    -o, --output FILE write the report to FILE instead of stdout

exit codes: 0 ok, 1 a threshold exceeded or a leak found, 2 usage or input error`;

const WATCH = `usage: ${USAGE_LINES.watch}

  watch DIR           analyse every heap snapshot that lands in DIR (v8.writeHeapSnapshot(),
                      --heapsnapshot-signal, --heapsnapshot-near-heap-limit), once it is completely
                      written; report what grows (the findings: the object that holds the growth,
                      how fast it grows, the code that fills it, from the second snapshot on) and
                      flag a leak when a finding grows steadily (with no threshold set, unless
                      --only-thresholds) or a threshold is crossed between the first and the
                      latest snapshot. Runs until Ctrl-C (SIGINT)
                      or SIGTERM, or until the --pid process has exited and its last snapshots are
                      analysed; then prints the report. (The JS API's watch({ dir }).)
  watch -- CMD ARGS...  start the program and watch it (the JS API's watch({ command })): sample
                      its process tree's RSS and PSS, have its Node processes write snapshots (on
                      a schedule, on the key s when stdin is a terminal, or on SIGUSR2 sent to
                      heapwise; only Node processes that took heapwise's NODE_OPTIONS are
                      signalled) and report when it exits. Ctrl-C (SIGINT) and SIGTERM are passed
                      to the program, and the report follows its exit; again: stop at once. The
                      program's exit status is in the report, not in heapwise's exit code.
                      (docs/watch-run.md)
    --snapshot-every T  ask the program's Node processes for a snapshot every T (30s, 500ms)
    --trace-gc        turn on V8's --trace-gc in them: the GC lines are taken out of the
                      program's stdout (its own output passes unchanged) and read as a GC floor
    --keep-snapshots DIR  write the snapshots (and trace-gc.log) into DIR and keep them (default:
                      a temporary folder, removed at the end)
    --pid PID         also sample the memory (RSS, PSS) of process PID and its descendants
    --interval T      how often to look at DIR and sample memory: 500ms, 5s (default; 1s with a
                      program), 1m
    --gc-log FILE     read the GC log FILE (node --trace-gc output) as it is written: the heap
                      after each full GC and whether it rises (as heapwise gc) join the report
    --calls N         the suspected action runs N times between snapshots: growth per call
    --only-thresholds flag leaks only for the size and count thresholds, never for the findings
    --max-growth SIZE         flag a leak when the heap's total size grew by more than SIZE
                              (1000, 512kB, 2MB, 1.5GiB)
    --max-new-objects N       flag a leak when more than N objects are new (diff's # New)
    --max-class-count NAME=N  flag a leak when class NAME gains more than N objects (repeatable)
    --max-class-size NAME=SIZE  flag a leak when class NAME grows by more than SIZE (repeatable)
    --ignore PATTERN  leave out classes whose name contains PATTERN, or matches /regexp/flags
                      (repeatable)
    --include-internal  keep internal classes ("(...)", "system / ...")
    --once            analyse the snapshots in DIR now, print the report and exit
    --format F        the report: text (default), json (the WatchSeries of the JS API), markdown,
                      or html (a self-contained page with charts); --json = --format json
    -o, --output FILE write the report to FILE instead of stdout

The report ends with the verdict across layers (JS heap, GC floor, ArrayBuffers, other external
memory, RSS, PSS): which one grows, and what holds the growth.

exit codes: 0 no leak flagged, 1 a leak flagged (a finding, a threshold, a rising GC floor), 2 usage
            or input error (or a program that cannot be started)`;

const MCP = `usage: ${USAGE_LINES.mcp}

  mcp                 serve the Model Context Protocol on stdin/stdout, for AI agents: one tool per
                      query (peek, load, summary, instances, retainers, retainer_paths, explain,
                      findings, diff, …), snapshots kept loaded behind handles, and the prompt
                      "investigate-leak". Configure it in an MCP client as the command
                      \`npx -y heapwise mcp\` (README, "Agents (MCP)").
    --max-memory SIZE memory the loaded snapshots may hold together (default: half of this
                      machine's); the least recently used are closed to stay under it

exit codes: 0 the client disconnected, 2 usage error`;

const OPEN = `usage: ${USAGE_LINES.open}

  open FILE [BASELINE]...
                      explore a snapshot of any size in the browser, as in DevTools: Summary,
                      instances, retainers and references, Comparison, dominators (tree and
                      treemap), Statistics, search by @id or name. With BASELINEs (earlier
                      snapshots of the same process, oldest first), the leak findings come first
                      and Comparison compares the newest BASELINE with FILE. The snapshots stay in
                      this process; the page asks for what it shows. Prints the page's URL (on
                      127.0.0.1, with a secret token) and opens it; runs until Ctrl-C or SIGTERM.
    --port N          listen on port N (default: a free port)
    --no-browser      print the URL without opening a browser
    --max-memory SIZE memory the loaded snapshots may hold together (default: half of this
                      machine's)

exit codes: 0 stopped with Ctrl-C or SIGTERM, 2 usage error or a file that cannot be loaded`;

const GC = `usage: ${USAGE_LINES.gc}

  gc LOG              read a GC log and tell whether the heap after each full GC (Mark-Compact,
                      Mark-sweep) keeps rising: the output of \`node --trace-gc\` or
                      \`node --trace-gc-nvp\` (Node 18 to 24; the program's own output and several
                      processes or worker threads may be mixed in), or the JSON of v8.GCProfiler.
                      Prints, per process and isolate, the GCs by kind, the pause, the floor
                      (the heap after each full GC), its slope per full GC and per minute, how
                      steadily it rose and the verdict: rising, flat, or insufficient (fewer than
                      3 full GCs); docs/gc.md gives the rule. (The JS API's gcLog().)
    --format F        text (default), json (the GcReport of the JS API), markdown, or html (a
                      self-contained page with the chart of the heap after each GC; use with -o);
                      --json = --format json
    -o, --output FILE write the report to FILE instead of stdout

exit codes: 0 the floor does not rise steadily (or too few full GCs), 1 it rises steadily,
            2 usage or input error (an unreadable file, no GC line)`;

const DHAT = `usage: ${USAGE_LINES.dhat}

  dhat A.json [B.json]
                      read a DHAT profile (valgrind's DHAT tool's dhat.out.PID, the Rust dhat
                      crate's dhat-heap.json) and print its totals (allocated, at t-gmax, the peak,
                      and at t-end, still live at exit) and the sites with the most bytes at t-end
                      and at t-gmax, with their frames. With B.json (another build of the program),
                      print the totals' differences and the sites that grew, shrank, appeared or
                      disappeared at t-end and at t-gmax, sites matched by their innermost 3 frames
                      outside the allocator (docs/dhat.md). (The JS API's dhatProfile() and
                      dhatDiff().)
    --top N           how many sites to list per moment and change (default 10)
    --format F        text (default), json (the DhatProfile or DhatDiff of the JS API), markdown,
                      or html (a self-contained page with the totals and the sites as tables; use
                      with -o); --json = --format json
    -o, --output FILE write the report to FILE instead of stdout

exit codes: 0 ok, 2 usage or input error (an unreadable file, not DHAT's JSON, another
            dhatFileVersion)`;

const COMMAND_HELP = { analyze: ANALYZE, diff: DIFF, watch: WATCH, mcp: MCP, open: OPEN, gc: GC, dhat: DHAT };

const GLOBAL_HELP = `usage: ${USAGE_LINES.analyze}
       ${USAGE_LINES.diff}
       ${USAGE_LINES.watch}
       ${USAGE_LINES.mcp}
       ${USAGE_LINES.open}
       ${USAGE_LINES.gc}
       ${USAGE_LINES.dhat}
       heapwise --help | --version

  analyze FILE        analyse a .heapsnapshot and print DevTools' Summary
  diff BEFORE AFTER   compare two snapshots (DevTools' Comparison view): what grew, and what holds it
  watch DIR           follow the snapshots that land in DIR; report classes that keep growing
  watch -- CMD ARGS   run a program under watch: its memory, snapshots, GC log, one verdict
  mcp                 serve the Model Context Protocol on stdio: heapwise's queries as tools for AI agents
  open FILE [BASELINE]...  explore a snapshot in the browser (DevTools' views, the leak findings on top)
  gc LOG              read a node --trace-gc log: does the heap after each full GC keep rising?
  dhat A.json [B.json]  read a DHAT profile, or compare two builds' profiles site by site

  heapwise CMD --help shows a command's options. Flags take their value as --flag VALUE or
  --flag=VALUE; sizes are 1000, 512kB, 2MB, 1.5GiB (kB/MB/GB = 1000^n bytes, KiB/MiB/GiB = 1024^n).

${EXIT_CODES}`;

module.exports = { GLOBAL_HELP, COMMAND_HELP };
