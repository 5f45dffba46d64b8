/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HVSIM_UIO_APP_H
#define HVSIM_UIO_APP_H

#include <stdbool.h>

/* Exit status when the namespace cannot be made (meson's "skipped"). */
#define HVSIM_UIO_EXIT_SKIP	77
/* Exit status when the guest ran fine but the checker found violations. */
#define HVSIM_UIO_EXIT_CHECKER	3
/* Exit status when the guest was killed at the deadline (as timeout(1)). */
#define HVSIM_UIO_EXIT_TIMEOUT	124

/* uio_ns.c: enter a private mount namespace laid out for the face. */
int hvsim_uio_ns_enter(void);

#endif /* HVSIM_UIO_APP_H */
