/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A uio node's open and release, which a regular file does not have.
 * uio_hv_generic opens the primary channel when /dev/uioN is first opened
 * and closes it when the last reference goes (descriptors closed, the
 * mappings made through them unmapped); DPDK's netvsc (23.11 and later)
 * closes and reopens the node to change the MTU and expects a fresh
 * channel. This process's references to each node are counted here - the
 * descriptors opened by its /dev path and the mappings made through them -
 * and the first and the last are sent to the face through the node's
 * request page (uio_kpage.h), waiting for its answer as open() and close()
 * wait for the kernel. A face that does not serve the page (no magic) is
 * left alone.
 */

/* open and open64 are both defined below: keep glibc from renaming one
 * to the other (as in uioshim.c).
 */
#undef _FILE_OFFSET_BITS
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shim_priv.h"

/* The kernel answers at once; the face within a loop iteration. */
#define SHIM_KREQ_TIMEOUT_NS	(10ull * 1000 * 1000 * 1000)
#define SHIM_KREQ_POLL_NS	50000

static uint64_t
shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
shim_nap(void)
{
	struct timespec ts = { 0, SHIM_KREQ_POLL_NS };

	nanosleep(&ts, NULL);
}

/* One request to the face; 0 or a negative errno. shim_lock held. */
static int
shim_kreq(struct shim_node *nd, uint32_t op)
{
	struct uio_kpage *k = nd->kpage;
	uint32_t me = (uint32_t)getpid(), idle = 0, seq;
	uint64_t deadline = shim_now_ns() + SHIM_KREQ_TIMEOUT_NS;
	int rc = -ETIMEDOUT;

	if (k == NULL ||
	    __atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) != UIO_KPAGE_MAGIC)
		return 0;
	while (!__atomic_compare_exchange_n(&k->busy, &idle, me, false,
					    __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		if (shim_now_ns() > deadline)
			return -ETIMEDOUT;
		idle = 0;
		shim_nap();
	}
	__atomic_store_n(&k->op, op, __ATOMIC_RELAXED);
	__atomic_store_n(&k->pid, me, __ATOMIC_RELAXED);
	seq = __atomic_load_n(&k->req_seq, __ATOMIC_RELAXED) + 1;
	__atomic_store_n(&k->req_seq, seq, __ATOMIC_RELEASE);
	while (shim_now_ns() <= deadline) {
		if (__atomic_load_n(&k->ack_seq, __ATOMIC_ACQUIRE) == seq) {
			rc = __atomic_load_n(&k->result, __ATOMIC_RELAXED);
			break;
		}
		shim_nap();
	}
	__atomic_store_n(&k->busy, 0, __ATOMIC_RELEASE);
	shim_log("uioshim: uio%u %s -> %d\n", nd->num,
		 op == UIO_KOP_OPEN ? "open" : "release", rc);
	return rc;
}

static bool
shim_node_path(const char *path)
{
	const char *root = shim_env("HVSIM_UIO_DEV", "/dev");
	size_t n = strlen(root);

	if (path == NULL || strncmp(path, root, n) != 0 ||
	    strncmp(path + n, "/uio", 4) != 0)
		return false;
	path += n + 4;
	if (*path < '0' || *path > '9')
		return false;
	while (*path >= '0' && *path <= '9')
		path++;
	return *path == '\0';
}

/* A descriptor of a node opened by its path: the node's open. */
static int
shim_opened(int fd)
{
	struct shim_node *nd;
	int i = shim_node_idx(fd), rc = 0;

	if (i < 0)
		return 0;
	pthread_mutex_lock(&shim_lock);
	nd = &shim_nodes[i];
	if (nd->kpage == NULL) {
		void *p = shim_sys_mmap(NULL, shim_page_size(),
					PROT_READ | PROT_WRITE, MAP_SHARED, fd,
					(off_t)nd->kpage_off);

		if (p != MAP_FAILED)
			nd->kpage = p;
	}
	if (nd->n_fds == SHIM_FDS)
		rc = -EMFILE;
	else if (nd->n_fds == 0 && nd->n_regions == 0)
		rc = shim_kreq(nd, UIO_KOP_OPEN);
	if (rc == 0)
		nd->fds[nd->n_fds++] = fd;
	pthread_mutex_unlock(&shim_lock);
	return rc;
}

/* Drop the node's last reference if it was: the node's release. */
static void
shim_maybe_release(struct shim_node *nd)
{
	if (nd->n_fds == 0 && nd->n_regions == 0)
		(void)shim_kreq(nd, UIO_KOP_RELEASE);
}

static int
shim_open_common(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd = (int)syscall(SYS_openat, dirfd, path, flags, mode);
	int rc;

	if (fd < 0 || !shim_node_path(path))
		return fd;
	rc = shim_opened(fd);
	if (rc < 0) {
		syscall(SYS_close, fd);
		errno = -rc;
		return -1;
	}
	return fd;
}

static mode_t
shim_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

SHIM_EXPORT int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	return shim_open_common(AT_FDCWD, path, flags, mode);
}

SHIM_EXPORT int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	return shim_open_common(AT_FDCWD, path, flags, mode);
}

SHIM_EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	return shim_open_common(dirfd, path, flags, mode);
}

SHIM_EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	return shim_open_common(dirfd, path, flags, mode);
}

/* What _FORTIFY_SOURCE builds call for open() without a mode (glibc
 * declares them only under fortification).
 */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);

SHIM_EXPORT int
__open_2(const char *path, int flags)
{
	return shim_open_common(AT_FDCWD, path, flags, 0);
}

SHIM_EXPORT int
__open64_2(const char *path, int flags)
{
	return shim_open_common(AT_FDCWD, path, flags, 0);
}

SHIM_EXPORT int
close(int fd)
{
	unsigned int i, k;

	pthread_mutex_lock(&shim_lock);
	for (i = 0; i < SHIM_NODES; i++) {
		struct shim_node *nd = &shim_nodes[i];

		for (k = 0; k < nd->n_fds; k++) {
			if (nd->fds[k] != fd)
				continue;
			nd->fds[k] = nd->fds[--nd->n_fds];
			shim_maybe_release(nd);
			goto out;
		}
	}
out:
	pthread_mutex_unlock(&shim_lock);
	return (int)syscall(SYS_close, fd);
}

SHIM_EXPORT int
munmap(void *addr, size_t len)
{
	unsigned int i, k;
	int rc = (int)syscall(SYS_munmap, addr, len);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&shim_lock);
	for (i = 0; i < SHIM_NODES; i++) {
		struct shim_node *nd = &shim_nodes[i];

		for (k = 0; k < nd->n_regions; k++) {
			if (nd->regions[k].addr != addr)
				continue;
			nd->regions[k] = nd->regions[--nd->n_regions];
			shim_maybe_release(nd);
			goto out;
		}
	}
out:
	pthread_mutex_unlock(&shim_lock);
	return rc;
}
