#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Every installed shared library has a version map, and exports exactly the
# symbols its map lists, each in the map's version node: nm -D
# --defined-only of the DESTDIR-installed file against the map. No
# simulator, netvsp model, reclamation-domain or PMD-internal symbol
# (hvsim_, nv_, epoch_, hvn_) is exported by any of them.
#
# usage: test_install_symbols.py BUILD LIBNAME=MAP...

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from staging import Checker, is_elf, stage  # noqa: E402

FORBIDDEN = ('hvsim_', 'nv_', 'epoch_', 'hvn_')


def parse_map(path):
    """{symbol: version node} of the global: parts of a GNU version map."""
    text = re.sub(r'/\*.*?\*/', ' ', open(path).read(), flags=re.S)
    text = re.sub(r'#[^\n]*', ' ', text)
    syms = {}
    for node, body in re.findall(r'([A-Za-z_][\w.]*)\s*\{(.*?)\}', text,
                                 flags=re.S):
        scope = None
        for tok in re.findall(r'[\w.*]+:|[^\s;]+', body):
            if tok.endswith(':'):
                scope = tok[:-1]
            elif scope == 'global':
                syms[tok] = node
    return syms


def exported(path):
    """{symbol: version} nm -D --defined-only finds, version nodes aside."""
    out = subprocess.run(['nm', '-D', '--defined-only', path], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[1] == 'A':
            continue
        name, _, ver = parts[2].partition('@')
        syms[name] = ver.lstrip('@')
    return syms


def main():
    st = stage(sys.argv[1], 'symbols')
    maps = dict(a.split('=', 1) for a in sys.argv[2:])
    c = Checker('exported symbols of the installed libraries')
    seen = set()
    for root, _, files in os.walk(st.destdir):
        for f in sorted(files):
            path = os.path.join(root, f)
            if os.path.islink(path) or '.so' not in f or not is_elf(path):
                continue
            lib = f.split('.so')[0]
            seen.add(lib)
            if not c.check(lib in maps, '%s: no version map for %s'
                           % (path, lib)):
                continue
            want = parse_map(maps[lib])
            got = exported(path)
            for s in sorted(set(got) - set(want)):
                c.check(False, '%s exports %s, not in %s'
                        % (f, s, maps[lib]))
            for s in sorted(set(want) - set(got)):
                c.check(False, '%s does not export %s of %s'
                        % (f, s, maps[lib]))
            for s in sorted(set(want) & set(got)):
                c.check(got[s] == want[s], '%s: %s in version %s, map says %s'
                        % (f, s, got[s], want[s]))
            for s in got:
                c.check(not s.startswith(FORBIDDEN),
                        '%s exports internal symbol %s' % (f, s))
            print('%s: %d symbols, as %s lists'
                  % (f, len(got), os.path.relpath(maps[lib],
                                                  os.environ['HVNET_SOURCE_ROOT'])))
    for lib in sorted(set(maps) - seen):
        c.check(False, '%s has a map but is not installed' % lib)
    c.done()


if __name__ == '__main__':
    main()
