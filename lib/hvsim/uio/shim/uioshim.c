/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvsim_uioshim.so - LD_PRELOAD into a uio guest running over hvsim's uio
 * face (lib/hvsim/uio).
 *
 * Why it exists: a real /dev/uioN is a character device whose mmap()
 * interprets the offset as a map index - map i is mmap(fd, size_i,
 * offset = i * page size), whatever size_i is. The face cannot create a
 * character device; its /dev/uioN is an ordinary (memfd) file, where the
 * offset is a file offset. Taken literally, map0 (rings, megabytes) would
 * overlap map1..map4. This shim keeps the guest binary unmodified and
 * gives the face real sizes (2 MiB ring halves, 16 MiB buffers): an mmap
 * of a regular file that is a uio node of the face, at offset i * page
 * size for i < 5, goes to the offset where map i really is.
 *
 * The layout rule is the face's contract, read back from the same sysfs
 * the guest reads: maps lie end to end in index order, each rounded up to
 * a page; sizes from <sysfs>/bus/vmbus/devices/<dev>/uio/uioN/maps/
 * map<i>/size. A node is recognised by inode (stat of <dev>/uioN follows
 * the face's symlink to the memfd), not by name: the guest's descriptor
 * names the memfd. Character devices (a real uio) are never touched.
 *
 * The same holds for write(): on a uio node a 32-bit write is the
 * driver's interrupt control (irqcontrol), on the memfd it would land on
 * the first ring's write index. A 4-byte write to a node of the face is
 * therefore done as uio_hv_generic does it: interrupt_mask of the inbound
 * ring of the primary and of every subchannel becomes !value. The
 * kernel's other half, the signal-event hypercall for channels without a
 * monitor id, needs nothing here: the face polls every ring and counts
 * the interrupt-page bit the guest set before writing.
 *
 * Environment: HVSIM_UIO_SYSFS (default /sys), HVSIM_UIO_DEV (default
 * /dev), HVSIM_UIOSHIM_VERBOSE=1 to log every rewrite to stderr.
 *
 * The wrapper calls the mmap system call itself rather than looking up
 * libc's mmap with dlsym(): mmap runs before and inside the dynamic
 * loader and malloc, where dlsym is not yet safe.
 */

/* Both names are defined below: keep glibc from renaming mmap to mmap64
 * (meson builds with 64-bit file offsets, where off_t is 64 bits anyway).
 */
#undef _FILE_OFFSET_BITS
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

#include "vmb_ring.h"

#define SHIM_MAPS	5
#define SHIM_NODES	32
#define SHIM_EXPORT	__attribute__((visibility("default")))

struct shim_node {
	dev_t dev;
	ino_t ino;
	unsigned int num;
	char chandir[PATH_MAX];	/* <sysfs device>/channels */
	uint64_t off[SHIM_MAPS];
	uint64_t size[SHIM_MAPS];
};

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_node shim_nodes[SHIM_NODES];
static unsigned int shim_n;

static const char *
shim_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : def;
}

static void
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
static int
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

static uint64_t
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
	return 0;
}

/* Look for the face's uio node with inode (@p dev, @p ino). */
static struct shim_node *
shim_scan(dev_t dev, ino_t ino, uint64_t pg)
{
	const char *sys = shim_env("HVSIM_UIO_SYSFS", "/sys");
	const char *devroot = shim_env("HVSIM_UIO_DEV", "/dev");
	char path[PATH_MAX], uiodir[PATH_MAX];
	struct shim_node *found = NULL;
	struct dirent *de, *ue;
	DIR *d, *ud;

	if (shim_path(path, sizeof(path), "%s/bus/vmbus/devices", sys) < 0)
		return NULL;
	d = opendir(path);
	if (d == NULL)
		return NULL;
	while (found == NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (shim_path(uiodir, sizeof(uiodir), "%s/%s/uio", path,
			      de->d_name) < 0)
			continue;
		ud = opendir(uiodir);
		if (ud == NULL)
			continue;
		while (found == NULL && (ue = readdir(ud)) != NULL) {
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
			found = &shim_nodes[shim_n++];
		}
		closedir(ud);
	}
	closedir(d);
	return found;
}

static uint64_t
shim_page_size(void)
{
	static long pgsz;

	if (pgsz == 0)
		pgsz = sysconf(_SC_PAGESIZE);
	return (uint64_t)pgsz;
}

