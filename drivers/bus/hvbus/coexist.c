/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Coexistence with DPDK's own VMBus bus (bus_vmbus, net_netvsc). Where
 * both are loaded - Debian's DPDK auto-loads its plugins - both would
 * scan /sys/bus/vmbus/devices and take every netvsc device bound to
 * uio_hv_generic: two drivers on one ring corrupt it. Before any probe
 * (this runs at the end of hvbus's scan, and EAL scans every bus before
 * it probes any), the devices hvbus takes are kept from bus_vmbus:
 *
 *  - DPDK 23.11 and later: bus_vmbus has a block list, read when it
 *    probes; each of hvbus's devices goes on it, as -b vmbus:<GUID> would
 *    put it there.
 *  - DPDK 22.11: bus_vmbus has none, it probes every device it scanned.
 *    The bus itself is taken out of this process (rte_bus_unregister());
 *    EAL probes only registered buses. This happens only when hvbus takes
 *    a device: with every device kept from hvbus (-b hvbus:<GUID>),
 *    net_netvsc keeps them.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_version.h>

#include "hvbus_state.h"

#define VMBUS_BUS_NAME	"vmbus"

bool
hvbus_coexist_vmbus_loaded(void)
{
	return rte_bus_find_by_name(VMBUS_BUS_NAME) != NULL;
}

#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
/* @guid on bus_vmbus's block list; built by hand because the text
 * "vmbus:<GUID>" would be parsed by whichever bus takes a bare GUID first.
 */
static int
coexist_block(struct rte_bus *vmbus, const struct vmb_guid *guid)
{
	struct rte_devargs *da = calloc(1, sizeof(*da));
	char *data = strdup("");

	if (da == NULL || data == NULL) {
		free(da);
		free(data);
		return -ENOMEM;
	}
	da->bus = vmbus;
	da->type = RTE_DEVTYPE_BLOCKED;
	da->policy = RTE_DEV_BLOCKED;
	vmb_guid_format(guid, da->name, sizeof(da->name));
	da->data = data;
	da->drv_str = data;
	return rte_devargs_insert(&da);
}
#endif

void
hvbus_coexist(const struct vmb_guid *taken, unsigned int n)
{
	struct rte_bus *vmbus = rte_bus_find_by_name(VMBUS_BUS_NAME);

	if (vmbus == NULL || n == 0)
		return;
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)
	unsigned int i;

	for (i = 0; i < n; i++)
		if (coexist_block(vmbus, &taken[i]) < 0) {
			/* Refuse rather than share a ring. */
			HVBUS_LOG(ERR, "cannot put a device on bus_vmbus's "
				  "block list: taking bus_vmbus out");
			rte_bus_unregister(vmbus);
			return;
		}
	HVBUS_LOG(NOTICE, "DPDK's bus_vmbus is loaded too: the %u device(s) "
		  "hvbus drives are on its block list (as -b vmbus:<GUID>), "
		  "so net_netvsc leaves them alone", n);
#else
	RTE_SET_USED(taken);
	rte_bus_unregister(vmbus);
	HVBUS_LOG(NOTICE, "DPDK %d.%d's bus_vmbus is loaded too and would "
		  "drive the same uio_hv_generic device(s) as hvbus - two "
		  "drivers on one ring corrupt it - and it has no block list: "
		  "hvbus took it out of this process. For net_netvsc instead, "
		  "keep hvbus away from every device (-b hvbus:<GUID>).",
		  RTE_VER_YEAR, RTE_VER_MONTH);
#endif
}
