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
/* Both names are defined below: keep glibc from renaming mmap to mmap64
 * (meson builds with 64-bit file offsets, where off_t is 64 bits anyway).
 */
#undef _FILE_OFFSET_BITS
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim_priv.h"
#include "vmb_ring.h"

SHIM_EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	unsigned int map;
	uint64_t pg;
	void *p;
	int i;

	if (fd < 0 || off < 0)
		return shim_sys_mmap(addr, len, prot, flags, fd, off);
	pg = shim_page_size();
	if ((uint64_t)off % pg != 0 || (uint64_t)off / pg >= SHIM_MAPS)
		return shim_sys_mmap(addr, len, prot, flags, fd, off);
	i = shim_node_idx(fd);
	if (i < 0)
		return shim_sys_mmap(addr, len, prot, flags, fd, off);
	map = (unsigned int)((uint64_t)off / pg);
	/* A uio node refuses a mapping larger than the map; the entry's
	 * sizes never change once found, so no lock for reading them. */
	if (len > shim_page_up(shim_nodes[i].size[map], pg)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	shim_log("uioshim: mmap(uio%u, len=%#zx, map%u) -> file offset "
		 "%#llx\n", shim_nodes[i].num, len, map,
		 (unsigned long long)shim_nodes[i].off[map]);
	p = shim_sys_mmap(addr, len, prot, flags, fd,
			  (off_t)shim_nodes[i].off[map]);
	if (p != MAP_FAILED)
		shim_mapped(i, fd, p, len);
	return p;
}

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
	int32_t on;
	int i;

	if (count != sizeof(on) || buf == NULL ||
	    (i = shim_node_idx(fd)) < 0)
		return syscall(SYS_write, fd, buf, count);
	memcpy(&on, buf, sizeof(on));
	if (shim_irqcontrol(&shim_nodes[i], fd, on) < 0) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)sizeof(on);
}
