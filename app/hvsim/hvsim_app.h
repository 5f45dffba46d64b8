/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HVSIM_APP_H
#define HVSIM_APP_H

/* "hvsim ctl PATH [COMMAND...]": one command from the arguments, or one
 * per line from stdin. Returns the process exit status.
 */
int hvsim_ctl_client(const char *path, int argc, char **argv);

#endif
