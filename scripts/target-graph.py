#!/usr/bin/env python3
"""The target graph: Package.swift against docs/development.md and against the imports.

Usage: scripts/target-graph.py [--write]

Checks, and exits 1 on any failure:
  1. the mermaid graph in docs/development.md is exactly the direct dependencies between
     the package's own targets, as Package.swift declares them (`--write` rewrites it);
  2. every source target imports each package target it depends on (an edge nobody uses is
     a dependency taken only in passing) and depends on every package target it imports;
     likewise for the products of dependencies (Yams, Hummingbird, …): a module imported but
     reached only through another target is a dependency nobody declared;
  3. the graph has no cycle.
Test targets and the test-support target are left out of the drawing but checked too.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DOC = os.path.join(ROOT, "docs", "development.md")
BEGIN = "```mermaid\n"


def package():
    env = dict(os.environ, CTLMON_FUZZ="1")  # the fuzz target too
    out = subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def deps_of(target):
    out = []
    for d in target.get("dependencies", []):
        for kind in ("byName", "target"):
            if kind in d:
                out.append(d[kind][0])
    return out


def products_of(target):
    return [d["product"][0] for d in target.get("dependencies", []) if "product" in d]


def imports(folder):
    found = set()
    for base, _, files in os.walk(folder):
        for f in files:
            if f.endswith(".swift"):
                for line in open(os.path.join(base, f), encoding="utf-8"):
                    m = re.match(r"^\s*(?:@testable\s+|@preconcurrency\s+)?(?:public\s+|internal\s+|package\s+|private\s+)?import\s+(\w+)", line)
                    if m:
                        found.add(m.group(1))
    return found


def main():
    pkg = package()
    targets = {t["name"]: t for t in pkg["targets"]}
    own = set(targets)
    failures = []
    graph = {n: [d for d in deps_of(t) if d in own] for n, t in targets.items()}
    products = {n: set(products_of(t)) for n, t in targets.items()}
    # Module names of the products (a product's module has its name, for the ones used here).
    every_product = set().union(*products.values())

    # 3. no cycle
    state = {}

    def visit(n, path):
        if state.get(n) == 1:
            failures.append("cycle: " + " -> ".join(path + [n]))
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in graph[n]:
            visit(d, path + [n])
        state[n] = 2

    for n in graph:
        visit(n, [])

    # 2. declared = imported, for Swift targets with sources
    for n, t in targets.items():
        if t["type"] == "system":
            continue
        base = "Tests" if t["type"] == "test" else "Sources"
        folder = os.path.join(ROOT, t.get("path") or os.path.join(base, n))
        if not os.path.isdir(folder):
            continue
        used = imports(folder)
        if not any(f.endswith(".swift") for _, _, fs in os.walk(folder) for f in fs):
            continue
        for d in graph[n]:
            # A test target depends on an executable to have it built, not to import it.
            if d not in used and targets[d]["type"] != "executable":
                failures.append("%s depends on %s but never imports it" % (n, d))
        for m in sorted(used & own):
            if m not in graph[n] and m != n:
                failures.append("%s imports %s without depending on it" % (n, m))
        for m in sorted(used & every_product):
            if m not in products[n]:
                failures.append("%s imports %s without depending on its product" % (n, m))
        for m in sorted(products[n]):
            if m not in used:
                failures.append("%s depends on the product %s but never imports it" % (n, m))

    # 1. the drawing
    drawn = [n for n, t in targets.items() if t["type"] != "test" and n != "CtlmonTestSupport"]
    lines = ["graph BT"]
    for n in drawn:
        ds = [d for d in graph[n] if d in drawn]
        if ds:
            lines.append("  %s --> %s" % (n, " & ".join(ds)))
    mermaid = BEGIN + "\n".join(lines) + "\n```\n"
    doc = open(DOC, encoding="utf-8").read()
    i = doc.find(BEGIN)
    j = doc.find("```\n", i + len(BEGIN)) + 4 if i >= 0 else -1
    if "--write" in sys.argv:
        doc = doc[:i] + mermaid + doc[j:] if i >= 0 else doc + "\n" + mermaid
        open(DOC, "w", encoding="utf-8").write(doc)
    elif i < 0 or doc[i:j] != mermaid:
        failures.append("docs/development.md: the target graph differs from Package.swift (scripts/target-graph.py --write redraws it)")

    for f in failures:
        print("target graph: " + f, file=sys.stderr)
    if not failures:
        print("target graph: %d targets, %d edges; drawing, imports and dependencies agree" % (len(targets), sum(map(len, graph.values()))))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
