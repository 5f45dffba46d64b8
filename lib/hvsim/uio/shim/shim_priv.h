/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Private to hvsim_uioshim.so: the table of the face's uio nodes this
 * process met (shim_nodes.c finds them; uioshim.c rewrites mmap and
 * write; uioshim_life.c tracks open, close and munmap for the node's open
 * and release). Nothing here is exported from the library.
 */

#ifndef HVSIM_UIOSHIM_PRIV_H
#define HVSIM_UIOSHIM_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "uio_kpage.h"

#define SHIM_MAPS	5	/* uio maps of a node */
#define SHIM_NODES	32
#define SHIM_FDS	8	/* descriptors of one node this process holds */
#define SHIM_REGIONS	16	/* mappings of one node made through them */
#define SHIM_EXPORT	__attribute__((visibility("default")))

struct shim_region {
	void *addr;
	size_t len;
};

struct shim_node {
	dev_t dev;
	ino_t ino;
	unsigned int num;
	char chandir[PATH_MAX];	/* <sysfs device>/channels */
	uint64_t off[SHIM_MAPS];
	uint64_t size[SHIM_MAPS];
	uint64_t kpage_off;	/* the face's request page */
	struct uio_kpage *kpage;	/* our mapping of it, once opened */
	int fds[SHIM_FDS];
	unsigned int n_fds;
	struct shim_region regions[SHIM_REGIONS];
	unsigned int n_regions;
};

/* The table only grows: an index stays valid. Entries change under
 * shim_lock (recursive) only.
 */
extern pthread_mutex_t shim_lock;
extern struct shim_node shim_nodes[SHIM_NODES];

void shim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int shim_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *shim_env(const char *name, const char *def);
uint64_t shim_page_size(void);
uint64_t shim_page_up(uint64_t v, uint64_t pg);
/* Index of the node @p fd names, or -1 (not a node of the face); errno
 * is kept. Takes shim_lock.
 */
int shim_node_idx(int fd);
void *shim_sys_mmap(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off);

/* A mapping of node @p i made through descriptor @p fd: counted as a
 * reference when @p fd is one of the node's (uioshim_life.c). */
void shim_mapped(int i, int fd, void *addr, size_t len);

#endif /* HVSIM_UIOSHIM_PRIV_H */
