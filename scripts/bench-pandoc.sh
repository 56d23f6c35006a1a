#!/usr/bin/env bash
# kooste against pandoc + typst, side by side in one run (issue 23's cost
# goal): for each generated project (100 and 400 pages), RUNS rounds of
#   1. kooste build --only report (release binary, a draft),
#   2. pandoc (3.9, from PyPI's pypandoc-binary) writing Typst from the same
#      chapters, then typst (0.15.0, PyPI's typst-py) compiling it,
#   3. typst alone on the Typst kooste emitted (examples/typst_alone, the
#      same world and PDF options as kooste),
# taking turns, and prints the medians of wall time and peak memory (GNU
# time) with the ratios. pandoc's share: chapters only, as written (the
# template calls print as text; cross-references are made plain text first,
# since pandoc alone passes @fig-x to typst as a citation).
# Usage: scripts/bench-pandoc.sh [RUNS]   (needs python3-venv and /usr/bin/time)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
work=${TMPDIR:-/tmp}/kooste-bench-pandoc
venv=$work/venv
mkdir -p "$work"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pypandoc-binary==1.17 typst==0.15.0
fi
pandoc=$(ls "$venv"/lib/python3*/site-packages/pypandoc/files/pandoc)
cd "$repo"
cargo build -q --release --bin kooste --example genproject --example typst_alone
measure() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; cat "$work/time"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "date: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$("$pandoc" --version | head -1), typst-py $("$venv/bin/python" -c 'import typst, importlib.metadata as m; print(m.version("typst"))')"
printf '%-6s %-24s %10s %10s\n' project step "median s" "median MB"
for pages in 100 400; do
  proj=$work/p$pages
  [ -d "$proj" ] || target/release/examples/genproject "$proj" --pages "$pages" >/dev/null
  rm -rf "$proj/templates" && cp -r templates "$proj/"
  base=$work/pandoc$pages
  rm -rf "$base" && mkdir -p "$base/src" && cp "$proj/report/references.bib" "$base/"
  for f in "$proj"/report/chapters/*.md; do sed -E 's/@(fig|tbl|sec|eq|rec)-/\1-/g' "$f" > "$base/src/$(basename "$f")"; done
  rm -rf "$work/emit$pages" && target/release/kooste build --root "$proj" --only report --emit-typst "$work/emit$pages" >/dev/null 2>&1
  : > "$work/k" ; : > "$work/p" ; : > "$work/t" ; : > "$work/a"
  for _ in $(seq "$runs"); do
    measure target/release/kooste build --root "$proj" --only report >> "$work/k"
    p=$(cd "$base" && measure "$pandoc" -f markdown -t typst -s --bibliography=references.bib src/*.md -o doc.typ)
    t=$(cd "$base" && measure "$venv/bin/python" -c "import typst; typst.compile('doc.typ', output='doc.pdf')")
    echo "$p $t" | awk '{print $1 + $3, ($2 > $4 ? $2 : $4)}' >> "$work/p"
    measure target/release/examples/typst_alone "$work/emit$pages" templates/report.generated.typ \
      --standard ua-1 --standard a-2a --ident report --out "$work/alone.pdf" >> "$work/a"
  done
  for step in k p a; do
    s=$(cut -d' ' -f1 "$work/$step" | median); m=$(cut -d' ' -f2 "$work/$step" | median)
    name=$(case $step in k) echo "kooste --only report";; p) echo "pandoc + typst";; a) echo "typst alone (kooste's)";; esac)
    printf '%-6s %-24s %10.2f %10.0f\n' "${pages}p" "$name" "$s" "$(echo "$m / 1024" | bc -l)"
    eval "s_$step=$s; m_$step=$m"
  done
  printf '%-6s %-24s %10.2f %10.2f\n' "${pages}p" "pandoc+typst / kooste" "$(echo "$s_p / $s_k" | bc -l)" "$(echo "$m_k / $m_p" | bc -l)"
  printf '%-6s %-24s %10.2f %10.2f\n' "${pages}p" "kooste / typst alone" "$(echo "$s_k / $s_a" | bc -l)" "$(echo "$m_k / $m_a" | bc -l)"
  echo "       (pages: kooste $(pdfinfo "$proj/out/report.pdf" 2>/dev/null | awk '/^Pages/ {print $2}'), pandoc + typst $(pdfinfo "$base/doc.pdf" 2>/dev/null | awk '/^Pages/ {print $2}'))"
done
