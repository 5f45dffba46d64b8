#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# meson install --destdir: versioned plugins in our libdir, relative links
# to them in the PMD directory of the DPDK we built against, no run path in
# any installed ELF file, and the net plugin's bus dependency resolved by
# the loader from the installed libdir (and from nowhere else).
#
# usage: test_install_layout.py BUILD

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from staging import Checker, elf_dynamic, is_elf, stage  # noqa: E402

# The bus, the PMD and the simulator's plugin (idle unless asked for).
PLUGINS = ('rte_bus_hvbus', 'rte_net_hvnet', 'rte_bus_hvbus_sim')


def main():
    st = stage(sys.argv[1], 'layout')
    c = Checker('install layout (DPDK ABI %s, PMD dir %s)'
                % (st.abi, st.pmd_dir_rel))
    for p in PLUGINS:
        real = os.path.join(st.libdir, 'lib%s.so.%s' % (p, st.abi))
        soname = 'lib%s.so.%s' % (p, st.abi_major)
        if not c.check(os.path.isfile(real) and not os.path.islink(real),
                       '%s is not installed as a file' % real):
            continue
        c.check(elf_dynamic(real).get('SONAME') == [soname],
                '%s: SONAME %s, want %s'
                % (real, elf_dynamic(real).get('SONAME'), soname))
        for name in ('lib%s.so' % p, soname):
            link = os.path.join(st.libdir, name)
            c.check(os.path.realpath(link) == real,
                    '%s does not lead to %s' % (link, real))
        # The PMD directory: a relative link (valid in a package or
        # DESTDIR tree) straight to the file in libdir, under the name EAL
        # auto-loads that carries the ABI; no other name (EAL would load
        # the plugin twice over).
        link = os.path.join(st.pmd_dir, 'lib%s.so.%s' % (p, st.abi))
        c.check(os.path.islink(link) and
                os.readlink(link) == os.path.relpath(real, st.pmd_dir),
                '%s is not a relative link to %s' % (link, real))
    names = sorted(os.listdir(st.pmd_dir))
    c.check(names == sorted('lib%s.so.%s' % (p, st.abi) for p in PLUGINS),
            'PMD directory holds %s' % names)

    # No installed ELF file carries a run path (into the build tree or
    # anywhere else).
    elves = 0
    for root, _, files in os.walk(st.destdir):
        for f in files:
            path = os.path.join(root, f)
            if os.path.islink(path) or not is_elf(path):
                continue
            elves += 1
            tags = elf_dynamic(path)
            c.check('RUNPATH' not in tags and 'RPATH' not in tags,
                    '%s has a run path %s' % (path, tags.get('RUNPATH',
                                                             tags.get('RPATH'))))
    c.check(elves >= 2, 'only %d ELF files installed' % elves)

    # The net plugin needs the bus plugin by its versioned soname; the
    # loader finds it in the installed libdir, and without that directory
    # on its path it does not find it at all.
    net = os.path.join(st.pmd_dir, 'lib%s.so.%s' % (PLUGINS[1], st.abi))
    bus_soname = 'lib%s.so.%s' % (PLUGINS[0], st.abi_major)
    needed = elf_dynamic(net).get('NEEDED', [])
    c.check(bus_soname in needed, '%s needs %s, not %s'
            % (net, needed, bus_soname))
    env = dict(os.environ, LD_LIBRARY_PATH=st.libdir + ':' + st.dpdk_libdir)
    ldd = subprocess.run(['ldd', net], env=env, stdout=subprocess.PIPE,
                         text=True).stdout
    want = '%s => %s' % (bus_soname, os.path.join(st.libdir, bus_soname))
    c.check(want in ldd, 'ldd %s: no "%s" in\n%s' % (net, want, ldd))
    c.check('not found' not in ldd, 'ldd %s: unresolved\n%s' % (net, ldd))
    env['LD_LIBRARY_PATH'] = st.dpdk_libdir
    ldd = subprocess.run(['ldd', net], env=env, stdout=subprocess.PIPE,
                         text=True).stdout
    c.check('%s => not found' % bus_soname in ldd,
            'ldd %s found the bus outside the installed libdir:\n%s'
            % (net, ldd))
    c.done()


if __name__ == '__main__':
    main()
