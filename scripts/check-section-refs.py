#!/usr/bin/env python3
"""List section references in the report's prose that name no existing section.

Finnish prose refers to sections as "luku 7", "luvussa 7", "luvut 6 ja 7",
"kohta 6.3", "kohdassa 6.3", "kohdat 8.1–8.3" and so on.  This script finds
every such reference and checks that the number is a heading of the report.

Two sources of truth:

  --pdf report.pdf   (default: out/report.pdf) the built
                     report; headings are read from its table of contents
                     and references from its text (needs pdftotext).
  --text report.txt  the same, from text already extracted with pdftotext
                     -layout.

Exit status 0 when every reference resolves, 1 when some do not (each is
listed as "page N: 'context'"), 2 on a usage error.
"""

import argparse
import re
import subprocess
import sys

# A chapter or section number: 7, 6.3, 4.2.1 (no trailing dot).
NUM = r"\d+(?:\.\d+)*"
# Nouns for chapters and sections in their inflected forms.
NOUN = (
    r"\b(?:luku|luvun|luvussa|luvusta|lukuun|luvuissa|luvut|lukujen|luvuista|lukuihin"
    r"|kohta|kohdan|kohdassa|kohdasta|kohtaan|kohdat|kohtien|kohdissa|kohdista|kohtiin"
    r"|liite|liitteen|liitteessä|liitteestä|liitteeseen)\b"
)
# A noun, then one number or a list/range of numbers: "kohdat 8.1–8.3 ja 8.5".
REF = re.compile(
    NOUN + r"\s+(" + NUM + r"(?:\s*(?:[–-]|,|ja|sekä|tai)\s*" + NUM + r")*)",
    re.IGNORECASE,
)
# A contents line: "6.3 Mallien vertailu . . . . 54" (dot leaders; the page
# number may be missing from pdftotext's layout output).
TOC_LINE = re.compile(r"^\s*(" + NUM + r")\s+\S.*?(?:(?:\s?\.){3,}.*|\s\d+\s*)$")


def pdf_text(path):
    try:
        return subprocess.run(
            ["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True
        ).stdout
    except FileNotFoundError:
        sys.exit("check-section-refs: pdftotext not found (apt-get install poppler-utils)")
    except subprocess.CalledProcessError as e:
        sys.exit(f"check-section-refs: pdftotext failed on {path}: {e.stderr.strip()}")


def headings(pages):
    """Section numbers listed in the table of contents (the pages headed
    'Sisällys'), plus every chapter number that has a section."""
    found = set()
    in_toc = False
    for page in pages:
        lines = [m.group(1) for m in map(TOC_LINE.match, page.splitlines()) if m]
        if re.search(r"^\s*Sisällys\s*$", page, re.MULTILINE):
            in_toc = True
        elif in_toc and not lines:
            in_toc = False  # the contents end at the first page without entries
        if in_toc:
            found.update(lines)
    for n in list(found):
        parts = n.split(".")
        for i in range(1, len(parts)):
            found.add(".".join(parts[:i]))
    return found


def expand(numbers):
    """'8.1–8.3 ja 8.5' -> ['8.1', '8.2', '8.3', '8.5'] ('6–8' likewise)."""
    out = []
    tokens = re.findall(NUM + r"|[–-]", numbers)
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if i + 2 < len(tokens) and tokens[i + 1] in "–-":
            a, b = t.split("."), tokens[i + 2].split(".")
            if len(a) == len(b) and a[:-1] == b[:-1] and int(a[-1]) <= int(b[-1]):
                out += [".".join(a[:-1] + [str(k)]) for k in range(int(a[-1]), int(b[-1]) + 1)]
            else:
                out += [t, tokens[i + 2]]
            i += 3
        else:
            if t not in "–-":
                out.append(t)
            i += 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdf", default="out/report.pdf")
    ap.add_argument("--text", help="text of the report from pdftotext -layout")
    args = ap.parse_args()
    text = open(args.text, encoding="utf-8").read() if args.text else pdf_text(args.pdf)
    pages = text.split("\f")
    known = headings(pages)
    if not known:
        print("check-section-refs: no table of contents found", file=sys.stderr)
        return 2
    bad = []
    total = 0
    for pno, page in enumerate(pages, 1):
        # Skip the contents pages themselves.
        if re.search(r"^\s*Sisällys\s*$", page, re.MULTILINE):
            continue
        flat = re.sub(r"-\n\s*", "", page)
        flat = re.sub(r"\s+", " ", flat)
        for m in REF.finditer(flat):
            for n in expand(m.group(1)):
                total += 1
                if n not in known:
                    ctx = flat[max(0, m.start() - 40) : m.end() + 20].strip()
                    bad.append(f"page {pno}: {m.group(0)!r} names no section {n} … {ctx!r}")
    for b in bad:
        print(b)
    print(f"check-section-refs: {total} references, {len(bad)} unresolved, {len(known)} headings", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
