#!/usr/bin/env python3
"""Measure `kooste convert` on Quarto's own documentation.

Runs kooste on every `*.qmd` under DOCS_DIR (the `docs/` folder of a copy of
quarto-web) and reports, per file and in total:

  converts   `kooste convert FILE` exits 0 (warnings allowed).
  compiles   `kooste convert FILE --pdf OUT.pdf` exits 0.  Only tried when the
             file converts: a file that does not convert cannot compile.
  agrees     the text of kooste's PDF reads as Pandoc reads the file (below).
             Only measured for files that compile.
  silent     Markdown/Quarto syntax that kooste printed as text without a
             warning about it (below).  Only measured for files that compile.

Agreement with Pandoc.  Pandoc's reading is `pandoc -f markdown -t plain
--wrap=none -s` of the file with its `{{< include >}}` lines spliced in, as
Quarto splices them before Pandoc reads the text (with `-s` the front matter's title is printed, as Quarto
prints it; shortcodes `{{< ... >}}` stay as Pandoc leaves them).  kooste's
reading is `pdftotext -raw -enc UTF-8` of its PDF (`-raw`: without it
pdftotext joins "page-" and "layout" at a line end into "pagelayout").  Both texts are normalised
(Unicode NFKC, so ligatures split; lower case; soft hyphens removed;
typographic quotes and dashes made ASCII) and cut into words (runs of `\\w`
characters; punctuation, markup leftovers and layout do not count).  The
two word multisets are compared:

  recall     share of Pandoc's words that kooste's PDF has too
  precision  share of kooste's words that Pandoc's text has too
  dice       2 * common / (pandoc words + kooste words), their harmonic mean

A file agrees when dice >= 0.90 (AGREE_AT).  Word multisets ignore order,
which makes the measure fast on long files and blind to reordering; it is
meant to catch text lost, duplicated or added, not layout.

`kooste convert` prints a file's YAML front matter as body text, so the
figures are given a second time for the body alone (`dice_body`, "agrees
ignoring front matter"): Pandoc's reading without `-s` (no title) against
kooste's words less the words of the front matter's YAML text (approximate:
a front-matter word that kooste does not print, such as a link's URL, takes
away one occurrence of the same word in the body).  The file is
flagged `front_matter_printed` when the first front-matter key (`title:`)
shows in the first lines of the PDF text.

Silent syntax.  For each marker `{{<`, `:::`, `$$` and `{=` (an inline raw
attribute, `` `<b>`{=html} ``) the PDF text's count is compared with the
count the text should have: for `:::` Pandoc's plain text (what Pandoc
prints literally, Quarto does too); for the others only the text of
Pandoc's code blocks and inline code (`-t json`), since Quarto expands
shortcodes, typesets maths and drops or passes on raw content in prose.  A
fifth marker, ```` ```{= ````, counts raw blocks (```` ```{=html} ````) that
kooste printed as code: `#raw(block: true, lang: "=...` in the Typst that
`kooste convert` prints (Quarto passes ```` ```{=typst} ```` on and drops the
others; kooste passes `{=typst}` on).  A surplus is a *leak*.  A leak is
*silent* when kooste printed no warning about that kind of syntax for the
file (a warning mentioning "fenced div" for `:::`, "shortcode" for `{{<`,
"math" for `$$`, "{=" or "raw block/inline/attribute" for the raw
markers; "raw HTML" warnings do not count); it is *silent (strict)* when
kooste printed no warning at all for the file.

Failure categories group the first error of each file that does not convert
(stage `convert`) or does not compile (stage `compile`), with the variable
parts normalised (`{{< meta x >}}` becomes `{{< meta … >}}`, numbers `N`).
Crashes (a panic, or an exit status other than 0 and 1) and timeouts are
categories of their own.  Beside the count of files whose first error it is,
each category shows how many failing files have that error anywhere ("has
it") and for how many it is the only kind of error ("only kind": the files
that would pass were it fixed).  Warnings are counted from `kooste convert`'s
output (printed even when the file has errors) with every `...` part
normalised, plus the commonest values of the first one.

Run on a copy of quarto-web's docs (Quarto's documentation has its own
licence: keep it out of this repository):

    git clone --depth 1 https://github.com/quarto-dev/quarto-web /tmp/quarto-web
    python3 scripts/quarto-docs.py /tmp/quarto-web/docs \\
        --kooste target/release/kooste --jobs 2 --json /tmp/quarto-docs.json

Needs pandoc and pdftotext (poppler-utils) on PATH; Python 3 stdlib only.
`--limit N` takes N files spread evenly over the sorted list, for a quick
try.  Per file, each command gets TIMEOUT seconds (default 60).
"""

