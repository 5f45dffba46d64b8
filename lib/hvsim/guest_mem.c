/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Guest memory as the host sees it: the arena (the guest's memfd, mapped
 * here too) for rings, GPADLs and monitor pages; any other GPA - a packet
 * buffer the guest points at with GPA-direct ranges - is read directly when
 * the guest shares our process, else with process_vm_readv() on the peer.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "hvsim_priv.h"

/* Arena sizes accepted: enough for a few NICs' rings and buffers, and a
 * bound so that a hostile size cannot exhaust the host's address space.
 */
#define HVSIM_ARENA_MIN		(64 * 1024ull)
#define HVSIM_ARENA_MAX		(64ull << 30)

int
hvsim_mem_attach(struct hvsim *h, int memfd, const struct hvsim_hello *hi)
{
	struct stat st;
	void *p;

	if (hi->arena_size < HVSIM_ARENA_MIN ||
	    hi->arena_size > HVSIM_ARENA_MAX ||
	    (hi->arena_size % VMB_PAGE_SIZE) != 0 ||
	    (hi->arena_gpa % VMB_PAGE_SIZE) != 0 ||
	    hi->arena_gpa > UINT64_MAX - hi->arena_size) {
		hvsim_log_error(&h->log, "HELLO arena %#llx + %#llx: bad size "
				"or alignment",
				(unsigned long long)hi->arena_gpa,
				(unsigned long long)hi->arena_size);
		return -EINVAL;
	}
	if (fstat(memfd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < hi->arena_size) {
		hvsim_log_error(&h->log, "HELLO memfd is not a file of %llu "
				"bytes", (unsigned long long)hi->arena_size);
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
			if (!h->same_process)
				hvsim_log_error(&h->log, "arena memfd cannot "
						"be sealed against shrinking; "
						"create it with "
						"MFD_ALLOW_SEALING");
			else
				HVSIM_DEBUG(&h->log, "arena memfd not "
					    "sealable");
		}
	}
	p = mmap(NULL, hi->arena_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 memfd, 0);
	if (p == MAP_FAILED) {
		int rc = -errno;

		hvsim_log_error(&h->log, "cannot map the guest arena: %s",
				strerror(-rc));
		return rc;
	}
	h->arena = p;
	h->arena_gpa = hi->arena_gpa;
	h->arena_size = hi->arena_size;
	return 0;
}

void
hvsim_mem_detach(struct hvsim *h)
{
	if (h->arena != NULL)
		munmap(h->arena, h->arena_size);
	h->arena = NULL;
	h->arena_gpa = 0;
	h->arena_size = 0;
	h->mon_parent = NULL;
	h->mon_child = NULL;
}

void *
hvsim_arena_ptr(const struct hvsim *h, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (h->arena == NULL || gpa < h->arena_gpa)
		return NULL;
	off = gpa - h->arena_gpa;
	/* Overflow-safe form of off + len <= size. */
	if (off > h->arena_size || len > h->arena_size - off)
		return NULL;
	return h->arena + off;
}

int
hvsim_gpa_read(struct hvsim *h, uint64_t pfn, uint32_t off, void *dst,
	       uint32_t len)
{
	struct iovec local, remote;
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
	p = hvsim_arena_ptr(h, gpa, len);
	if (p != NULL) {
		memcpy(dst, p, len);
		return 0;
	}
	if (h->same_process) {
		/* IOVA = VA inside one process: the guest's address is ours.
		 * The guest is trusted to name its own memory here, as a
		 * kernel driver is; bounds are the guest's contract.
		 */
		memcpy(dst, (const void *)(uintptr_t)gpa, len);
		return 0;
	}
	if (h->pid == 0)
		return -EFAULT;
	local.iov_base = dst;
	local.iov_len = len;
	remote.iov_base = (void *)(uintptr_t)gpa;
	remote.iov_len = len;
	n = process_vm_readv(h->pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	if ((uint32_t)n != len)
		return -EFAULT;
	return 0;
}
