/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The sim backend's guest memory arena: one memfd, mapped shared in our
 * process and in hvsim's, so every ring, GPADL buffer and monitor page the
 * host must see lives in it. Allocation is first fit over a sorted list of
 * free page runs; freed runs are punched out of the memfd, which both gives
 * the memory back and makes the next user see zeroes.
 */

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmb_pkt.h"
#include "sim.h"

#define ARENA_PAGE	((size_t)VMB_PAGE_SIZE)

static size_t
arena_round(size_t len)
{
	return (len + ARENA_PAGE - 1) & ~(ARENA_PAGE - 1);
}

int
hvbus_arena_create(struct hvbus_arena *a, size_t size)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->memfd = -1;
	size = arena_round(size);
	if (size < 4 * ARENA_PAGE)
		return -EINVAL;
	a->memfd = memfd_create("hvbus-arena", MFD_CLOEXEC);
	if (a->memfd < 0)
		return -errno;
	if (ftruncate(a->memfd, (off_t)size) < 0)
		goto fail;
	a->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       a->memfd, 0);
	if (a->base == MAP_FAILED) {
		a->base = NULL;
		goto fail;
	}
	a->cap = 16;
	a->free = calloc(a->cap, sizeof(*a->free));
	if (a->free == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	a->free[0].off = 0;
	a->free[0].len = size;
	a->n_free = 1;
	a->size = size;
	pthread_mutex_init(&a->lock, NULL);
	return 0;
fail:
	rc = -errno;
	hvbus_arena_destroy(a);
	return rc;
}

void
hvbus_arena_destroy(struct hvbus_arena *a)
{
	if (a->base != NULL)
		munmap(a->base, a->size);
	if (a->memfd >= 0)
		close(a->memfd);
	free(a->free);
	if (a->cap != 0)
		pthread_mutex_destroy(&a->lock);
	memset(a, 0, sizeof(*a));
	a->memfd = -1;
}

void *
hvbus_arena_alloc(struct hvbus_arena *a, size_t len)
{
	void *va = NULL;
	unsigned int i;

	if (len == 0 || len > a->size)
		return NULL;
	len = arena_round(len);
	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->n_free; i++) {
		struct hvbus_extent *e = &a->free[i];

		if (e->len < len)
			continue;
		va = a->base + e->off;
		e->off += len;
		e->len -= len;
		if (e->len == 0) {
			memmove(e, e + 1, (a->n_free - i - 1) * sizeof(*e));
			a->n_free--;
		}
		a->in_use += len;
		break;
	}
	pthread_mutex_unlock(&a->lock);
	return va;
}

/* Insert [off, off + len) into the free list, merging neighbours. */
static int
arena_insert(struct hvbus_arena *a, size_t off, size_t len)
{
	unsigned int i = 0;
	bool merged = false;

	while (i < a->n_free && a->free[i].off < off)
		i++;
	/* Overlap with a free neighbour means a double free: refuse it
	 * rather than hand the same pages out twice.
	 */
	if ((i > 0 && a->free[i - 1].off + a->free[i - 1].len > off) ||
	    (i < a->n_free && off + len > a->free[i].off))
		return -EINVAL;
	if (i > 0 && a->free[i - 1].off + a->free[i - 1].len == off) {
		a->free[i - 1].len += len;
		merged = true;
		if (i < a->n_free && off + len == a->free[i].off) {
			a->free[i - 1].len += a->free[i].len;
			memmove(&a->free[i], &a->free[i + 1],
				(a->n_free - i - 1) * sizeof(a->free[0]));
			a->n_free--;
		}
	} else if (i < a->n_free && off + len == a->free[i].off) {
		a->free[i].off = off;
		a->free[i].len += len;
		merged = true;
	}
	if (merged)
		return 0;
	if (a->n_free == a->cap) {
		struct hvbus_extent *n = realloc(a->free,
						 2 * a->cap * sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		a->free = n;
		a->cap *= 2;
	}
	memmove(&a->free[i + 1], &a->free[i],
		(a->n_free - i) * sizeof(a->free[0]));
	a->free[i].off = off;
	a->free[i].len = len;
	a->n_free++;
	return 0;
}

void
hvbus_arena_free(struct hvbus_arena *a, void *va, size_t len)
{
	size_t off;

	if (va == NULL)
		return;
	len = arena_round(len);
	off = (size_t)((uint8_t *)va - a->base);
	if ((uint8_t *)va < a->base || off > a->size || len > a->size - off ||
	    (off & (ARENA_PAGE - 1)))
		return;
	/* Zero and release the pages; if the kernel cannot punch, clear
	 * them by hand so the next allocation still starts from zeroes.
	 */
	if (fallocate(a->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		memset(va, 0, len);
	pthread_mutex_lock(&a->lock);
	if (arena_insert(a, off, len) == 0)
		a->in_use -= len;
	pthread_mutex_unlock(&a->lock);
}

size_t
hvbus_arena_in_use(struct hvbus_arena *a)
{
	size_t n;

	pthread_mutex_lock(&a->lock);
	n = a->in_use;
	pthread_mutex_unlock(&a->lock);
	return n;
}
