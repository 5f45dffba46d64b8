# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Shared by the install suite: "meson install --destdir" of the build into
# a fresh directory, and where things landed there. The paths come from the
# build's options and from the DPDK meson test exports (DPDK_PMD_DIR, ...),
# never from guesses.

import json
import os
import shutil
import subprocess
import sys


class Stage:
    """An installation of BUILD under DESTDIR."""

    def __init__(self, build, destdir):
        self.build = build
        self.destdir = destdir
        opts = {o['name']: o['value'] for o in json.loads(subprocess.run(
            ['meson', 'introspect', '--buildoptions', build],
            check=True, stdout=subprocess.PIPE).stdout)}
        self.prefix = opts['prefix']
        self.libdir_rel = os.path.join(opts['prefix'], opts['libdir'])
        self.libdir = self.under(self.libdir_rel)
        self.includedir = self.under(os.path.join(opts['prefix'],
                                                  opts['includedir']))
        self.pmd_dir_rel = os.environ['DPDK_PMD_DIR']
        self.pmd_dir = self.under(self.pmd_dir_rel)
        self.dpdk_libdir = os.environ['DPDK_LIBDIR']
        self.abi = subprocess.run(
            [sys.executable, os.path.join(os.environ['HVNET_SOURCE_ROOT'],
                                          'buildtools', 'dpdk-abi.py'),
             self.dpdk_libdir],
            check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
        self.abi_major = self.abi.split('.')[0]

    def under(self, path):
        """PATH as installed into DESTDIR."""
        return os.path.join(self.destdir, os.path.relpath(path, '/'))


def private_dir(build, name):
    """A fresh 0700 directory under BUILD/test/install. EAL refuses plugins
    below a world-writable directory; the build tree is checked for that."""
    root = os.path.join(build, 'test', 'install')
    p = os.path.realpath(root)
    while True:
        if os.stat(p).st_mode & 0o002:
            print('SKIP: %s is world-writable (EAL refuses plugins '
                  'below it)' % p)
            sys.exit(77)
        if p == '/':
            break
        p = os.path.dirname(p)
    d = os.path.join(root, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d, mode=0o700)
    return d


def stage(build, name):
    """meson install BUILD into a fresh private directory."""
    destdir = private_dir(build, 'stage-' + name)
    subprocess.run(['meson', 'install', '-C', build, '--no-rebuild',
                    '--quiet', '--destdir', destdir],
                   check=True, stdout=subprocess.DEVNULL)
    return Stage(build, destdir)


def elf_dynamic(path):
    """readelf -d of PATH as {tag: [values]} (NEEDED, SONAME, RUNPATH...)."""
    out = subprocess.run(['readelf', '-d', '-W', path], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    tags = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1].startswith('('):
            tag = parts[1].strip('()')
            val = parts[2]
            if '[' in val:
                val = val[val.index('[') + 1:val.rindex(']')]
            tags.setdefault(tag, []).append(val)
    return tags


def is_elf(path):
    with open(path, 'rb') as f:
        return f.read(4) == b'\x7fELF'


class Checker:
    """Collects failures; done() prints the verdict and exits."""

    def __init__(self, what):
        self.what = what
        self.failed = 0

    def check(self, cond, msg):
        if not cond:
            print('FAIL: ' + msg)
            self.failed += 1
        return cond

    def done(self):
        if self.failed:
            print('%s: %d check(s) failed' % (self.what, self.failed))
            sys.exit(1)
        print('%s: PASS' % self.what)
        sys.exit(0)