import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

AGREE_AT = 0.90
MARKERS = ("{{<", ":::", "$$", "{=", "```{=")
# Which warnings speak about a marker's kind of syntax.
MARKER_WARNINGS = {
    "{{<": re.compile(r"shortcode"), ":::": re.compile(r"fenced div"), "$$": re.compile(r"math"),
    "{=": re.compile(r"\{=|raw (?:block|inline|attribute)"),
    "```{=": re.compile(r"\{=|raw (?:block|inline|attribute)"),
}
# A grid table is printed as text, whatever syntax its cells hold: its
# warning covers every marker.
GRID_TABLE_WARNING = re.compile(r"grid table")
# A raw block (```{=html}) that kooste printed as code, in its Typst.
RAW_BLOCK_AS_CODE = re.compile(r'#raw\(block: true, lang: "=')
# A `--diagnostic-format short` line: `path:line:col: severity: message`.
DIAGNOSTIC = re.compile(r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): (?P<severity>warning|error): (?P<message>.*)$")
TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ",
})


# ---------------------------------------------------------------- processes

def run(cmd, timeout, cwd=None, stdin=None):
    """Runs `cmd`; returns (exit status or None on timeout, stdout, stderr)."""
    try:
        done = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        return None, err.stdout or b"", err.stderr or b""
    return done.returncode, done.stdout, done.stderr


def decode(data):
    return data.decode("utf-8", errors="replace")


def parse_diagnostics(stderr):
    """The short-format diagnostics in `stderr`, and the lines that are not."""
    diags, other = [], []
    for line in stderr.splitlines():
        m = DIAGNOSTIC.match(line)
        if m:
            diags.append({"line": int(m["line"]), "severity": m["severity"], "message": m["message"]})
        elif line.strip():
            other.append(line)
    return diags, other


def kooste_step(kooste, path, timeout, pdf=None):
    """One `kooste convert` run (to a PDF when `pdf` is given), summarised."""
    cmd = [kooste, "convert", str(path), "--diagnostic-format", "short"]
    if pdf:
        cmd += ["--pdf", str(pdf)]
    start = time.monotonic()
    rc, out, err = run(cmd, timeout, cwd=path.parent)
    diags, other = parse_diagnostics(decode(err))
    return {
        "raw_blocks_as_code": len(RAW_BLOCK_AS_CODE.findall(decode(out))),
        "rc": rc,
        "seconds": round(time.monotonic() - start, 3),
        "diagnostics": diags,
        "other_stderr": other[:20],
        "crashed": rc not in (0, 1, None) or any("panicked at" in line for line in other),
        "timed_out": rc is None,
    }


def pdf_text(pdf, timeout):
    rc, out, _ = run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], timeout)
    return decode(out) if rc == 0 else None


INCLUDE = re.compile(r"^\s*\{\{<\s*include\s+['\"]?([^'\"\s>]+)['\"]?\s*>\}\}\s*$")


def quarto_source(path, seen=()):
    """The text Quarto hands to Pandoc for `path`: its `{{< include >}}`
    lines (each alone on its line) replaced by the files they name, relative
    to the including file or, with a leading `/`, to the Quarto project's
    root (`_quarto.yml`); a missing or cyclic include stays as written."""
    text = path.read_text(encoding="utf-8", errors="replace")
    root = next((d for d in path.parents if (d / "_quarto.yml").is_file()), path.parent)
    out = []
    for line in text.splitlines(keepends=True):
        match = INCLUDE.match(line)
        target = None
        if match:
            name = match.group(1)
            target = (root / name.lstrip("/")) if name.startswith("/") else (path.parent / name)
        if target and target.is_file() and target.resolve() not in seen:
            included = quarto_source(target, seen + (path.resolve(),))
            # An included file's own front matter is not text.
            included = re.sub(r"\A---\n.*?\n(---|\.\.\.)\n", "", included, flags=re.S)
            out.append(included if included.endswith("\n") else included + "\n")
        else:
            out.append(line)
    return "".join(out)


def pandoc_plain(path, timeout, standalone=True):
    """Pandoc's plain text of `path` (includes spliced in, as Quarto does),
    with the title when `standalone`."""
    cmd = ["pandoc", "-f", "markdown", "-t", "plain", "--wrap=none"] + (["-s"] if standalone else [])
    rc, out, _ = run(cmd, timeout, cwd=path.parent, stdin=quarto_source(path).encode("utf-8"))
    return decode(out) if rc == 0 else None


