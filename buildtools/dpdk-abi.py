#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Prints the ABI version ("23.0") of the DPDK whose libraries are in LIBDIR:
# the suffix of the file librte_eal.so finally names. Our plugins carry the
# same version, as DPDK's own drivers do: they use its internal driver ABI,
# and its EAL auto-loads only "*.so" and "*.so.<ABI>" from the PMD directory.

import os
import re
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: dpdk-abi.py LIBDIR')
    eal = os.path.join(sys.argv[1], 'librte_eal.so')
    real = os.path.basename(os.path.realpath(eal))
    m = re.fullmatch(r'librte_eal\.so\.(\d+)\.(\d+)', real)
    if not os.path.exists(eal) or m is None:
        sys.exit('%s: not a link to librte_eal.so.MAJOR.MINOR (%s): '
                 'hvnet needs a shared DPDK build' % (eal, real))
    print('%s.%s' % (m.group(1), m.group(2)))


if __name__ == '__main__':
    main()
