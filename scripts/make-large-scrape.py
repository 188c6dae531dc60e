#!/usr/bin/env python3
"""Makes a large, realistic kube-apiserver scrape for the benchmarks.

Replicates every metric family of a real scrape R times with distinct label
values (resource "pods" becomes "pods-r1", "pods-r2", ...), as a cluster with
many more resources, webhooks or flow schemas emits. Families stay contiguous
and each series' buckets stay together, so the output is valid Prometheus text
0.0.4 with the same structure as the input. Output is never committed.

Usage: make-large-scrape.py INPUT[.gz] SIZE_MB OUTPUT
"""
import gzip
import math
import re
import sys

PREFERRED = ("resource", "name", "group", "flow_schema", "priority_level", "type", "code")
LABEL = re.compile(rb'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def blocks(lines):
    """Groups lines into families: a run of comment lines and the samples after it."""
    block = []
    in_samples = False
    for line in lines:
        if line.startswith(b"#"):
            if in_samples:
                yield block
                block, in_samples = [], False
        else:
            in_samples = True
        block.append(line)
    if block:
        yield block


def replica(line, r):
    """The sample line with one label value made distinct for replica r (None: not replicable)."""
    brace = line.find(b"{")
    if brace < 0 or line.find(b" ") < brace:
        return None
    close = line.find(b"}", brace)
    labels = list(LABEL.finditer(line, brace, close + 1))
    names = [m.group(1) for m in labels if m.group(1) not in (b"le", b"quantile")]
    if not names:
        return None
    target = next((n for n in PREFERRED if n.encode() in names), names[0].decode()).encode()
    for m in labels:
        if m.group(1) == target:
            value = m.group(2) + b"-r%d" % r
            return line[: m.start(2)] + value + line[m.end(2):]
    return None


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, size_mb, output = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    data = read(source)
    copies = max(1, math.ceil(size_mb * 1e6 / len(data)))
    lines = data.splitlines(keepends=True)
    written = 0
    with open(output, "wb") as out:
        for block in blocks(lines):
            comments = [l for l in block if l.startswith(b"#")]
            samples = [l for l in block if not l.startswith(b"#")]
            out.writelines(comments)
            written += sum(map(len, comments))
            for r in range(copies):
                for line in samples:
                    made = line if r == 0 else replica(line, r)
                    if made is not None:
                        out.write(made)
                        written += len(made)
    print(f"{output}: {written / 1e6:.1f} MB from {copies} copies of {source}")


if __name__ == "__main__":
    main()
