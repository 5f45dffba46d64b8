#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# examples/fwd built from a DESTDIR installation with its own Makefile
# (PKG_CONFIG_PATH at the installed hvnet.pc and the DPDK's libdpdk.pc),
# three ways, each forwarding a simulated generator NIC's frames out of a
# simulated sink NIC:
#   shared  libdpdk only, no -d: EAL auto-loads the installed plugins from
#           its PMD directory. EAL's directory is compiled in, so a private
#           mount namespace shows it the stock plugins plus the DESTDIR
#           ones, as a real installation would;
#   linked  hvnet.pc: the net plugin is in the binary's NEEDED list;
#   static  hvnet.pc --static: no hvnet (or DPDK) shared library needed.
# Shared libraries come from the installed libdir (LD_LIBRARY_PATH, as for
# any library installed outside the loader's path), never the build tree.
#
# usage: test_install_example.py BUILD

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from staging import Checker, elf_dynamic, private_dir, stage  # noqa: E402

# Two simulated NICs, asked for by a device argument: NIC 0 generates
# 128-byte frames, NIC 1 only counts what the guest sends it.
SIM_EAL = ['--vdev=hvbus_sim,nics=2,port=[gen,len=128],port=[1:sink]']


def merged_pmd_dir(st, work):
    """A directory to bind-mount over the stock PMD directory: links to
    the stock entries (through a second mount of the stock directory, as
    the links there would lead back into the covered one) and to the
    installed ones. Returns (merged, stock mount point)."""
    d = os.path.join(work, 'pmds')
    stock = os.path.join(work, 'stock-pmds')
    os.mkdir(d, 0o755)
    os.mkdir(stock, 0o755)
    for f in os.listdir(st.pmd_dir_rel):
        os.symlink(os.path.join(stock, f), os.path.join(d, f))
    for f in os.listdir(st.pmd_dir):
        dst = os.path.join(d, f)
        if os.path.lexists(dst):
            os.unlink(dst)
        os.symlink(os.path.realpath(os.path.join(st.pmd_dir, f)), dst)
    return d, stock


def run_fwd(c, st, exe, work, pmds):
    cmd = [exe, '--no-huge', '-m', '512', '--no-pci', '--no-shconf',
           '-l', '0-1', '--file-prefix', 'hvnet_fwd%d' % os.getpid()] + \
        SIM_EAL + ['--', '-t', '1']
    if pmds is not None:
        cmd = ['unshare', '-m', '--propagation', 'private', 'sh', '-c',
               'mount --bind "$3" "$2" && mount --bind "$1" "$3" && '
               'shift 3 && exec "$@"', 'sh', pmds[0], pmds[1],
               st.pmd_dir_rel] + cmd
    env = dict(os.environ)
    env['LD_LIBRARY_PATH'] = st.libdir + ':' + st.dpdk_libdir
    r = subprocess.run(['timeout', '-s', 'KILL', '120'] + cmd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    name = os.path.basename(exe)
    log = os.path.join(work, name + '.log')
    with open(log, 'w') as f:
        f.write(r.stdout)
    port = {int(m[0]): dict(rx=int(m[1]), tx=int(m[2]))
            for m in re.findall(r'^port (\d+): rx=(\d+) tx=(\d+)', r.stdout,
                                re.M)}
    sank = re.search(r'embedded hvsim nic1 .* from_guest=(\d+)', r.stdout)
    ok = c.check(r.returncode == 0 and len(port) == 2 and sank,
                 '%s: status %d, %d ports, sink %s; log %s:\n%s'
                 % (name, r.returncode, len(port), bool(sank), log,
                    r.stdout[-3000:]))
    if ok:
        print('%s: port 0 rx=%d, port 1 tx=%d, sink NIC got %s'
              % (name, port[0]['rx'], port[1]['tx'], sank.group(1)))
        c.check(port[0]['rx'] > 0, '%s: port 0 received nothing' % name)
        c.check(port[1]['tx'] > 0 and port[1]['tx'] == int(sank.group(1)),
                '%s: port 1 sent %d, the sink NIC got %s'
                % (name, port[1]['tx'], sank.group(1)))


def main():
    build = sys.argv[1]
    st = stage(build, 'example')
    work = private_dir(build, 'example')
    c = Checker('examples/fwd from the installed tree')
    env = dict(os.environ)
    env['PKG_CONFIG_PATH'] = os.pathsep.join(
        [os.path.join(st.libdir, 'pkgconfig'),
         os.path.join(st.dpdk_libdir, 'pkgconfig')] +
        ([env['PKG_CONFIG_PATH']] if env.get('PKG_CONFIG_PATH') else []))
    src = os.path.join(os.environ['HVNET_SOURCE_ROOT'], 'examples', 'fwd')
    r = subprocess.run(['make', '-C', src, 'O=' + work, 'all'], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if not c.check(r.returncode == 0, 'make: status %d\n%s'
                   % (r.returncode, r.stdout[-4000:])):
        c.done()
    net = 'librte_net_hvnet.so.' + st.abi_major
    exes = {v: os.path.join(work, 'fwd-' + v)
            for v in ('shared', 'linked', 'static')}
    needed = {v: elf_dynamic(e).get('NEEDED', []) for v, e in exes.items()}
    c.check(not any('hv' in n for n in needed['shared']),
            'fwd-shared links hvnet: %s' % needed['shared'])
    c.check(net in needed['linked'], 'fwd-linked needs %s, not %s'
            % (needed['linked'], net))
    c.check(not any(n.startswith(('librte_', 'libhv'))
                    for n in needed['static']),
            'fwd-static needs shared DPDK/hvnet libraries: %s'
            % needed['static'])
    ns = subprocess.run(['unshare', '-m', '--propagation', 'private',
                         'true'], stderr=subprocess.DEVNULL).returncode == 0
    if not ns:
        # Without a mount namespace EAL's compiled-in directory cannot
        # show the DESTDIR plugins: name them with -d instead.
        print('NOTE: no private mount namespace; fwd-shared gets -d %s'
              % st.pmd_dir)
        SIM_EAL.extend(['-d', st.pmd_dir])
    pmds = merged_pmd_dir(st, work) if ns else None
    run_fwd(c, st, exes['shared'], work, pmds)
    if not ns:
        del SIM_EAL[-2:]
    run_fwd(c, st, exes['linked'], work, pmds)
    run_fwd(c, st, exes['static'], work, None)
    c.done()


if __name__ == '__main__':
    main()
