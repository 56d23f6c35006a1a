#!/usr/bin/env bash
# Measures `kooste watch` end to end: the cold `kooste build` time, then the
# time from appending a paragraph to a chapter until the new report PDF is on
# disk (and until the whole rebuild has finished), with the watcher running.
# Prints medians of RUNS edits and the ratios.
# Usage: scripts/bench-watch.sh [RUNS] [PAGES]   (needs target/release/kooste,
# or the binary named by KOOSTE_BIN)
# With PAGES, measures a generated project of about that many pages
# (examples/genproject.rs) instead of a copy of the repository's project.
set -euo pipefail
runs=${1:-5}
pages=${2:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="${KOOSTE_BIN:-$repo/target/release/kooste}"
work=$(mktemp -d)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
if [ -n "$pages" ]; then
  (cd "$repo" && cargo build --release --quiet --example genproject)
  "$repo/target/release/examples/genproject" "$work" --pages "$pages"
else
  cp -r "$repo/report" "$repo/data" "$repo/templates" "$work/"
fi
export SOURCE_DATE_EPOCH=1582848000
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Cold builds, each a fresh process.
cold=$(for _ in $(seq "$runs"); do s=$(now); "$bin" build --root "$work" >/dev/null 2>&1; e=$(now); echo "$e - $s" | bc; done | median)

"$bin" watch --root "$work" >"$work/watch.log" 2>&1 &
pid=$!
until grep -q "Waiting for changes" "$work/watch.log"; do sleep 0.05; done
chapter=$(ls "$work"/report/chapters/*.md | sed -n 2p)
pdf="$work/out/report.pdf"
: > "$work/pdf.times"
inc=$(for i in $(seq "$runs"); do
  before=$(stat -c %y "$pdf" 2>/dev/null || echo 0)
  count=$(grep -c "Waiting for changes" "$work/watch.log")
  s=$(now)
  printf '\nLisätty kappale %s mittausta varten: verkostot oppivat toisiltaan.\n' "$i" >> "$chapter"
  until [ "$(stat -c %y "$pdf" 2>/dev/null || echo 0)" != "$before" ]; do sleep 0.01; done
  echo "$(now) - $s" | bc >> "$work/pdf.times"
  until [ "$(grep -c "Waiting for changes" "$work/watch.log")" -gt "$count" ]; do sleep 0.01; done
  e=$(now)
  echo "$e - $s" | bc
done | median)
new_pdf=$(median < "$work/pdf.times")
echo "cold kooste build (median of $runs): ${cold} s"
echo "watch: edit to new report PDF (median of $runs): ${new_pdf} s"
echo "watch: edit to rebuild finished (median of $runs): ${inc} s"
echo "ratio, new report PDF / cold: $(echo "scale=3; $new_pdf / $cold" | bc)"
echo "ratio, rebuild finished / cold: $(echo "scale=3; $inc / $cold" | bc)"