/* Is @p fd a uio node of the face? Fills @p copy. errno is kept. */
static bool
shim_node_of(int fd, struct shim_node *copy)
{
	struct shim_node *nd = NULL;
	struct stat st;
	unsigned int i;
	int saved = errno;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		errno = saved;
		return false;
	}
	pthread_mutex_lock(&shim_lock);
	for (i = 0; i < shim_n; i++)
		if (shim_nodes[i].dev == st.st_dev &&
		    shim_nodes[i].ino == st.st_ino)
			nd = &shim_nodes[i];
	if (nd == NULL)
		nd = shim_scan(st.st_dev, st.st_ino, shim_page_size());
	if (nd != NULL)
		*copy = *nd;
	pthread_mutex_unlock(&shim_lock);
	errno = saved;
	return nd != NULL;
}

/* New offset for map @p idx of @p fd, or -1: not a node of the face
 * (leave the call alone), or -2: a node, but @p len does not fit map idx.
 */
static long long
shim_translate(int fd, unsigned int idx, size_t len, uint64_t pg)
{
	struct shim_node copy;

	if (!shim_node_of(fd, &copy))
		return -1;
	/* A uio node refuses a mapping larger than the map. */
	if (len > shim_page_up(copy.size[idx], pg))
		return -2;
	shim_log("uioshim: mmap(uio%u, len=%#zx, map%u) -> file offset %#llx\n",
		 copy.num, len, idx, (unsigned long long)copy.off[idx]);
	return (long long)copy.off[idx];
}

static void *
shim_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);

	return r == -1 ? MAP_FAILED : (void *)r;
}

SHIM_EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long long real;
	uint64_t pg;

	if (fd < 0 || off < 0)
		return shim_sys_mmap(addr, len, prot, flags, fd, off);
	pg = shim_page_size();
	if ((uint64_t)off % pg != 0 || (uint64_t)off / pg >= SHIM_MAPS)
		return shim_sys_mmap(addr, len, prot, flags, fd, off);
	real = shim_translate(fd, (unsigned int)((uint64_t)off / pg), len, pg);
	if (real == -2) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (real >= 0)
		off = (off_t)real;
	return shim_sys_mmap(addr, len, prot, flags, fd, off);
}

/* Same symbol on LP64 glibc; some callers name it explicitly. */
SHIM_EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

/* interrupt_mask of the inbound (second) half of a ring file of
 * @p ring_bytes at @p fd, whose first half is the outbound ring.
 */
static int
shim_set_mask(int fd, uint64_t ring_bytes, uint64_t base, uint32_t mask)
{
	off_t at = (off_t)(base + ring_bytes / 2 +
			   offsetof(struct vmb_ring_hdr, interrupt_mask));

	return syscall(SYS_pwrite64, fd, &mask, sizeof(mask), at) ==
		(long)sizeof(mask) ? 0 : -1;
}

/* uio_hv_generic's irqcontrol for the device of node @p nd (open as
 * @p fd): the primary's ring is map0 of the node, each subchannel's is
 * channels/<relid>/ring; the primary's entry there is the node itself.
 */
static int
shim_irqcontrol(const struct shim_node *nd, int fd, int32_t on)
{
	uint32_t mask = on ? 0 : 1;
	char path[PATH_MAX];
	struct dirent *de;
	int rc, bad = 0;
	DIR *d;

	rc = shim_set_mask(fd, nd->size[0], nd->off[0], mask);
	d = opendir(nd->chandir);
	while (rc == 0 && d != NULL && (de = readdir(d)) != NULL) {
		struct stat st;
		int rfd;

		if (de->d_name[0] == '.' ||
		    shim_path(path, sizeof(path), "%s/%s/ring", nd->chandir,
			      de->d_name) < 0)
			continue;
		rfd = open(path, O_RDWR | O_CLOEXEC);
		if (rfd < 0)
			continue;	/* not published yet */
		if (fstat(rfd, &st) == 0 &&
		    !(st.st_dev == nd->dev && st.st_ino == nd->ino))
			bad |= shim_set_mask(rfd, (uint64_t)st.st_size, 0,
					     mask);
		close(rfd);
	}
	if (d != NULL)
		closedir(d);
	shim_log("uioshim: irqcontrol(uio%u, %d)\n", nd->num, (int)on);
	return rc | bad;
}

SHIM_EXPORT ssize_t
write(int fd, const void *buf, size_t count)
{
	struct shim_node nd;
	int32_t on;

	if (count != sizeof(on) || buf == NULL || !shim_node_of(fd, &nd))
		return syscall(SYS_write, fd, buf, count);
	memcpy(&on, buf, sizeof(on));
	if (shim_irqcontrol(&nd, fd, on) < 0) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)sizeof(on);
}
