/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Guest memory as the host sees it: the arena (the guest's memfd, mapped
 * here too, or memory a face lends) for rings, GPADLs and monitor pages;
 * any other GPA - a packet buffer the guest points at with GPA-direct
 * ranges - is read directly when the guest shares our process, through a
 * region the guest lent (MEM frames) when it lies in one, else with
 * process_vm_readv() on the peer: a system call per page chunk, some
 * microseconds each here, where a lent region costs a copy.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "hvsim_base.h"

/* Arena sizes accepted: enough for a few NICs' rings and buffers, and a
 * bound so that a hostile size cannot exhaust the host's address space.
 */
#define HVSIM_ARENA_MIN		(64 * 1024ull)
#define HVSIM_ARENA_MAX		(64ull << 30)

int
hvsim_mem_map(struct hvsim_mem *mem, struct hvsim_log *lg, int memfd,
	      uint64_t gpa, uint64_t size, bool same_process)
{
	struct stat st;
	void *p;

	if (size < HVSIM_ARENA_MIN || size > HVSIM_ARENA_MAX ||
	    (size % VMB_PAGE_SIZE) != 0 || (gpa % VMB_PAGE_SIZE) != 0 ||
	    gpa > UINT64_MAX - size) {
		hvsim_log_error(lg, "HELLO arena %#llx + %#llx: bad size or "
				"alignment", (unsigned long long)gpa,
				(unsigned long long)size);
		return -EINVAL;
	}
	if (fstat(memfd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < size) {
		hvsim_log_error(lg, "HELLO memfd is not a file of %llu bytes",
				(unsigned long long)size);
		return -EINVAL;
	}
	/* A guest that shrinks the file under our mapping would make host
	 * accesses fault (SIGBUS): seal it against shrinking when the memfd
	 * allows sealing. A guest in another process that does not allow it
	 * is still served (older guests), with a warning: it could crash us.
	 */
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		int seals = fcntl(memfd, F_GET_SEALS);

		if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
			if (!same_process)
				hvsim_log_error(lg, "arena memfd cannot be "
						"sealed against shrinking; "
						"create it with "
						"MFD_ALLOW_SEALING");
			else
				HVSIM_DEBUG(lg, "arena memfd not sealable");
		}
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED) {
		int rc = -errno;

		hvsim_log_error(lg, "cannot map the guest arena: %s",
				strerror(-rc));
		return rc;
	}
	mem->arena = p;
	mem->gpa = gpa;
	mem->size = size;
	mem->mapped = true;
	mem->same_process = same_process;
	return 0;
}

int
hvsim_mem_lend(struct hvsim_mem *mem, uint8_t *arena, uint64_t gpa,
	       uint64_t size)
{
	if (mem->arena != NULL)
		return -EBUSY;
	if (arena == NULL || size == 0 || (gpa % VMB_PAGE_SIZE) != 0 ||
	    (size % VMB_PAGE_SIZE) != 0 || gpa > UINT64_MAX - size)
		return -EINVAL;
	mem->arena = arena;
	mem->gpa = gpa;
	mem->size = size;
	mem->mapped = false;
	mem->same_process = false;
	mem->pid = 0;
	return 0;
}

