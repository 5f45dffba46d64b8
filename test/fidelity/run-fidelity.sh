#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# meson test wrapper of the fidelity suite: skipped (77) only when this
# machine does not let us create a private mount namespace; otherwise the
# verdict of devtools/fidelity.sh.
set -u
builddir=${1:?usage: run-fidelity.sh BUILDDIR}
here=$(cd "$(dirname "$0")" && pwd)
if ! why=$(unshare -m --propagation private true 2>&1); then
	echo "SKIP: fidelity needs a private mount namespace (unshare -m):" \
	     "${why:-not permitted}; run as root or with CAP_SYS_ADMIN"
	exit 77
fi
exec bash "$here/../../devtools/fidelity.sh" "$builddir"
