#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# dpdk-pmdinfo.py of the DPDK we built against, on the plugins as
# installed in its PMD directory: the net plugin names net_hvnet, the
# netvsc device class, its devargs and kernel module, as DPDK's own drivers
# do; the bus plugin's drivers (if any) their devargs.
#
# usage: test_install_pmdinfo.py BUILD

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from staging import Checker, stage  # noqa: E402

NETVSC_CLASS = 'f8615163-df3e-46c5-913f-f2d2f965ed0e'


def pmdinfo_cmd():
    """dpdk-pmdinfo.py of DPDK_PREFIX, with a python that has pyelftools."""
    script = os.path.join(os.environ['DPDK_PREFIX'], 'bin', 'dpdk-pmdinfo.py')
    if not os.path.isfile(script):
        print('FAIL: no %s' % script)
        sys.exit(1)
    for py in (sys.executable, '/usr/bin/python3'):
        if subprocess.run([py, '-c', 'import elftools'],
                          stderr=subprocess.DEVNULL).returncode == 0:
            return [py, script]
    print('FAIL: no python3 with pyelftools for %s (make setup)' % script)
    sys.exit(1)


def main():
    st = stage(sys.argv[1], 'pmdinfo')
    c = Checker('dpdk-pmdinfo.py on the installed plugins')
    cmd = pmdinfo_cmd()
    found = {}
    for p in ('rte_net_hvnet', 'rte_bus_hvbus'):
        path = os.path.join(st.pmd_dir, 'lib%s.so.%s' % (p, st.abi))
        r = subprocess.run(cmd + [path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if not c.check(r.returncode == 0, '%s %s: status %d\n%s'
                       % (cmd[1], path, r.returncode, r.stderr)):
            continue
        print('%s:\n%s' % (path, r.stdout))
        found[p] = json.loads(r.stdout)
    # dpdk-pmdinfo.py lists the drivers of the libraries a plugin needs
    # too: the net plugin's own are those the bus plugin does not list.
    net = [d for d in found.get('rte_net_hvnet', [])
           if d not in found.get('rte_bus_hvbus', [])]
    # The bus plugin's own drivers (backends chosen by --vdev), if any,
    # each with its devargs.
    for d in found.get('rte_bus_hvbus', []):
        c.check(d.get('name', '').startswith('hvbus_') and d.get('params'),
                'bus plugin driver without hvbus_ name or params: %s' % d)
    if c.check(len(net) == 1, 'net plugin: %d drivers, want 1' % len(net)):
        d = net[0]
        c.check(d.get('name') == 'net_hvnet', 'name %s' % d.get('name'))
        c.check(d.get('vmbus_class') == NETVSC_CLASS,
                'vmbus_class %s, want %s' % (d.get('vmbus_class'),
                                             NETVSC_CLASS))
        c.check(d.get('kmod') == '* uio_hv_generic', 'kmod %s' % d.get('kmod'))
        params = d.get('params', '')
        keys = re.findall(r'(\w+)=<[^>]+>', params)
        c.check(re.fullmatch(r'(\w+=<[^>]+> ?)+', params) is not None,
                'params not "key=<values> ..." : %r' % params)
        for k in ('tx_copybreak', 'latency', 'vf'):
            c.check(k in keys, 'params lack %s: %r' % (k, params))
    c.done()


if __name__ == '__main__':
    main()
