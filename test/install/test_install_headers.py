#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Each installed header compiles on its own (twice in one unit: include
# guard) with nothing but DPDK's pkg-config flags, DPDK's driver-SDK
# headers (the installed headers are for drivers) and the installed
# include directory, warnings as errors.
#
# usage: test_install_headers.py BUILD CC [SDK_CFLAG...]

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from staging import Checker, stage  # noqa: E402


def main():
    build, cc, sdk = sys.argv[1], sys.argv[2], sys.argv[3:]
    st = stage(build, 'headers')
    env = dict(os.environ)
    env['PKG_CONFIG_PATH'] = os.pathsep.join(
        [os.path.join(st.dpdk_libdir, 'pkgconfig')] +
        ([env['PKG_CONFIG_PATH']] if env.get('PKG_CONFIG_PATH') else []))
    dpdk = subprocess.run(['pkg-config', '--cflags', 'libdpdk'], env=env,
                          check=True, stdout=subprocess.PIPE,
                          text=True).stdout.split()
    incdir = os.path.join(st.includedir, 'hvnet')
    c = Checker('installed headers compile alone')
    headers = sorted(h for h in os.listdir(incdir) if h.endswith('.h'))
    c.check('rte_bus_hvbus.h' in headers, 'rte_bus_hvbus.h not installed '
            'in %s' % incdir)
    with tempfile.TemporaryDirectory() as tmp:
        for h in headers:
            src = os.path.join(tmp, h.replace('.h', '.c'))
            with open(src, 'w') as f:
                f.write('#include <%s>\n#include <%s>\n' % (h, h))
            cmd = [cc, '-fsyntax-only', '-Wall', '-Wextra', '-Werror',
                   '-Wno-unused-parameter'] + dpdk + sdk + ['-I' + incdir,
                                                           src]
            r = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if c.check(r.returncode == 0, '%s does not compile alone:\n%s\n%s'
                       % (h, ' '.join(cmd), r.stdout)):
                print('%s: compiles alone' % h)
    c.done()


if __name__ == '__main__':
    main()
