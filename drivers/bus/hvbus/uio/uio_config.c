/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The kernel (uio) backend's settings, from its device argument
 * --vdev=hvbus_uio,key=value (uio_vdev.c): its keys (HVBUS_UIO_KEYS) and
 * the bus's. It is needed only to change a default or to force the
 * backend: without any backend's device argument the bus runs this one
 * when a netvsc device is bound to uio_hv_generic (hvbus_uio_detect()).
 */

#include <string.h>

#include "hvbus_state.h"
#include "uio_config.h"

struct hvbus_uio_conf hvbus_uio_conf;

#define HVNET_DEVARGS_STRUCT struct hvbus_uio_conf
static const struct hvnet_devarg uio_rows[] = {
	HVBUS_BUS_KEYS(HVNET_DEVARG_U32_ROW, HVNET_DEVARG_NAME_ROW)
	HVBUS_UIO_KEYS(HVNET_DEVARG_U32_ROW, HVNET_DEVARG_NAME_ROW)
};
#undef HVNET_DEVARGS_STRUCT

struct hvnet_devargs_spec hvbus_uio_spec = {
	.who = "hvbus_uio",
	.rows = uio_rows,
	.n_rows = RTE_DIM(uio_rows),
};

/* Text keys left out get their defaults; uio_offsets is one of two. */
int
hvbus_uio_check(void)
{
	struct hvbus_uio_conf *uc = &hvbus_uio_conf;

	if (uc->sysfs[0] == '\0')
		strcpy(uc->sysfs, HVBUS_UIO_SYSFS);
	if (uc->devroot[0] == '\0')
		strcpy(uc->devroot, HVBUS_UIO_DEVROOT);
	if (uc->uio_offsets[0] == '\0' || strcmp(uc->uio_offsets, "page") == 0)
		uc->linear = false;
	else if (strcmp(uc->uio_offsets, "linear") == 0)
		uc->linear = true;
	else {
		HVBUS_LOG(ERR, "hvbus_uio: devarg uio_offsets=%s: accepted "
			  "page or linear", uc->uio_offsets);
		return -EINVAL;
	}
	return 0;
}