int
hvsim_mem_add_region(struct hvsim_mem *mem, struct hvsim_log *lg, int fd,
		     uint64_t gpa, uint64_t size, uint64_t offset)
{
	struct hvsim_mem_region *r;
	struct stat st;
	unsigned int i;
	void *p;

	if (mem->n_reg == HVSIM_MEM_REGIONS) {
		hvsim_log_error(lg, "MEM: more than %u regions lent",
				HVSIM_MEM_REGIONS);
		return -ENOSPC;
	}
	if (size == 0 || size > HVSIM_ARENA_MAX ||
	    ((gpa | size | offset) % VMB_PAGE_SIZE) != 0 ||
	    gpa > UINT64_MAX - size || offset > INT64_MAX - size) {
		hvsim_log_error(lg, "MEM %#llx + %#llx at offset %#llx: bad "
				"size or alignment", (unsigned long long)gpa,
				(unsigned long long)size,
				(unsigned long long)offset);
		return -EINVAL;
	}
	for (i = 0; i < mem->n_reg; i++)
		if (gpa < mem->reg[i].gpa + mem->reg[i].size &&
		    mem->reg[i].gpa < gpa + size)
			break;
	if (i < mem->n_reg ||
	    (mem->arena != NULL && gpa < mem->gpa + mem->size &&
	     mem->gpa < gpa + size)) {
		hvsim_log_error(lg, "MEM %#llx + %#llx overlaps memory the "
				"guest lent before", (unsigned long long)gpa,
				(unsigned long long)size);
		return -EEXIST;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < offset + size) {
		hvsim_log_error(lg, "MEM descriptor is not a file of at least "
				"%llu bytes", (unsigned long long)(offset + size));
		return -EINVAL;
	}
	/* DPDK's memory files cannot be sealed: a guest that shrinks one
	 * under the mapping can fault the host (the arena is sealed). */
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, (off_t)offset);
	if (p == MAP_FAILED) {
		int rc = -errno;

		hvsim_log_error(lg, "cannot map lent guest memory: %s",
				strerror(-rc));
		return rc;
	}
	r = &mem->reg[mem->n_reg++];
	r->host = p;
	r->gpa = gpa;
	r->size = size;
	return 0;
}

/* Host pointer to [gpa, gpa + len) when it lies inside a lent region. */
static const void *
hvsim_mem_lent(const struct hvsim_mem *mem, uint64_t gpa, uint64_t len)
{
	const struct hvsim_mem_region *r;
	unsigned int i;

	for (i = 0; i < mem->n_reg; i++) {
		r = &mem->reg[i];
		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

void
hvsim_mem_unmap(struct hvsim_mem *mem)
{
	unsigned int i;

	for (i = 0; i < mem->n_reg; i++)
		munmap((void *)(uintptr_t)mem->reg[i].host, mem->reg[i].size);
	mem->n_reg = 0;
	if (mem->arena != NULL && mem->mapped)
		munmap(mem->arena, mem->size);
	mem->arena = NULL;
	mem->gpa = 0;
	mem->size = 0;
	mem->mapped = false;
	mem->same_process = false;
}

void *
hvsim_mem_ptr(const struct hvsim_mem *mem, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (mem->arena == NULL || gpa < mem->gpa)
		return NULL;
	off = gpa - mem->gpa;
	/* Overflow-safe form of off + len <= size. */
	if (off > mem->size || len > mem->size - off)
		return NULL;
	return mem->arena + off;
}

int
hvsim_mem_read(struct hvsim_mem *mem, uint64_t pfn, uint32_t off,
	       void *dst, uint32_t len)
{
	struct iovec local, remote;
	const void *lent;
	uint64_t gpa;
	void *p;
	ssize_t n;

	if (off >= VMB_PAGE_SIZE || pfn > (UINT64_MAX >> VMB_PAGE_SHIFT))
		return -EINVAL;
	gpa = (pfn << VMB_PAGE_SHIFT) + off;
	if (gpa > UINT64_MAX - len)
		return -EINVAL;
	if (len == 0)
		return 0;
	p = hvsim_mem_ptr(mem, gpa, len);
	if (p != NULL) {
		memcpy(dst, p, len);
		return 0;
	}
	if (mem->same_process) {
		/* IOVA = VA inside one process: the guest's address is ours.
		 * The guest is trusted to name its own memory here, as a
		 * kernel driver is; bounds are the guest's contract.
		 */
		memcpy(dst, (const void *)(uintptr_t)gpa, len);
		return 0;
	}
	lent = hvsim_mem_lent(mem, gpa, len);
	if (lent != NULL) {
		memcpy(dst, lent, len);
		mem->reads_lent++;
		return 0;
	}
	if (mem->pid == 0)
		return -EFAULT;
	mem->reads_peer++;
	local.iov_base = dst;
	local.iov_len = len;
	remote.iov_base = (void *)(uintptr_t)gpa;
	remote.iov_len = len;
	n = process_vm_readv(mem->pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	if ((uint32_t)n != len)
		return -EFAULT;
	return 0;
}
