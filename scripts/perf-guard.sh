#!/usr/bin/env bash
# The performance guard a noisy machine cannot fool: instruction counts under
# `valgrind --tool=callgrind` (deterministic: the same binary on the same input runs the same
# instructions; SWIFT_DETERMINISTIC_HASHING fixes the hash seeds), per byte of input, against
# the baseline committed in scripts/perf-baseline.txt. Only the instructions of ctlmon's own
# code and the Swift runtime are counted: the system's libraries (libc's string functions
# chosen by the CPU's features, the dynamic linker) would make the figure depend on the machine. Fails (exit 1) when a figure grows more
# than 3 %. Two figures, on the kube-apiserver 1.35 fixture (3.1 MB decoded):
#   parse  the parser, its three paths (full decode, family-filtered, all skipped), per byte: the difference
#          between 3 iterations and 1 of `ctlmon-bench`, so start-up and inflation cancel out;
#   check  the whole one-shot `ctlmon check` (parse, store, rules, report), per byte.
# Usage: scripts/perf-guard.sh [--update]   (--update rewrites the baseline: commit it with the
# reason). Needs the release builds of ctlmon and ctlmon-bench (scripts/test makes them).
set -euo pipefail
cd "$(dirname "$0")/.."
BASELINE=scripts/perf-baseline.txt
FIXTURE=Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz
command -v valgrind >/dev/null || { echo "valgrind is needed (Debian: valgrind)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read Swift 6.3's DWARF 5: copies without debug information.
for b in ctlmon ctlmon-bench; do
  [ -x ".build/release/$b" ] || swift build -c release --product "$b" >/dev/null
  strip -g -o "$work/$b" ".build/release/$b"
done
# The bench links the malloc interposer (not preloaded here: CTLMON_BENCH_PRELOADED).
cp .build/release/libMallocInterposerSwift.so "$work/"
zcat "$FIXTURE" > "$work/input.txt"
bytes=$(wc -c < "$work/input.txt")
instructions() {  # the program's total instruction count under callgrind (exit 0 or 1: a verdict)
  local rc=0
  CTLMON_BENCH_PRELOADED=1 SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file="$work/out" "$@" >/dev/null 2>"$work/err" || rc=$?
  [ "$rc" -le 1 ] || { echo "$* exited $rc:" >&2; tail -20 "$work/err" >&2; exit 1; }
  callgrind_annotate --inclusive=no --threshold=100 "$work/out" 2>/dev/null | awk '/\[/ {
    n = $1; gsub(",", "", n); obj = $0; sub(/.*\[/, "", obj); sub(/\].*/, "", obj)
    if (obj !~ /^\/(usr\/)?lib\//) own += n } END {print own}'
}
one=$(instructions "$work/ctlmon-bench" "$work/input.txt" --iterations 1)
three=$(instructions "$work/ctlmon-bench" "$work/input.txt" --iterations 3)
parse=$(python3 -c "print(round(($three - $one) / (2 * $bytes), 3))")
check=$(python3 -c "print(round($(instructions "$work/ctlmon" check "$work/input.txt" --time 2026-07-01T00:00:00Z) / $bytes, 3))")

if [ "${1:-}" = --update ]; then
  { echo "# Instructions per input byte (scripts/perf-guard.sh), valgrind 3.19, Swift 6.3.1."
    echo "# Updated deliberately, with the reason in the commit."
    echo "parse $parse"
    echo "check $check"; } > "$BASELINE"
  echo "baseline written: parse $parse, check $check instructions per byte"
  exit 0
fi
status=0
for name in parse check; do
  now=${!name}
  base=$(awk -v n="$name" '$1 == n {print $2}' "$BASELINE")
  verdict=$(python3 -c "r = $now / $base; print('%.4f %s' % (r, 'ok' if r <= 1.03 else 'REGRESSED'))")
  printf '%-6s %10s instructions/byte (baseline %s): ×%s\n' "$name" "$now" "$base" "$verdict"
  case "$verdict" in *REGRESSED) status=1 ;; esac
done
exit $status
