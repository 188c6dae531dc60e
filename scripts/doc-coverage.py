#!/usr/bin/env python3
"""Doc-comment coverage of every target's public and package declarations.

Usage: scripts/doc-coverage.py [--min PERCENT] [--list TARGET]

A declaration counts when it is written `public` or `package` (types, functions,
initialisers, properties, subscripts, type aliases) in Sources/<target>/. It is documented
when a `///` comment (or a `/** */` block) stands right above it or above the attributes
written before it. Witnesses of standard protocol requirements whose meaning the protocol
documents (`description`, `==`, `<`, `hash(into:)`, `Collection`'s `startIndex`/`endIndex`/
positional subscript, `next()`, `SampleConsumer.consume`, swift-log's handler members, a
`Service`'s `run()`) inherit that documentation, as DocC shows them, and are left out of the
count; they are recognised by their signature, never by name alone.

Prints one line per target (documented / declarations, percent) and, with --list, the
undocumented declarations of one target. Exit 1 when a target is below --min (default 90).
"""
import argparse
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCES = os.path.join(ROOT, "Sources")

DECL = re.compile(
    r"^\s*(?:@[\w.]+(?:\([^)]*\))?\s+)*"
    r"(?:(?:nonisolated(?:\(unsafe\))?|final|static|class|mutating|nonmutating|override|convenience|required|indirect|lazy|consuming|borrowing|dynamic)\s+)*"
    r"(public|package)(?:\(set\))?\s+"
    r"(?:(?:nonisolated(?:\(unsafe\))?|final|static|class|mutating|nonmutating|override|convenience|required|indirect|lazy|consuming|borrowing|dynamic|private\(set\)|package\(set\)|internal\(set\))\s+)*"
    r"(struct|enum|class|actor|protocol|func|init|var|let|subscript|typealias|extension)\b[\s(<?!]*([\w`]*|==|<|[^\s(]+)"
)

# Witnesses of standard protocol requirements: their documentation is the protocol's. Matched
# by signature, not by name alone, so that a member merely named `count` or `run` is counted.
INHERITED = [
    r"var description: String",
    r"var debugDescription: String",
    r"static func == \(",
    r"static func < \(",
    r"func hash\(into hasher: inout Hasher\)",
    r"var startIndex: Int",
    r"var endIndex: Int",
    r"subscript\((?:position|i|index|_ \w+): Int\) -> ",
    r"func makeIterator\(\)",
    r"mutating func next\(\) -> ",
    r"func consume\(_ \w+: SampleView\)",
    r"func log\(event: LogEvent\)",
    r"subscript\(metadataKey key: String\)",
    r"var metadata: Logger\.Metadata",
    r"var logLevel: Logger\.Level",
    r"func run\(\) async throws",
]


def documented(lines, i):
    """Whether the declaration at lines[i] has a doc comment above it (attributes skipped)."""
    j = i - 1
    while j >= 0:
        s = lines[j].strip()
        if s.startswith("@") and not s.startswith("@Test"):
            j -= 1
            continue
        if s.startswith("#if") or s.startswith("#endif") or s.startswith("#else"):
            j -= 1
            continue
        if s.startswith("///"):
            return True
        if s.endswith("*/"):
            # A /** … */ block: its opening line must be a doc comment.
            k = j
            while k >= 0 and "/*" not in lines[k]:
                k -= 1
            return k >= 0 and "/**" in lines[k]
        return False
    return False


def scan(target):
    total = 0
    missing = []
    folder = os.path.join(SOURCES, target)
    for base, _, files in os.walk(folder):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(base, name)
            lines = open(path, encoding="utf-8").read().split("\n")
            for i, line in enumerate(lines):
                m = DECL.match(line)
                if not m:
                    continue
                kind = m.group(2)
                if kind == "extension":
                    continue  # an extension is not a declaration of its own
                if any(re.search(pattern, line) for pattern in INHERITED):
                    continue
                total += 1
                if not documented(lines, i):
                    missing.append("%s:%d: %s" % (os.path.relpath(path, ROOT), i + 1, line.strip()[:120]))
    return total, missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min", type=float, default=90.0)
    ap.add_argument("--list", metavar="TARGET")
    args = ap.parse_args()
    targets = sorted(t for t in os.listdir(SOURCES)
                     if os.path.isdir(os.path.join(SOURCES, t)) and any(f.endswith(".swift") for _, _, fs in os.walk(os.path.join(SOURCES, t)) for f in fs))
    failed = False
    print("%-20s %8s %6s" % ("target", "doc/all", "%"))
    for t in targets:
        total, missing = scan(t)
        if total == 0:
            print("%-20s %8s %6s" % (t, "0/0", "-"))
            continue
        pct = 100.0 * (total - len(missing)) / total
        flag = "" if pct >= args.min else "  below %.0f %%" % args.min
        failed |= pct < args.min
        print("%-20s %8s %6.1f%s" % (t, "%d/%d" % (total - len(missing), total), pct, flag))
        if args.list == t:
            for m in missing:
                print("    " + m)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
