/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The shim's table of the face's uio nodes (shim_priv.h): a node is found
 * by the inode of a descriptor - stat of <dev>/uioN follows the face's
 * symlink to the memfd - in the uio directories of the sysfs the guest
 * reads, with its map sizes and the face's layout rule (maps end to end,
 * page-rounded, the request page after them). Below both uioshim.c and
 * uioshim_life.c; calls neither.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim_priv.h"

/* Recursive: the scan below opens and closes sysfs files, and close()
 * is ours too (uioshim_life.c).
 */
pthread_mutex_t shim_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
struct shim_node shim_nodes[SHIM_NODES];
static unsigned int shim_n;

const char *
shim_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : def;
}

void
shim_log(const char *fmt, ...)
{
	const char *v = getenv("HVSIM_UIOSHIM_VERBOSE");
	char buf[256];
	va_list ap;
	int n;

	if (v == NULL || v[0] == '\0' || v[0] == '0')
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* The system call itself: write() below is ours. */
	if (n > 0)
		(void)!syscall(SYS_write, STDERR_FILENO, buf,
			       (size_t)n < sizeof(buf) ? (size_t)n :
			       sizeof(buf) - 1);
}

/* snprintf that reports truncation: a path cut short must not be used. */
int
shim_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A sysfs number as uio prints it ("0x...\n"); 0 when unreadable. */
static uint64_t
shim_read_u64(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 0);
}

uint64_t
shim_page_up(uint64_t v, uint64_t pg)
{
	return (v + pg - 1) / pg * pg;
}

/* Fill @p nd from the uio directory of a vmbus device. */
static int
shim_node_load(const char *uiodir, unsigned int num, struct shim_node *nd,
	       uint64_t pg)
{
	char path[PATH_MAX];
	uint64_t off = 0;
	unsigned int i;

	nd->num = num;
	for (i = 0; i < SHIM_MAPS; i++) {
		if (shim_path(path, sizeof(path), "%s/uio%u/maps/map%u/size",
			      uiodir, num, i) < 0)
			return -1;
		nd->size[i] = shim_read_u64(path);
		if (nd->size[i] == 0)
			return -1;
		nd->off[i] = off;
		off += shim_page_up(nd->size[i], pg);
	}
	nd->kpage_off = off;	/* the face's layout: right after map4 */
	return 0;
}

/* Look for the face's uio node with inode (@p dev, @p ino); its index
 * in the table or -1. Called with shim_lock held.
 */
static int
shim_scan(dev_t dev, ino_t ino, uint64_t pg)
{
	const char *sys = shim_env("HVSIM_UIO_SYSFS", "/sys");
	const char *devroot = shim_env("HVSIM_UIO_DEV", "/dev");
	char path[PATH_MAX], uiodir[PATH_MAX];
	int found = -1;
	struct dirent *de, *ue;
	DIR *d, *ud;

	if (shim_path(path, sizeof(path), "%s/bus/vmbus/devices", sys) < 0)
		return -1;
	d = opendir(path);
	if (d == NULL)
		return -1;
	while (found < 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (shim_path(uiodir, sizeof(uiodir), "%s/%s/uio", path,
			      de->d_name) < 0)
			continue;
		ud = opendir(uiodir);
		if (ud == NULL)
			continue;
		while (found < 0 && (ue = readdir(ud)) != NULL) {
			struct shim_node nd;
			struct stat st;
			unsigned int num;
			char node[PATH_MAX];

			if (strncmp(ue->d_name, "uio", 3) != 0 ||
			    !isdigit((unsigned char)ue->d_name[3]))
				continue;
			num = (unsigned int)strtoul(ue->d_name + 3, NULL, 10);
			if (shim_path(node, sizeof(node), "%s/uio%u", devroot,
				      num) < 0 || stat(node, &st) < 0 || st.st_dev != dev ||
			    st.st_ino != ino)
				continue;
			memset(&nd, 0, sizeof(nd));
			nd.dev = dev;
			nd.ino = ino;
			if (shim_path(nd.chandir, sizeof(nd.chandir),
				      "%s/%s/channels", path, de->d_name) < 0 ||
			    shim_node_load(uiodir, num, &nd, pg) < 0 ||
			    shim_n == SHIM_NODES)
				continue;
			shim_nodes[shim_n] = nd;
			found = (int)shim_n++;
		}
		closedir(ud);
	}
	closedir(d);
	return found;
}

uint64_t
shim_page_size(void)
{
	static long pgsz;

	if (pgsz == 0)
		pgsz = sysconf(_SC_PAGESIZE);
	return (uint64_t)pgsz;
}

int
shim_node_idx(int fd)
{
	struct stat st;
	int saved = errno, idx = -1;
	unsigned int i;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		errno = saved;
		return -1;
	}
	pthread_mutex_lock(&shim_lock);
	for (i = 0; i < shim_n && idx < 0; i++)
		if (shim_nodes[i].dev == st.st_dev &&
		    shim_nodes[i].ino == st.st_ino)
			idx = (int)i;
	if (idx < 0)
		idx = shim_scan(st.st_dev, st.st_ino, shim_page_size());
	pthread_mutex_unlock(&shim_lock);
	errno = saved;
	return idx;
}

void *
shim_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);

	return r == -1 ? MAP_FAILED : (void *)r;
}

void
shim_mapped(int i, int fd, void *addr, size_t len)
{
	struct shim_node *nd = &shim_nodes[i];
	unsigned int k;

	pthread_mutex_lock(&shim_lock);
	for (k = 0; k < nd->n_fds; k++) {
		if (nd->fds[k] != fd)
			continue;
		/* Only mappings through a descriptor of the node hold it. */
		if (nd->n_regions < SHIM_REGIONS) {
			nd->regions[nd->n_regions].addr = addr;
			nd->regions[nd->n_regions].len = len;
			nd->n_regions++;
		}
		break;
	}
	pthread_mutex_unlock(&shim_lock);
}