def pandoc_code(path, timeout):
    """The text of every code block and inline code as Pandoc reads `path`."""
    source = quarto_source(path).encode("utf-8")
    rc, out, _ = run(["pandoc", "-f", "markdown", "-t", "json"], timeout, cwd=path.parent, stdin=source)
    if rc != 0:
        return None
    pieces = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") in ("Code", "CodeBlock"):
                pieces.append(node["c"][1])
            else:
                walk(node.get("c"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(out)["blocks"])
    return "\n".join(pieces)


# ---------------------------------------------------------------- comparison

def words(text):
    """The multiset of normalised words in `text`."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u00ad", "").translate(TYPOGRAPHY)
    return collections.Counter(re.findall(r"\w+", text))


def compare(pandoc, kooste):
    """recall, precision and dice of two word multisets."""
    common = sum((pandoc & kooste).values())
    p, k = sum(pandoc.values()), sum(kooste.values())
    return {
        "pandoc_words": p,
        "kooste_words": k,
        "recall": round(common / p, 4) if p else 1.0,
        "precision": round(common / k, 4) if k else 1.0,
        "dice": round(2 * common / (p + k), 4) if p + k else 1.0,
    }


def front_matter(source):
    """The YAML front matter block of `source` (without its fences), or None."""
    m = re.match(r"\A---[ \t]*\r?\n(.*?\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", source, re.S)
    return m[1] if m else None


def front_matter_printed(yaml, text):
    """Whether the front matter's first key shows at the top of `text`."""
    key = re.search(r"(?m)^([A-Za-z][\w-]*)[ \t]*:", yaml or "")
    if not key:
        return False
    head = "\n".join(text.splitlines()[:40])
    return re.search(r"(?m)^\W*" + re.escape(key[1]) + r"[ \t]*:", head) is not None


def leaks(text, plain, code, raw_blocks_as_code):
    """Per marker, how many more times kooste's output has it than it should."""
    expected = {m: code.count(m) for m in MARKERS}
    expected[":::"] = plain.count(":::")
    found = {m: text.count(m) for m in MARKERS}
    found["```{="], expected["```{="] = raw_blocks_as_code, 0
    return {m: found[m] - expected[m] for m in MARKERS if found[m] > expected[m]}


def measure_text(path, source, pdf, timeout, warnings, raw_blocks_as_code):
    """The comparison of kooste's PDF of `path` with Pandoc's reading."""
    text = pdf_text(pdf, timeout)
    plain = pandoc_plain(path, timeout)
    body = pandoc_plain(path, timeout, standalone=False)
    code = pandoc_code(path, timeout)
    if text is None or plain is None or body is None or code is None:
        return {"error": "pdftotext failed" if text is None else "pandoc failed"}
    yaml = front_matter(source)
    kooste_words, pandoc_words = words(text), words(plain)
    result = compare(pandoc_words, kooste_words)
    result["agrees"] = result["dice"] >= AGREE_AT
    front = words(yaml or "")
    result["dice_body"] = compare(words(body), kooste_words - front)["dice"]
    result["agrees_body"] = result["dice_body"] >= AGREE_AT
    result["front_matter_printed"] = front_matter_printed(yaml, text)
    leaked = leaks(text, plain, code, raw_blocks_as_code)
    result["leaks"] = leaked
    result["silent"] = sorted(
        m for m in leaked if not any(MARKER_WARNINGS[m].search(w) or GRID_TABLE_WARNING.search(w) for w in warnings)
    )
    result["silent_strict"] = bool(leaked) and not warnings
    return result


# ---------------------------------------------------------------- one file

def first_error(step):
    """The failure category of a kooste step that did not exit 0."""
    if step["timed_out"]:
        return "timeout"
    if step["crashed"]:
        panic = next((line for line in step["other_stderr"] if "panicked at" in line), None)
        return f"crash (exit {step['rc']})" + (f": {panic}" if panic else "")
    error = next((d["message"] for d in step["diagnostics"] if d["severity"] == "error"), None)
    if error is None:
        extra = step["other_stderr"][0] if step["other_stderr"] else "no diagnostic"
        return f"exit {step['rc']}: {extra}"
    return error


def measure(kooste, path, root, tmp, timeout):
    """Every measure of one file, as a JSON-able dict."""
    result = {"file": str(path.relative_to(root))}
    source = path.read_text(encoding="utf-8", errors="replace")
    conv = kooste_step(kooste, path, timeout)
    result["convert"] = conv
    result["converts"] = conv["rc"] == 0
    warnings = [d["message"] for d in conv["diagnostics"] if d["severity"] == "warning"]
    result["compiles"] = False
    if not result["converts"]:
        result["failure"] = {"stage": "convert", "message": first_error(conv)}
        return result
    pdf = Path(tmp) / (re.sub(r"\W", "_", result["file"]) + ".pdf")
    comp = kooste_step(kooste, path, timeout, pdf=pdf)
    result["pdf"] = {k: comp[k] for k in ("rc", "seconds", "other_stderr", "crashed", "timed_out")}
    result["pdf"]["errors"] = [d for d in comp["diagnostics"] if d["severity"] == "error"]
    result["compiles"] = comp["rc"] == 0 and pdf.is_file()
    if not result["compiles"]:
        result["failure"] = {"stage": "compile", "message": first_error(comp)}
        return result
    result["text"] = measure_text(path, source, pdf, timeout, warnings, conv["raw_blocks_as_code"])
    pdf.unlink()
    return result


# ---------------------------------------------------------------- summary

def normalise_error(message):
    """A failure message with its variable parts replaced."""
    message = re.sub(r"\{\{<\s*([\w.-]+)[^`]*?>\}\}", r"{{< \1 … >}}", message)
    message = re.sub(r"`([^`]{41,})`", "`…`", message)
    message = re.sub(r'"[^"]*"', '"…"', message)
    return re.sub(r"\d+", "N", message)


def normalise_warning(message):
    """A warning with every `...` part and number replaced, and its first `...` part."""
    first = re.search(r"`([^`]*)`", message)
    return re.sub(r"\d+", "N", re.sub(r"`[^`]*`", "`…`", message)), (first[1] if first else None)


def percent(n, total):
    return f"{n:4d}  ({100 * n / total:5.1f} %)" if total else f"{n:4d}"


def summary(results, seconds):
    """The report printed at the end, as lines."""
    total = len(results)
    converts = [r for r in results if r["converts"]]
    compiles = [r for r in results if r["compiles"]]
    measured = [r for r in compiles if "error" not in r["text"]]
    t = [r["text"] for r in measured]
    out = [
        f"files                      {total:4d}   ({seconds:.0f} s)",
        f"converts                   {percent(len(converts), total)}",
        f"compiles                   {percent(len(compiles), total)}   ({len(compiles)} of {len(converts)} converting)",
        f"compared with Pandoc       {percent(len(measured), total)}",
        f"agrees with Pandoc         {percent(sum(x['agrees'] for x in t), total)}   "
        f"({sum(x['agrees'] for x in t)} of {len(measured)} compared; dice >= {AGREE_AT})",
        f"  ignoring front matter    {percent(sum(x['agrees_body'] for x in t), total)}",
        f"front matter printed       {percent(sum(x['front_matter_printed'] for x in t), total)}",
        f"syntax leaks               {percent(sum(bool(x['leaks']) for x in t), total)}   "
        + ", ".join(f"{m} {sum(m in x['leaks'] for x in t)}" for m in MARKERS),
        f"silent (no related warning){percent(sum(bool(x['silent']) for x in t), total)}   "
        + ", ".join(f"{m} {sum(m in x['silent'] for x in t)}" for m in MARKERS),
        f"silent (no warning at all) {percent(sum(x['silent_strict'] for x in t), total)}",
        f"crashes                    {sum(r['convert']['crashed'] or r.get('pdf', {}).get('crashed', False) for r in results):4d}",
        f"timeouts                   {sum(r['convert']['timed_out'] or r.get('pdf', {}).get('timed_out', False) for r in results):4d}",
    ]
    if measured:
        mean = lambda key: sum(x[key] for x in t) / len(t)
        out.append(f"mean over compared files:  recall {mean('recall'):.3f}  precision {mean('precision'):.3f}  "
                   f"dice {mean('dice'):.3f}  dice ignoring front matter {mean('dice_body'):.3f}")
    out += ["", "Failure categories (first error of each failing file):"]
    out += failure_lines(results)
    out += ["", "Commonest warnings (occurrences, files, commonest values):"]
    out += warning_lines(results)
    out += ["", f"Least agreement with Pandoc (dice ignoring front matter < {AGREE_AT}):"]
    for r in sorted(measured, key=lambda r: r["text"]["dice_body"])[:15]:
        x = r["text"]
        if x["dice_body"] >= AGREE_AT:
            break
        out.append(f"  body {x['dice_body']:.3f}  (whole: dice {x['dice']:.3f}, recall {x['recall']:.3f}, "
                   f"precision {x['precision']:.3f})  {r['file']}")
    silent = [r for r in measured if r["text"]["silent"]]
    if silent:
        out += ["", "Silent syntax (marker: surplus):"]
        out += [f"  {r['file']}: " + ", ".join(f"{m} {r['text']['leaks'][m]}" for m in r["text"]["silent"])
                for r in silent]
    odd = [r for r in results if r["convert"]["crashed"] or r["convert"]["timed_out"]
           or r.get("pdf", {}).get("crashed") or r.get("pdf", {}).get("timed_out")
           or (r["compiles"] and "error" in r["text"])]
    if odd:
        out += ["", "Crashes, timeouts, unmeasurable:"]
        out += [f"  {r['file']}: {r.get('failure', {}).get('message') or r['text'].get('error')}" for r in odd]
    return out


def error_kinds(r):
    """The normalised messages of every error of a failing file's failing step."""
    step = r["convert"]["diagnostics"] if r["failure"]["stage"] == "convert" else r["pdf"]["errors"]
    return {normalise_error(d["message"]) for d in step if d["severity"] == "error"}


def failure_lines(results):
    """Failing files grouped by first error; with, per group, how many failing
    files have that error anywhere and for how many it is the only kind."""
    groups, anywhere, only = collections.defaultdict(list), collections.Counter(), collections.Counter()
    for r in results:
        if "failure" in r:
            f = r["failure"]
            groups[(f["stage"], normalise_error(f["message"]))].append(r["file"])
            kinds = error_kinds(r)
            anywhere.update(kinds)
            if len(kinds) == 1:
                only.update(kinds)
    lines = ["  first  has it  only kind  stage    message"]
    for (stage, message), files in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"  {len(files):5d}  {anywhere[message]:6d}  {only[message]:9d}  {stage:7s}  {message}")
        lines.append(f"{'':27s}e.g. {', '.join(files[:2])}")
    rest = sorted((m for m in anywhere if not any(m == key[1] for key in groups)), key=lambda m: -anywhere[m])
    for message in rest:
        lines.append(f"  {0:5d}  {anywhere[message]:6d}  {only[message]:9d}  {'':7s}  {message}")
    return lines


