#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
"""Check that the sources form one-way layers, for every component.

The graph is derived from the tree and the build, nothing is declared:

- include edges: the #include lines of every .c and .h under lib/, drivers/
  and app/ that name a header of the repository;
- call edges: for every object of a .c file there (compile_commands.json of
  a build directory), the symbols it leaves undefined ("nm") that another of
  those files defines - a call, or a reference to a function or variable.

A component is lib/NAME, app/NAME or drivers/CLASS/NAME with everything
below it. A file's layer is the header (or headers) of its own component it
includes directly that no other of those includes: its private header.
Layers are ordered by the include graph: layer B is above layer A when B's
header reaches A's and not the other way round. The check fails on

- a circle of .c files (calls), of headers (includes) or of components;
- an upward edge: a file that calls or references a file of a layer above
  its own.

Circles listed in devtools/check-layers.known are reported but do not fail
the check, as long as they do not grow; an entry that matches no circle any
more fails it, so that the list only shrinks.

usage: check-layers.py BUILDDIR [SRCDIR] [--graph] [--dot FILE]
       check-layers.py --self-test   (small trees with known verdicts)
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys

ROOTS = ('lib', 'drivers', 'app')
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def component(path):
    parts = path.split('/')
    if parts[0] == 'drivers':
        return '/'.join(parts[:3]) if len(parts) > 3 else None
    if parts[0] in ROOTS:
        return '/'.join(parts[:2]) if len(parts) > 2 else None
    return None


def tree_files(src):
    """Every .c and .h below ROOTS, relative to src."""
    out = []
    for root in ROOTS:
        for d, _, names in os.walk(os.path.join(src, root)):
            for n in names:
                if n.endswith(('.c', '.h')):
                    out.append(os.path.relpath(os.path.join(d, n), src))
    return sorted(out)


def includes(src, files):
    """file -> headers of the tree it includes (resolved by name)."""
    by_name = collections.defaultdict(list)
    for f in files:
        if f.endswith('.h'):
            by_name[os.path.basename(f)].append(f)
    edges = {}
    for f in files:
        text = open(os.path.join(src, f), errors='replace').read()
        out = set()
        for name in INCLUDE.findall(text):
            cands = by_name.get(os.path.basename(name), [])
            if not cands:
                continue
            same = [c for c in cands
                    if os.path.dirname(c) == os.path.dirname(f)]
            comp = [c for c in cands if component(c) == component(f)]
            pick = same or comp or cands
            if len(pick) > 1:
                sys.exit('check-layers: %s: "%s" names %s' %
                         (f, name, ', '.join(pick)))
            out.add(pick[0])
        edges[f] = out
    return edges


def objects(build, src):
    """source .c -> one object built from it."""
    db = os.path.join(build, 'compile_commands.json')
    try:
        entries = json.load(open(db))
    except OSError as e:
        sys.exit('check-layers: %s: %s (configure the build first)' % (db, e))
    out = {}
    for e in entries:
        f = os.path.normpath(os.path.join(e['directory'], e['file']))
        rel = os.path.relpath(f, src)
        if rel.split('/')[0] not in ROOTS or rel in out:
            continue
        obj = os.path.join(e['directory'], e['output'])
        if os.path.exists(obj):
            out[rel] = obj
    return out


def libc_names():
    """Names the C library defines: a file that defines one of them (an
    LD_PRELOAD interposer) is not what other files call."""
    cc = os.environ.get('CC', 'cc').split()[0]
    try:
        path = subprocess.run([cc, '-print-file-name=libc.so.6'],
                              capture_output=True, text=True).stdout.strip()
        r = subprocess.run(['nm', '-D', '--defined-only', path],
                           capture_output=True, text=True)
    except OSError:
        return set()
    return {line.split()[-1].split('@')[0] for line in r.stdout.splitlines()
            if line.strip()}


def calls(objs):
    """file -> files whose symbols it uses (nm)."""
    libc = libc_names()
    defs = collections.defaultdict(set)
    undef = {}
    for f, obj in objs.items():
        r = subprocess.run(['nm', obj], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit('check-layers: nm %s: %s' % (obj, r.stderr.strip()))
        u = set()
        for line in r.stdout.splitlines():
            p = line.split()
            if len(p) == 3 and p[1] in 'TDBRCGSVW':
                if p[2] not in libc:
                    defs[p[2]].add(f)
            elif len(p) == 2 and p[0] == 'U':
                u.add(p[1])
        undef[f] = u
    edges = {}
    for f, u in undef.items():
        # A name defined twice (each app's main) ties nothing together.
        edges[f] = {next(iter(defs[s])) for s in u
                    if len(defs.get(s, ())) == 1} - {f}
    return edges


def sccs(nodes, edges):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        work = [(v, iter(sorted(edges.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    for n in sorted(nodes):
        if n not in index:
            visit(n)
    return out


def closure(inc):
    """header/file -> every header it reaches."""
    memo = {}

    def reach(f, seen):
        if f in memo:
            return memo[f]
        out = set()
        for h in inc.get(f, ()):
            if h in seen:
                continue
            out.add(h)
            out |= reach(h, seen | {h})
        memo[f] = out
        return out
    return {f: reach(f, {f}) for f in inc}


def layer_headers(f, inc, reach):
    """The headers of f's own component it includes that none of the
    others reaches: its layer."""
    mine = {h for h in inc.get(f, ()) if component(h) == component(f)}
    return {h for h in mine if not any(h in reach[o] for o in mine - {h})}


def load_known(path):
    known = []
    if not os.path.exists(path):
        return known
    for line in open(path):
        line = line.split('#', 1)[0].split()
        if line:
            known.append(set(line))
    return known


# ---- self-test: small trees built here, each with a known verdict ----

SELFTEST = {
    # name: (files {path: text}, known circles, expected exit, expected text)
    'layered': ({
        'lib/x/x_low.h': '#include "x.h"\nint lo(void);\n',
        'lib/x/x_high.h': '#include "x_low.h"\nint hi(void);\n',
        'lib/x/x.h': 'int api(void);\n',
        'lib/x/lo.c': '#include "x_low.h"\nint lo(void) { return 1; }\n',
        'lib/x/hi.c': '#include "x_high.h"\nint hi(void) { return lo(); }\n',
        'app/a/main.c': '#include "x_high.h"\nint main(void) { return hi(); }\n',
    }, '', 0, 'one-way, no circle'),
    'upward': ({
        'lib/x/x_low.h': 'int lo(void);\nint hi(void);\n',
        'lib/x/x_high.h': '#include "x_low.h"\n',
        'lib/x/lo.c': '#include "x_low.h"\nint lo(void) { return hi(); }\n',
        'lib/x/hi.c': '#include "x_high.h"\nint hi(void) { return 2; }\n',
    }, '', 1, 'upward edge: lib/x/lo.c'),
    'circle': ({
        'lib/x/x.h': 'int f(int);\nint g(int);\n',
        'lib/x/f.c': '#include "x.h"\nint f(int n) { return n ? g(n - 1) : 0; }\n',
        'lib/x/g.c': '#include "x.h"\nint g(int n) { return n ? f(n - 1) : 1; }\n',
    }, '', 1, 'circle of calls: lib/x/f.c -> lib/x/g.c'),
    'known': ({
        'lib/x/x.h': 'int f(int);\nint g(int);\n',
        'lib/x/f.c': '#include "x.h"\nint f(int n) { return n ? g(n - 1) : 0; }\n',
        'lib/x/g.c': '#include "x.h"\nint g(int n) { return n ? f(n - 1) : 1; }\n',
    }, 'lib/x/f.c lib/x/g.c\n', 0, 'known circle'),
    'stale': ({
        'lib/x/x.h': 'int f(int);\n',
        'lib/x/f.c': '#include "x.h"\nint f(int n) { return n; }\n',
    }, 'lib/x/f.c lib/x/g.c\n', 1, 'is gone, remove it'),
    'components': ({
        'lib/x/x.h': 'int f(void);\n',
        'lib/y/y.h': 'int g(void);\n',
        'lib/x/f.c': '#include "x.h"\n#include "y.h"\nint f(void) { return g(); }\n',
        'lib/y/g.c': '#include "y.h"\n#include "x.h"\nint g(void) { return 3; }\n',
    }, '', 1, 'circle of components: lib/x -> lib/y'),
}


def self_test():
    import shutil
    import tempfile
    failed = 0
    cc = os.environ.get('CC', 'cc').split()[0]
    for name, (tree, known, want_rc, want_text) in sorted(SELFTEST.items()):
        top = tempfile.mkdtemp(prefix='check-layers-')
        try:
            db = []
            for path, text in tree.items():
                full = os.path.join(top, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                open(full, 'w').write(text)
            os.makedirs(os.path.join(top, 'devtools'))
            open(os.path.join(top, 'devtools', 'check-layers.known'),
                 'w').write(known)
            build = os.path.join(top, 'build')
            os.makedirs(build)
            for path in tree:
                if not path.endswith('.c'):
                    continue
                obj = path.replace('/', '_') + '.o'
                subprocess.run([cc, '-c', '-o', os.path.join(build, obj),
                                '-I', os.path.join(top, os.path.dirname(path)),
                                os.path.join(top, path)] +
                               ['-I' + os.path.join(top, os.path.dirname(p))
                                for p in tree], check=True)
                db.append({'directory': build, 'file': '../' + path,
                           'output': obj})
            json.dump(db, open(os.path.join(build, 'compile_commands.json'),
                               'w'))
            r = subprocess.run([sys.executable, os.path.abspath(__file__),
                                build, top], capture_output=True, text=True)
            ok = r.returncode == want_rc and want_text in r.stdout
            print('self-test %-10s %s' % (name, 'ok' if ok else 'FAILED'))
            if not ok:
                failed += 1
                print(r.stdout + r.stderr)
        finally:
            shutil.rmtree(top)
    print('self-test: %d of %d failed' % (failed, len(SELFTEST)))
    return 1 if failed else 0


def main():
    if sys.argv[1:] == ['--self-test']:
        return self_test()
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('build')
    ap.add_argument('src', nargs='?',
                    default=os.path.dirname(os.path.dirname(
                        os.path.abspath(__file__))))
    ap.add_argument('--graph', action='store_true',
                    help='print every file with its layer and edges')
    ap.add_argument('--dot', help='write the call graph as Graphviz')
    args = ap.parse_args()
    src = os.path.abspath(args.src)

    files = tree_files(src)
    inc = includes(src, files)
    reach = closure(inc)
    objs = objects(args.build, src)
    call = calls(objs)
    sources = [f for f in files if f.endswith('.c')]
    missing = [f for f in sources if f not in objs]
    failures = []
    notes = []

    # Layers.
    layer = {f: layer_headers(f, inc, reach) for f in sources}

    def above(g, f):
        """g's layer is strictly above f's."""
        lf, lg = layer[f], layer[g]
        if not lf or not lg or lf == lg:
            return False
        g_reaches_f = all(any(h == x or h in reach[x] for x in lg)
                          for h in lf)
        f_reaches_g = all(any(h == x or h in reach[x] for x in lf)
                          for h in lg)
        return g_reaches_f and not f_reaches_g

    # Inside a known circle the files have no order yet: their edges are
    # the circle's, reported with it.
    known = load_known(os.path.join(src, 'devtools', 'check-layers.known'))

    def in_known(f, g):
        return any(f in k and g in k for k in known)

    upward = []
    for f in sorted(call):
        for g in sorted(call[f]):
            if component(f) == component(g) and above(g, f) and \
               not in_known(f, g):
                upward.append((f, g))
    for f, g in upward:
        failures.append('upward edge: %s (%s) uses %s (%s)' %
                        (f, ' '.join(sorted(layer[f])), g,
                         ' '.join(sorted(layer[g]))))

    # Circles.
    used = [False] * len(known)
    for c in sccs(set(call), call):
        hit = [i for i, k in enumerate(known) if set(c) <= k]
        if hit:
            used[hit[0]] = True
            notes.append('known circle (%d files, devtools/check-layers.'
                         'known): %s' % (len(c), ' '.join(c)))
            if set(c) != known[hit[0]]:
                notes.append('  it shrank: narrow its entry to these files')
        else:
            failures.append('circle of calls: %s' % ' -> '.join(c))
    for i, k in enumerate(known):
        if not used[i]:
            failures.append('devtools/check-layers.known lists a circle that '
                            'is gone, remove it: %s' % ' '.join(sorted(k)))
    headers = [f for f in files if f.endswith('.h')]
    for c in sccs(set(headers), {h: inc[h] for h in headers}):
        failures.append('circle of includes: %s' % ' -> '.join(c))
    comp_edges = collections.defaultdict(set)
    for f in files:
        for g in set(inc.get(f, ())) | set(call.get(f, ())):
            a, b = component(f), component(g)
            if a and b and a != b:
                comp_edges[a].add(b)
    comps = sorted({component(f) for f in files if component(f)})
    for c in sccs(set(comps), comp_edges):
        failures.append('circle of components: %s' % ' -> '.join(c))

    # Report: layers bottom up (the longest include path below a header).
    memo = {}

    def height(h):
        if h not in memo:
            memo[h] = 0
            below = [g for g in inc.get(h, ()) if component(g) == component(h)]
            memo[h] = 1 + max([height(g) for g in below] or [-1])
        return memo[h]

    for comp in comps:
        mine = [f for f in sources if component(f) == comp and f in objs]
        if not mine:
            continue
        nedges = sum(len([g for g in call[f] if component(g) == comp])
                     for f in mine)
        groups = collections.defaultdict(list)
        for f in mine:
            groups[tuple(sorted(layer[f]))].append(f)

        order = sorted(groups, key=lambda k: (max([height(h) for h in k] or
                                                  [-1]), k))
        print('%s: %d files, %d layers, %d call edges inside, uses %s' %
              (comp, len(mine), len(order), nedges,
               ', '.join(sorted(comp_edges.get(comp, ()))) or 'nothing'))
        for k in order:
            print('  %-34s %s' % (' '.join(os.path.basename(h) for h in k)
                                  or '(no header of its own)',
                                  ' '.join(os.path.relpath(f, comp)
                                           for f in sorted(groups[k]))))
        if args.graph:
            for f in sorted(mine):
                inside = sorted(os.path.relpath(g, comp) for g in call[f]
                                if component(g) == comp)
                print('    %s -> %s' % (os.path.relpath(f, comp),
                                        ' '.join(inside) or '-'))
    if args.dot:
        with open(args.dot, 'w') as out:
            out.write('digraph layers {\n\trankdir=BT;\n')
            for f in sorted(call):
                for g in sorted(call[f]):
                    out.write('\t"%s" -> "%s";\n' % (f, g))
            out.write('}\n')
    for n in notes:
        print('note: ' + n)
    if missing:
        print('note: not built here, not checked: ' + ' '.join(missing))
    print('%d components, %d files, %d call edges, %d include edges: %s' %
          (len(comps), len(objs), sum(len(v) for v in call.values()),
           sum(len(v) for v in inc.values()),
           'FAIL' if failures else 'one-way, no circle'))
    for f in failures:
        print('FAIL: ' + f)
    if not objs:
        print('FAIL: no object found: nothing was checked')
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
