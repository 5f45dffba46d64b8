/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Lending EAL's memory to an hvsim daemon (MEM frames, hvsim_transport.h):
 * packet buffers sent GPA-direct are then read by the host through a
 * mapping, where process_vm_readv() costs a system call per page chunk
 * (the host's whole budget for large frames). Only memory that keeps its
 * pages for the life of the process is lent: --no-huge's one memfd.
 * Hugepage segments may be freed and others mapped at the same addresses,
 * which a mapping in the host would not follow; those stay on
 * process_vm_readv().
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "hvbus_state.h"
#include "hvsim_transport.h"
#include "sim.h"

struct sim_lend {
	int sock;
	unsigned int sent;
};

static int
sim_lend_send(int sock, const struct hvsim_mem_region_msg *m, int fd)
{
	struct {
		struct hvsim_frame_hdr fh;
		struct hvsim_mem_region_msg m;
	} __attribute__((packed)) out = {
		.fh = { .kind = HVSIM_FRAME_MEM, .len = sizeof(out.m) },
		.m = *m,
	};

	return hvbus_sim_send_fds(sock, &out, sizeof(out), &fd, 1);
}

/* One VA-contiguous run of a memseg list (rte_memseg_contig_walk()). */
static int
sim_lend_run(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	     size_t len, void *arg)
{
	struct sim_lend *l = arg;
	struct hvsim_mem_region_msg m;
	size_t off;
	int fd, rc;

	/* GPA-direct ranges carry IOVAs: lend only where they are our
	 * addresses, as the host reads them. */
	if (msl->external || ms->iova != (rte_iova_t)(uintptr_t)ms->addr)
		return 0;
	if (l->sent == HVSIM_MEM_REGIONS)
		return 1;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0)
		return 0;
	m.gpa = ms->iova;
	m.size = len;
	m.offset = off;
	rc = sim_lend_send(l->sock, &m, fd);
	if (rc < 0) {
		HVBUS_LOG(WARNING, "cannot lend memory %p + %zu to the host: "
			  "%s", ms->addr, len, strerror(-rc));
		return -1;
	}
	HVBUS_LOG(DEBUG, "lent memory %p + %zu to the host", ms->addr, len);
	l->sent++;
	return 0;
}

void
hvbus_sim_lend_mem(int sock)
{
	struct sim_lend l = { .sock = sock };

	if (rte_eal_has_hugepages()) {
		HVBUS_LOG(DEBUG, "hugepage memory is not lent to the host "
			  "(segments may move): it reads GPA-direct packets "
			  "with process_vm_readv()");
		return;
	}
	rte_memseg_contig_walk(sim_lend_run, &l);
}
