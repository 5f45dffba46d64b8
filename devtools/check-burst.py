#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
"""Check that no allocator is reachable from a datapath entry point.

The call graph is read from the machine code of the objects given
(archives or .o files, "objdump -dr"): every function's direct calls and
tail jumps, and every function whose address it takes (a pointer taken may
be called). Inlined code is part of its caller, so what the compiler put
into a burst is what is checked. Calls through pointers the objects do not
name (DPDK's fast-path tables, mempool handlers) are not followed.

Fails, naming the path, when a root (default: hvn_rx_burst, hvn_tx_burst
and the other ethdev fast-path functions of net_hvnet) reaches a function
that allocates or frees heap memory (malloc, the rte_malloc family,
memzones, mmap, ...). Mbufs from and to their mempools are not heap
allocation and are allowed.

usage: check-burst.py [--root NAME]... OBJECT...
       check-burst.py --self-test
"""

import argparse
import collections
import re
import subprocess
import sys

ROOTS = ('hvn_rx_burst', 'hvn_tx_burst', 'hvn_tx_done_cleanup',
         'hvn_rx_queue_count', 'hvn_rx_descriptor_status',
         'hvn_tx_descriptor_status')
ALLOCATORS = frozenset((
    'malloc', 'calloc', 'realloc', 'reallocarray', 'free', 'aligned_alloc',
    'posix_memalign', 'memalign', 'valloc', 'pvalloc', 'strdup', 'strndup',
    'mmap', 'mmap64', 'munmap', 'mremap',
    'rte_malloc', 'rte_zmalloc', 'rte_calloc', 'rte_realloc', 'rte_free',
    'rte_malloc_socket', 'rte_zmalloc_socket', 'rte_calloc_socket',
    'rte_realloc_socket', 'rte_memzone_reserve',
    'rte_memzone_reserve_aligned', 'rte_memzone_reserve_bounded',
    'rte_memzone_free', 'rte_mempool_create', 'rte_pktmbuf_pool_create',
    'rte_ring_create', 'rte_ring_free',
))

FUNC = re.compile(r'^([0-9a-f]+) <([^>]+)>:$')
TARGET = re.compile(r'<([^>+]+)(\+0x[0-9a-f]+)?>\s*$')
RELOC = re.compile(r'^\s*[0-9a-f]+: (R_\w+)\s+([^\s+-]+)([+-]0x[0-9a-f]+)?')
# "address flags(7) section size [.hidden] name"
SYM = re.compile(r'^([0-9a-f]+) (.{7}) (\S+)\s+([0-9a-f]+)\s+(?:\S+\s+)?(\S+)$')


def base(name):
    """GCC's split and cloned parts (.cold, .part.0, .isra.0) belong to
    the function they came from for reachability; keep clones apart only
    by name."""
    return name.split('.cold')[0]


def node(obj, name, local):
    """Functions local to an object (static, and GCC's static inline
    copies) are told apart by object; global ones by name."""
    return '%s:%s' % (obj, base(name)) if base(name) in local[obj] \
        else base(name)


def read_objects(paths):
    """edges: function -> set of functions it calls or takes."""
    edges = collections.defaultdict(set)
    for path in paths:
        syms = subprocess.run(['objdump', '-t', path], capture_output=True,
                              text=True, check=True).stdout
        # Per object of an archive: section -> [(start, end, name)], and
        # the names local to it.
        funcs = collections.defaultdict(lambda: collections.defaultdict(list))
        local = collections.defaultdict(set)
        obj = path
        for line in syms.splitlines():
            if 'file format' in line:
                obj = line.split(':')[0]
                continue
            m = SYM.match(line)
            if not m:
                continue
            flags, sec, name = m.group(2), m.group(3), m.group(5)
            # A global function's .cold part is local: the function is not.
            if flags[0] == 'l' and flags[6] == 'F' and name == base(name):
                local[obj].add(name)
            if flags[6] != 'F':
                continue
            start, size = int(m.group(1), 16), int(m.group(4), 16)
            funcs[obj][sec].append((start, start + size, name))
        dis = subprocess.run(['objdump', '-dr', '--no-show-raw-insn', path],
                             capture_output=True, text=True,
                             check=True).stdout
        obj = path
        cur = None
        for line in dis.splitlines():
            if 'file format' in line:
                obj = line.split(':')[0]
                cur = None
                continue
            m = FUNC.match(line)
            if m:
                cur = node(obj, m.group(2), local)
                edges.setdefault(cur, set())
                continue
            if cur is None:
                continue
            m = RELOC.match(line)
            if m:
                kind, sym, add = m.group(1), m.group(2), m.group(3)
                if sym.startswith('.'):
                    if not sym.startswith('.text'):
                        continue
                    off = int(add, 16) if add else 0
                    if kind.startswith('R_X86_64'):
                        off += 4	# rel32 addends count from the field
                    for s, e, n in funcs[obj].get(sym, ()):
                        if s <= off < e:
                            sym = n
                            break
                    else:
                        continue
                t = node(obj, sym, local)
                if t != cur:
                    edges[cur].add(t)
                continue
            m = TARGET.search(line)
            if m and re.search(r'\b(call|callq|jmp|jmpq|bl|b)\b', line):
                t = node(obj, m.group(1), local)
                if t != cur:
                    edges[cur].add(t)
    return edges


def check(edges, roots):
    """Paths from @roots to an allocator, one per allocator reached."""
    bad = []
    for root in roots:
        if root not in edges:
            bad.append('root %s is not in the objects' % root)
            continue
        prev = {root: None}
        todo = collections.deque([root])
        while todo:
            f = todo.popleft()
            for g in sorted(edges.get(f, ())):
                if g in prev:
                    continue
                prev[g] = f
                if g.split(':')[-1] in ALLOCATORS:
                    path = [g]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    bad.append(' -> '.join(reversed(path)))
                    continue
                todo.append(g)
    return bad


def self_test():
    """Verdicts on small graphs."""
    e = {'hvn_rx_burst': {'a'}, 'a': {'b'}, 'b': {'rte_pktmbuf_free'},
         'hvn_tx_burst': {'c'}, 'c': {'c', 'rte_realloc'}}
    got = check(e, ('hvn_rx_burst', 'hvn_tx_burst'))
    assert got == ['hvn_tx_burst -> c -> rte_realloc'], got
    assert check({'r': set()}, ('r', 'x')) == ['root x is not in the objects']
    assert base('hvn_rx_burst.cold') == 'hvn_rx_burst'
    print('check-burst: self-test passed')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('objects', nargs='*')
    ap.add_argument('--root', action='append')
    ap.add_argument('--self-test', action='store_true')
    a = ap.parse_args()
    if a.self_test:
        self_test()
        return 0
    if not a.objects:
        ap.error('no objects')
    edges = read_objects(a.objects)
    roots = tuple(a.root) if a.root else ROOTS
    bad = check(edges, roots)
    n = sum(len(v) for v in edges.values())
    for b in bad:
        print('FAIL: %s' % b)
    print('check-burst: %d functions, %d edges, %d roots: %s' %
          (len(edges), n, len(roots), 'FAIL' if bad else
           'no allocator reachable'))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
