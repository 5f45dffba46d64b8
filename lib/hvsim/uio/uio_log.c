/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The face's log lines, through its host (hvsim_config.log_fn and
 * log_level): below every other file of the face.
 */

#include <stdarg.h>
#include <stdio.h>

#include "uio_priv.h"

static void
uio_vlog(struct hvsim_uio *u, enum hvsim_log_level level, const char *what,
	 const char *fmt, va_list ap)
{
	char line[400];

	vsnprintf(line, sizeof(line), fmt, ap);
	hvsim_log(u->h, level, "uio: %s%s", what, line);
}

void
uio_log(struct hvsim_uio *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uio_vlog(u, HVSIM_LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void
uio_err(struct hvsim_uio *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uio_vlog(u, HVSIM_LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}
