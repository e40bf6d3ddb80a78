#!/usr/bin/env bash
# Every test of heapwise: format, lint and docs (Rust), lint and format (JS), the JS types, the
# engine's Rust tests, the addon build, and the JS tests (API, CLI, and parity with Chrome
# DevTools' own heap snapshot code on snapshots that Node writes during the run). Usage: npm test
set -euo pipefail
cd "$(dirname "$0")/.."

# Tests leave no files behind. Everything below runs with a temporary folder of its own as TMPDIR
# (what os.tmpdir(), Rust's std::env::temp_dir(), mktemp and Chromium use), and the run fails at
# the end if anything is left in it.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/heapwise-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
export TMPDIR=$TEST_TMP

echo "== rustfmt, clippy and rustdoc"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --release -- -D warnings
# The engine's docs: no broken or private links (its modules document their terms by linking).
RUSTDOCFLAGS="-D warnings" cargo doc -p heapwise-engine --no-deps --release --quiet

echo "== engine tests (cargo test)"
cargo test -p heapwise-engine --release

echo "== JS lint, format and types (oxlint, prettier --check, tsc --noEmit over the JSDoc types)"
npx oxlint --deny-warnings
npx prettier --check .
npx tsc --noEmit -p tsconfig.json

echo "== build the addon (with the test hooks that force panics, see Cargo.toml)"
npx napi build --platform --release --features test-hooks --js binding.js --dts binding.d.ts
# The generated loader and types are committed: a build must not change them.
if ! git diff --quiet -- binding.js binding.d.ts 2>/dev/null; then
  echo "binding.js / binding.d.ts changed after the build: commit the regenerated files" >&2
  git --no-pager diff --stat -- binding.js binding.d.ts >&2
  exit 1
fi

echo "== package (npm run package -- --with-cross): this machine's binary, linux-arm64-gnu and linux-x64-musl into dist/"
# For __test__/packaging.test.js, which installs the tarballs into a fresh project on Node 18-24
# and runs the arm64 binary under qemu. Without zig, only this machine's binary is built (natively).
node scripts/package.mjs --with-cross

echo "== leak-test helpers under Mocha (heapwise/testing)"
npx mocha __test__/mocha

# Last, so that node's test runner prints the closing summary (the check after it prints nothing
# unless it fails).
echo "== JS tests (node --test)"
node tools/devtools/install.mjs
node --test __test__/

left=$(find "$TEST_TMP" -mindepth 1 -maxdepth 2 | sed -n 1,20p)
if [ -n "$left" ]; then
  echo "the tests left files in the temporary folder (TMPDIR=$TEST_TMP, removed now):" >&2
  echo "$left" >&2
  exit 1
fi
