#!/usr/bin/env bash
# Runs the benchmark the way BENCHMARKS.md reports it and keeps the output:
# the machine (cores, CPU model, load), then `cargo bench --bench build`
# (repository project, generated 100- and 400-page projects; medians of
# KOOSTE_BENCH_RUNS runs, default 5). Output also goes to target/bench-report.txt.
# Usage: scripts/bench-report.sh            (takes about 10 minutes on 2 cores)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/target/bench-report.txt"
mkdir -p "$repo/target"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (uncommitted changes)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GB", $2/1048576}')"
  echo "rustc: $(rustc --version)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "peak-memory probe: $(if /usr/bin/time -f %M true >/dev/null 2>&1; then echo '/usr/bin/time'; else echo 'VmHWM polling (apt-get install -y time for GNU time)'; fi)"
  echo
  cd "$repo" && cargo bench --bench build
} | tee "$out"
echo "(saved to $out)" >&2
