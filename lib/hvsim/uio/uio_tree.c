/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The sysfs and /dev entries of the uio face, as uio_hv_generic shows
 * them and as DPDK 22.11's vmbus bus reads them: every value ends in a
 * newline (its parser insists on one), sizes in hex as uio prints them,
 * GPADL handles in decimal in the recv:/send: map names. A subchannel's
 * directory and its subchannel_id and monitor_id (none without monitor
 * ids) come first; its ring appears last, renamed into place, because a
 * guest polling the directory takes a channel whose ring is accessible
 * as complete.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uio_priv.h"

static const char *const uio_map_names[UIO_MAP_COUNT] = {
	"txrx_rings", "int_page", "monitor_page", "recv", "send",
};

/* mkdir -p for the part below a root we were given. */
static int
uio_mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		tmp[i] = i < n ? '/' : '\0';
	}
	return 0;
}

static int
uio_write(const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX], buf[128];
	va_list ap;
	int fd, len, n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -EINVAL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
	if (fd < 0)
		return -errno;
	n = (int)write(fd, buf, (size_t)len);
	close(fd);
	return n == len ? 0 : -EIO;
}

static int
uio_subdir(char *out, size_t len, const char *dir, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	n = snprintf(out, len, "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return uio_mkdirs(out);
}

static int
uio_tree_maps(struct uio_nic *n)
{
	char maps[PATH_MAX], d[PATH_MAX];
	unsigned int i;
	int rc;

	rc = uio_subdir(maps, sizeof(maps), n->dir, "uio/uio%u", n->uio_num);
	if (rc < 0)
		return rc;
	/* Read by nobody we know of; there for tools that look. */
	if ((rc = uio_write(maps, "name", "uio_hv_generic\n")) < 0 ||
	    (rc = uio_write(maps, "version", "0.02.1\n")) < 0 ||
	    (rc = uio_write(maps, "event", "0\n")) < 0)
		return rc;
	for (i = 0; i < UIO_MAP_COUNT; i++) {
		rc = uio_subdir(d, sizeof(d), maps, "maps/map%u", i);
		if (rc < 0)
			return rc;
		if (i == UIO_MAP_RECV)
			rc = uio_write(d, "name", "recv:%u\n", n->gpadl_recv);
		else if (i == UIO_MAP_SEND)
			rc = uio_write(d, "name", "send:%u\n", n->gpadl_send);
		else
			rc = uio_write(d, "name", "%s\n", uio_map_names[i]);
		if (rc == 0)
			rc = uio_write(d, "size", "0x%016llx\n",
				       (unsigned long long)n->map_size[i]);
		/* addr and offset: a kernel shows a physical address and
		 * the in-page offset; the file offset is the shim's rule.
		 */
		if (rc == 0)
			rc = uio_write(d, "addr", "0x%016llx\n",
				       (unsigned long long)(n->file.gpa +
							    n->map_off[i]));
		if (rc == 0)
			rc = uio_write(d, "offset", "0x0\n");
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
uio_tree_nic(struct hvsim_uio *u, struct uio_nic *n)
{
	char target[64];
	int rc, len;

	len = snprintf(n->dir, sizeof(n->dir), "%s/bus/vmbus/devices/%s",
		       u->sysfs_root, n->guid);
	if (len < 0 || (size_t)len >= sizeof(n->dir))
		return -ENAMETOOLONG;
	rc = uio_mkdirs(n->dir);
	if (rc < 0)
		return rc;
	n->dir_made = true;
	if ((rc = uio_write(n->dir, "class_id",
			    "{f8615163-df3e-46c5-913f-f2d2f965ed0e}\n")) < 0 ||
	    (rc = uio_write(n->dir, "device_id", "{%s}\n", n->guid)) < 0 ||
	    (rc = uio_write(n->dir, "id", "%u\n", n->ch[0].relid)) < 0 ||
	    (rc = uio_write(n->dir, "numa_node", "0\n")) < 0)
		return rc;
	/* Linux hides the monitor attributes of a channel offered without
	 * a monitor id. */
	if (!u->cfg.no_monitor &&
	    (rc = uio_write(n->dir, "monitor_id", "%u\n",
			    n->ch[0].monitor_id)) < 0)
		return rc;
	rc = uio_tree_maps(n);
	if (rc < 0)
		return rc;
	/* The primary's ring attribute: DPDK tests it for access only (its
	 * "can this kernel do subchannels" check); its first bytes are map0.
	 */
	rc = uio_tree_chan_dir(u, n, &n->ch[0], 0);
	if (rc == 0)
		rc = uio_tree_chan_ring(u, n, &n->ch[0], &n->file);
	if (rc < 0)
		return rc;
	/* The node last: a scan that sees the device can map it. */
	len = snprintf(n->node, sizeof(n->node), "%s/uio%u", u->dev_root,
		       n->uio_num);
	if (len < 0 || (size_t)len >= sizeof(n->node))
		return -ENAMETOOLONG;
	rc = uio_region_link_target(&n->file, target, sizeof(target));
	if (rc < 0)
		return rc;
	if (symlink(target, n->node) < 0)
		return -errno;
	n->node_made = true;
	return 0;
}

int
uio_tree_chan_dir(struct hvsim_uio *u, struct uio_nic *n, struct uio_chan *ch,
		  unsigned int sub)
{
	char d[PATH_MAX];
	int rc;

	rc = uio_subdir(d, sizeof(d), n->dir, "channels/%u", ch->relid);
	if (rc < 0)
		return rc;
	/* DPDK reads these two with fscanf("%lu"): no newline needed, but
	 * the kernel writes one.
	 */
	rc = uio_write(d, "subchannel_id", "%u\n", sub);
	if (rc == 0 && !u->cfg.no_monitor)
		rc = uio_write(d, "monitor_id", "%u\n", ch->monitor_id);
	return rc;
}

int
uio_tree_chan_ring(struct hvsim_uio *u, struct uio_nic *n, struct uio_chan *ch,
		   const struct uio_region *ring)
{
	char tmp[PATH_MAX], final[PATH_MAX], target[64];
	int rc, a, b;

	(void)u;
	a = snprintf(tmp, sizeof(tmp), "%s/channels/%u/.ring.new", n->dir,
		     ch->relid);
	b = snprintf(final, sizeof(final), "%s/channels/%u/ring", n->dir,
		     ch->relid);
	if (a < 0 || b < 0 || (size_t)a >= sizeof(tmp) ||
	    (size_t)b >= sizeof(final))
		return -ENAMETOOLONG;
	rc = uio_region_link_target(ring, target, sizeof(target));
	if (rc < 0)
		return rc;
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		return -errno;
	if (rename(tmp, final) < 0) {
		rc = -errno;
		unlink(tmp);
		return rc;
	}
	ch->published = true;
	return 0;
}

static int
uio_rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	remove(path);
	return 0;
}

void
uio_tree_remove(struct hvsim_uio *u, struct uio_nic *n)
{
	(void)u;
	if (n->node_made)
		unlink(n->node);
	n->node_made = false;
	/* Depth first, never following a link out of the directory. */
	if (n->dir_made)
		nftw(n->dir, uio_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	n->dir_made = false;
}

void
uio_tree_chan_remove(struct hvsim_uio *u, struct uio_nic *n,
		     struct uio_chan *ch)
{
	char d[PATH_MAX];
	int len;

	(void)u;
	len = snprintf(d, sizeof(d), "%s/channels/%u", n->dir, ch->relid);
	if (len < 0 || (size_t)len >= sizeof(d))
		return;
	nftw(d, uio_rm_one, 4, FTW_DEPTH | FTW_PHYS);
}
