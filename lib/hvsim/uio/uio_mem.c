/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Memory of the uio face. The hvsim core reaches guest memory through one
 * arena (a host pointer plus a GPA range). Here the arena is a reserved
 * stretch of our address space into which every uio node file and every
 * subchannel ring file is mapped, back to back; the core then validates
 * GPADLs, opens rings and bounds every access exactly as with a socket
 * guest's memfd. Holes and the unused tail are private anonymous zero
 * pages, so a guest GPA that names them reads zeros instead of faulting.
 *
 * Every file is a memfd sealed against shrinking and growing: the guest
 * opens it read-write (as it must, to map it), but cannot truncate it
 * under our mapping and crash the host with SIGBUS.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uio_priv.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23	/* Linux 5.14 */
#endif

int
uio_arena_reserve(struct hvsim_uio *u, uint64_t size)
{
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	u->arena = p;
	u->arena_size = size;
	u->arena_used = 0;
	return 0;
}

void
uio_arena_release(struct hvsim_uio *u)
{
	if (u->arena != NULL)
		munmap(u->arena, u->arena_size);
	u->arena = NULL;
	u->arena_size = 0;
	u->arena_used = 0;
}

int
uio_region_new(struct hvsim_uio *u, const char *name, uint64_t size,
	       struct uio_region *r)
{
	void *p;
	int fd, rc;

	r->fd = -1;
	r->host = NULL;
	if (size == 0 || (size % VMB_PAGE_SIZE) != 0 ||
	    size > u->arena_size - u->arena_used)
		return -ENOSPC;
	/* CLOEXEC: the guest reaches it only through the published name,
	 * never by inheriting our descriptor.
	 */
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_SEAL) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	p = mmap(u->arena + u->arena_used, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* Every page allocated and mapped writable now, not at the host's
	 * first write into a ring or a receive section: a fault costs
	 * about 20 us on the VMs this runs on (a hypervisor round trip),
	 * several per millisecond while the rings are first walked round
	 * (perf.rst, issue 16 item 4). Older kernels refuse the advice:
	 * the pages are then faulted in as before. */
	(void)madvise(p, size, MADV_POPULATE_WRITE);
	r->fd = fd;
	r->host = p;
	r->gpa = UIO_ARENA_GPA + u->arena_used;
	r->size = size;
	u->arena_used += size;
	return 0;
}

void
uio_region_close(struct uio_region *r)
{
	/* The mapping stays part of the arena until it is released. */
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

int
uio_region_link_target(const struct uio_region *r, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/%d/fd/%d", (int)getpid(), r->fd);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
