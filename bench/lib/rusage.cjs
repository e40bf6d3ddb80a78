// Preloaded (node --require) into a measured Node process when /usr/bin/time is not available:
// at exit it writes process.resourceUsage() (CPU times of all threads, peak RSS) as JSON to the
// file named by HEAPWISE_BENCH_RUSAGE.
'use strict';
const file = process.env.HEAPWISE_BENCH_RUSAGE;
if (file) {
  process.on('exit', (code) => {
    const r = process.resourceUsage();
    require('node:fs').writeFileSync(
      file,
      JSON.stringify({
        user_s: r.userCPUTime / 1e6,
        sys_s: r.systemCPUTime / 1e6,
        max_rss_kb: r.maxRSS,
        exit: code,
      }),
    );
  });
}
