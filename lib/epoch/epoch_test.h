/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Test seam of lib/epoch, not part of its API: tests inject membarrier(2)
 * failures (ENOMEM, EINTR, a kernel without the global command) to check
 * that grace periods still protect readers and that nothing ends the
 * process. Hidden: a shared object linking epoch_dep does not export it.
 */

#ifndef HVNET_EPOCH_TEST_H
#define HVNET_EPOCH_TEST_H

/**
 * Route every membarrier(2) call of the library through @p fn, which
 * returns 0 or -1 with errno set as the system call does; NULL restores
 * the system call. Affects domains created before and after.
 */
__attribute__((visibility("hidden"))) void
epoch_test_set_membarrier(long (*fn)(int cmd, unsigned int flags,
				     int cpu_id));

#endif /* HVNET_EPOCH_TEST_H */