def warning_lines(results, top=25):
    count, files, values = collections.Counter(), collections.defaultdict(set), collections.defaultdict(collections.Counter)
    for r in results:
        for d in r["convert"]["diagnostics"]:
            if d["severity"] == "warning":
                key, value = normalise_warning(d["message"])
                count[key] += 1
                files[key].add(r["file"])
                if value is not None:
                    values[key][value] += 1
    lines = []
    for key, n in count.most_common(top):
        common = ", ".join(f"{v} {c}" for v, c in values[key].most_common(4))
        lines.append(f"  {n:5d} {len(files[key]):4d}  {key}")
        if common:
            lines.append(f"                  {common}")
    return lines


# ---------------------------------------------------------------- main

def pick(files, limit):
    """`limit` files spread evenly over `files` (all when no limit)."""
    if not limit or limit >= len(files):
        return files
    return [files[i * len(files) // limit] for i in range(limit)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs_dir", type=Path, help="the docs/ folder of a copy of quarto-web")
    parser.add_argument("--kooste", default="target/release/kooste", help="the kooste binary")
    parser.add_argument("--jobs", type=int, default=2, help="files measured at once (default 2)")
    parser.add_argument("--json", type=Path, help="write per-file results here")
    parser.add_argument("--limit", type=int, help="measure only N files, spread over the list")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per command (default 60)")
    args = parser.parse_args()

    root = args.docs_dir.resolve()
    kooste = str(Path(args.kooste).resolve())
    files = pick(sorted(root.rglob("*.qmd")), args.limit)
    if not files:
        sys.exit(f"no .qmd files under {root}")
    start = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="quarto-docs-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(measure, kooste, f, root, tmp, args.timeout) for f in files]
        for n, future in enumerate(concurrent.futures.as_completed(futures), 1):
            r = future.result()
            results.append(r)
            status = ("agrees" if r["text"].get("agrees_body") else "differs") if r["compiles"] \
                else r["failure"]["stage"] + " fails"
            print(f"[{n}/{len(files)}] {r['file']}: {status}", file=sys.stderr, flush=True)
    seconds = time.monotonic() - start
    results.sort(key=lambda r: r["file"])
    print("\n".join(summary(results, seconds)))
    if args.json:
        args.json.write_text(json.dumps({"seconds": round(seconds, 1), "files": results}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
