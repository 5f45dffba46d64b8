/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * uio backend: devices bound to Linux uio_hv_generic. The kernel owns
 * channel management there - it opened the primary channel and shared the
 * receive and send buffers at bind time, it opens subchannels as the host
 * offers them and it sends RELID_RELEASED - so this backend plays the host
 * for the control thread: it answers the messages the bus sends from what
 * the kernel exposes, and it turns what the kernel shows into host
 * messages:
 *
 *   <sysfs>/<instance>/{class_id,device_id,id,monitor_id}  -> OFFERCHANNEL
 *   <sysfs>/<instance>/channels/<relid>/{subchannel_id,monitor_id,ring}
 *                                        -> OFFERCHANNEL of a subchannel
 *   a channel directory, or the device directory, going away,
 *   or a read of /dev/uioN failing (the kernel's rescind notice)
 *                                        -> RESCIND_CHANNELOFFER
 *   /dev/uioN maps: 0 rings of the primary (tx half, rx half),
 *                   2 monitor page, 3 "recv:<gpadl>", 4 "send:<gpadl>"
 *
 * Messages wait in a small queue; be->fd is an eventfd that is readable
 * while it is not empty. Everything runs on the control thread except
 * open(), which runs in scan before that thread starts.
 *
 * Interrupts: uio_hv_generic counts the host's signals for a device's
 * channels in /dev/uioN (a 4-byte read returns the count); be->intr_fd is
 * an epoll set of those nodes, and the control thread's read of one names
 * its device to the bus (intr.c). The kernel masks the channel it took
 * the signal on; the driver unmasks it when it arms again. The rescind
 * check reads the same nodes, on the same thread: a count it consumes is
 * handed on the same way.
 *
 * Facts from DPDK's own vmbus bus and uio_hv_generic; tested against fake
 * trees and hvsim's uio_hv_generic face. Settings: uio.h, uio_config.c.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvbus_state.h"
#include "vmb_monitor.h"
#include "uio_config.h"

#define UIO_MAX_DEV	16
#define UIO_MAPS	5
#define UIO_QUEUE	512

struct uio_chan {
	uint32_t relid;
	uint16_t subidx;
	uint8_t monitor_id;
	bool rescinded;
	void *ring;		/* subchannels: their ring file, mapped */
	size_t ring_len;
};

struct uio_dev {
	char dir[64];		/* entry name under sysfs */
	struct vmb_guid cls, inst;
	uint8_t monitor_id;
	int fd;			/* /dev/uioN */
	void *map[UIO_MAPS];
	size_t size[UIO_MAPS];
	uint32_t buf_handle[2];	/* recv, send */
	bool gone;
	bool intr_capable;	/* in the epoll set: a real uio node */
	bool intr_seen;		/* a count the rescind check consumed */
	struct uio_chan chan[HVBUS_MAX_CHAN];	/* by subchannel index */
};

static struct {
	const struct hvbus_uio_conf *cfg;
	struct uio_dev dev[UIO_MAX_DEV];
	unsigned int n_dev;
	struct {
		uint32_t len;
		union vmb_msg m;
	} q[UIO_QUEUE];
	unsigned int q_head, q_len;
	bool offered;
	int intr_ep;		/* epoll of the nodes and intr_self */
	int intr_self;		/* eventfd: counts intr_seen */
} uio;

static void
uio_push(struct hvbus_backend *be, const union vmb_msg *m, int len)
{
	uint64_t one = 1;
	unsigned int tail;

	if (len <= 0)
		return;
	if (uio.q_len == UIO_QUEUE) {
		HVBUS_LOG(ERR, "uio: message queue full, %s dropped",
			  vmb_msg_name(m->hdr.type));
		return;
	}
	tail = (uio.q_head + uio.q_len) % UIO_QUEUE;
	uio.q[tail].len = (uint32_t)len;
	uio.q[tail].m = *m;
	uio.q_len++;
	if (write(be->fd, &one, sizeof(one)) < 0)
		HVBUS_LOG(WARNING, "uio: eventfd: %s", strerror(errno));
}

/*
 * snprintf for paths: a path that does not fit is an error (the open
 * that follows fails), never a silently different file.
 */
static int __attribute__((format(printf, 3, 4)))
uio_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Read a one-line sysfs attribute into @buf, newline stripped. */
static int
uio_read_attr(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (f == NULL)
		return -errno;
	if (fgets(buf, (int)len, f) == NULL) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl != NULL)
		*nl = '\0';
	return 0;
}

static int
uio_read_ulong(const char *path, unsigned long max, unsigned long *v)
{
	char buf[64], *end;
	int rc = uio_read_attr(path, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	errno = 0;
	*v = strtoul(buf, &end, 0);
	if (errno != 0 || end == buf || *end != '\0' || *v > max)
		return -EINVAL;
	return 0;
}

/* A GUID attribute, with or without braces. */
static int
uio_read_guid(const char *path, struct vmb_guid *g)
{
	char buf[64], *p = buf;
	size_t n;
	int rc = uio_read_attr(path, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	n = strlen(p);
	if (n > 0 && p[0] == '{' && p[n - 1] == '}') {
		p[n - 1] = '\0';
		p++;
	}
	return vmb_guid_parse(p, g);
}

static int
uio_number(const char *devdir)
{
	char path[512];
	struct dirent *e;
	DIR *d;
	int n = -1;

	uio_path(path, sizeof(path), "%s/uio", devdir);
	d = opendir(path);
	if (d == NULL)
		return -ENOENT;
	while ((e = readdir(d)) != NULL)
		if (sscanf(e->d_name, "uio%d", &n) == 1)
			break;
	closedir(d);
	return n >= 0 ? n : -ENOENT;
}

static int
uio_map_dev(struct uio_dev *u, const char *devdir, int uio_no)
{
	static const char *const names[UIO_MAPS] = {
		"txrx_rings", "int_page", "monitor_page", "recv:", "send:",
	};
	char path[512], name[64];
	unsigned long size;
	off_t off = 0;
	int i, rc;

	uio_path(path, sizeof(path), "%s/uio%d", uio.cfg->devroot, uio_no);
	u->fd = open(path, O_RDWR | O_CLOEXEC);
	if (u->fd < 0)
		return -errno;
	for (i = 0; i < UIO_MAPS; i++) {
		uio_path(path, sizeof(path), "%s/uio/uio%d/maps/map%d/name",
			 devdir, uio_no, i);
		rc = uio_read_attr(path, name, sizeof(name));
		if (rc < 0 || strncmp(name, names[i], strlen(names[i])) != 0)
			return rc < 0 ? rc : -EINVAL;
		if (i >= 3) {
			char *end;
			unsigned long h;

			errno = 0;
			h = strtoul(name + strlen(names[i]), &end, 0);
			if (errno != 0 || *end != '\0' || h == 0 ||
			    h > UINT32_MAX)
				return -EINVAL;
			u->buf_handle[i - 3] = (uint32_t)h;
		}
		uio_path(path, sizeof(path), "%s/uio/uio%d/maps/map%d/size",
			 devdir, uio_no, i);
		rc = uio_read_ulong(path, 1ul << 30, &size);
		if (rc < 0 || size == 0 || size % VMB_PAGE_SIZE != 0)
			return rc < 0 ? rc : -EINVAL;
		/* The kernel selects map i by offset i * page size. */
		if (!uio.cfg->linear)
			off = (off_t)i * sysconf(_SC_PAGESIZE);
		u->map[i] = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, u->fd, off);
		if (u->map[i] == MAP_FAILED) {
			u->map[i] = NULL;
			return -errno;
		}
		u->size[i] = size;
		off += (off_t)size;
	}
	return 0;
}

static void
uio_unmap_dev(struct uio_dev *u)
{
	unsigned int i;

	for (i = 0; i < UIO_MAPS; i++)
		if (u->map[i] != NULL)
			munmap(u->map[i], u->size[i]);
	for (i = 0; i < HVBUS_MAX_CHAN; i++)
		if (u->chan[i].ring != NULL)
			munmap(u->chan[i].ring, u->chan[i].ring_len);
	if (u->fd >= 0)
		close(u->fd);
	memset(u, 0, sizeof(*u));
	u->fd = -1;
}

/* One netvsc device directory: attributes, uio maps. */
static int
uio_add_dev(const char *name)
{
	struct uio_dev *u = &uio.dev[uio.n_dev];
	char dir[512], path[600];
	unsigned long v;
	int rc, n;

	memset(u, 0, sizeof(*u));
	u->fd = -1;
	uio_path(dir, sizeof(dir), "%s/%s", uio.cfg->sysfs, name);
	uio_path(path, sizeof(path), "%s/class_id", dir);
	if (uio_read_guid(path, &u->cls) < 0 ||
	    !vmb_guid_equal(&u->cls, &vmb_guid_netvsc))
		return 0;	/* not a NIC: the kernel keeps it */
	uio_path(path, sizeof(path), "%s/device_id", dir);
	rc = uio_read_guid(path, &u->inst);
	uio_path(path, sizeof(path), "%s/id", dir);
	if (rc == 0)
		rc = uio_read_ulong(path, VMB_MAX_RELID - 1, &v);
	if (rc < 0 || v == 0) {
		HVBUS_LOG(ERR, "uio: %s: bad device_id or id", name);
		return 0;
	}
	u->chan[0].relid = (uint32_t)v;
	uio_path(path, sizeof(path), "%s/monitor_id", dir);
	if (uio_read_ulong(path, VMB_MONITOR_IDS - 1, &v) < 0) {
		HVBUS_LOG(ERR, "uio: %s: no usable monitor_id", name);
		return 0;
	}
	u->monitor_id = (uint8_t)v;
	u->chan[0].monitor_id = (uint8_t)v;
	n = uio_number(dir);
	if (n < 0) {
		HVBUS_LOG(INFO, "uio: %s is not bound to uio_hv_generic", name);
		return 0;
	}
	rc = uio_map_dev(u, dir, n);
	if (rc < 0) {
		HVBUS_LOG(ERR, "uio: %s: cannot map uio%d: %s", name, n,
			  strerror(-rc));
		uio_unmap_dev(u);
		return 0;
	}
	snprintf(u->dir, sizeof(u->dir), "%s", name);
	uio.n_dev++;
	return 0;
}

/* For backend auto: is a netvsc device bound to uio_hv_generic here? */
bool
hvbus_uio_detect(void)
{
	const char *root = hvbus_uio_conf.sysfs;
	char dir[512], path[600];
	struct vmb_guid cls;
	struct dirent *e;
	bool found = false;
	DIR *d;

	d = opendir(root);
	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    uio_path(dir, sizeof(dir), "%s/%s", root, e->d_name) < 0 ||
		    uio_path(path, sizeof(path), "%s/class_id", dir) < 0)
			continue;
		found = uio_read_guid(path, &cls) == 0 &&
			vmb_guid_equal(&cls, &vmb_guid_netvsc) &&
			uio_number(dir) >= 0;
	}
	closedir(d);
	return found;
}

static void uio_close(struct hvbus_backend *be);

/* The nodes that can be waited on (a test tree's plain files cannot). */
static void
uio_intr_open(struct hvbus_backend *be)
{
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int i, n = 0;

	be->intr_fd = -1;
	uio.intr_ep = epoll_create1(EPOLL_CLOEXEC);
	uio.intr_self = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (uio.intr_ep < 0 || uio.intr_self < 0)
		goto none;
	ev.data.u32 = UIO_MAX_DEV;
	if (epoll_ctl(uio.intr_ep, EPOLL_CTL_ADD, uio.intr_self, &ev) < 0)
		goto none;
	for (i = 0; i < uio.n_dev; i++) {
		ev.data.u32 = i;
		uio.dev[i].intr_capable = uio.dev[i].fd >= 0 &&
			epoll_ctl(uio.intr_ep, EPOLL_CTL_ADD, uio.dev[i].fd,
				  &ev) == 0;
		n += uio.dev[i].intr_capable;
	}
	if (n > 0) {
		be->intr_fd = uio.intr_ep;
		return;
	}
none:
	if (uio.intr_ep >= 0)
		close(uio.intr_ep);
	if (uio.intr_self >= 0)
		close(uio.intr_self);
	uio.intr_ep = uio.intr_self = -1;
}

static int
uio_open(struct hvbus_backend *be, const struct hvbus_config *cfg)
{
	struct dirent *e;
	DIR *d;

	RTE_SET_USED(cfg);
	memset(&uio, 0, sizeof(uio));
	uio.intr_ep = uio.intr_self = -1;
	uio.cfg = &hvbus_uio_conf;
	be->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (be->fd < 0)
		return -errno;
	be->priv = &uio;
	d = opendir(uio.cfg->sysfs);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL && uio.n_dev < UIO_MAX_DEV)
			if (e->d_name[0] != '.' &&
			    strlen(e->d_name) < sizeof(uio.dev[0].dir))
				uio_add_dev(e->d_name);
		closedir(d);
	}
	/* Every uio device maps the same hypervisor monitor page. */
	if (uio.n_dev > 0)
		be->mon_child = uio.dev[0].map[2];
	uio_intr_open(be);
	HVBUS_LOG(INFO, "uio backend up: %u netvsc device(s) under %s",
		  uio.n_dev, uio.cfg->sysfs);
	return 0;
}

static void
uio_close(struct hvbus_backend *be)
{
	unsigned int i;

	for (i = 0; i < uio.n_dev; i++)
		uio_unmap_dev(&uio.dev[i]);
	uio.n_dev = 0;
	if (be->fd >= 0)
		close(be->fd);
	be->fd = -1;
	if (uio.intr_ep >= 0)
		close(uio.intr_ep);
	if (uio.intr_self >= 0)
		close(uio.intr_self);
	uio.intr_ep = uio.intr_self = -1;
	be->intr_fd = -1;
	be->mon_child = NULL;
	be->priv = NULL;
}

static int
uio_recv(struct hvbus_backend *be, void *buf, uint32_t cap)
{
	uint64_t v;
	uint32_t len;

	if (uio.q_len == 0) {
		/* Drain the eventfd so epoll stops reporting it. */
		if (read(be->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -EPIPE;
		return -EAGAIN;
	}
	len = uio.q[uio.q_head].len;
	if (len > cap)
		return -EPROTO;
	memcpy(buf, &uio.q[uio.q_head].m, len);
	uio.q_head = (uio.q_head + 1) % UIO_QUEUE;
	uio.q_len--;
	return (int)len;
}

static void
uio_offer(struct hvbus_backend *be, const struct uio_dev *u,
	  const struct uio_chan *c)
{
	struct vmb_offer_params p = {
		.if_type = u->cls, .if_instance = u->inst,
		.sub_channel_index = c->subidx, .child_relid = c->relid,
		.monitor_id = c->monitor_id, .monitor_allocated = 1,
		.is_dedicated_interrupt = 1,
	};
	union vmb_msg m;

	uio_push(be, &m, vmb_msg_encode_offer(&m, &p));
}

static struct uio_chan *
uio_find(uint32_t relid, struct uio_dev **dev)
{
	unsigned int i, k;

	for (i = 0; i < uio.n_dev; i++)
		for (k = 0; k < HVBUS_MAX_CHAN; k++)
			if (uio.dev[i].chan[k].relid == relid &&
			    relid != 0) {
				if (dev != NULL)
					*dev = &uio.dev[i];
				return &uio.dev[i].chan[k];
			}
	return NULL;
}

static void uio_check_chan(struct hvbus_backend *be, struct uio_dev *u,
			   struct uio_chan *c);

/* The bus talks to "the host": answer for the kernel. */
static int
uio_send(struct hvbus_backend *be, const void *msg, uint32_t len)
{
	union vmb_msg m, r;
	struct uio_dev *u = NULL;
	struct uio_chan *c;
	unsigned int i;
	int type = vmb_msg_decode(msg, len, &m);

	switch (type) {
	case VMB_MSG_INITIATE_CONTACT:
		uio_push(be, &r, vmb_msg_encode_version_response(&r, 1,
					VMB_CONN_OK, VMB_CONNID_MESSAGE));
		return 0;
	case VMB_MSG_REQUESTOFFERS:
		for (i = 0; i < uio.n_dev; i++)
			uio_offer(be, &uio.dev[i], &uio.dev[i].chan[0]);
		uio.offered = true;
		uio_push(be, &r, vmb_msg_encode_hdr(&r,
					VMB_MSG_ALLOFFERS_DELIVERED));
		return 0;
	case VMB_MSG_OPENCHANNEL:
		/* Already open in the kernel. Ask the kernel now whether the
		 * channel is still there (the next tick may be 50 ms away):
		 * like the host, say nothing for a rescinded channel; its
		 * rescind is queued instead.
		 */
		c = uio_find(m.open.child_relid, &u);
		if (c != NULL && !c->rescinded)
			uio_check_chan(be, u, c);
		if (c != NULL && !c->rescinded)
			uio_push(be, &r, vmb_msg_encode_open_result(&r,
					c->relid, m.open.openid, 0));
		return 0;
	case VMB_MSG_UNLOAD:
		uio_push(be, &r, vmb_msg_encode_hdr(&r,
					VMB_MSG_UNLOAD_RESPONSE));
		return 0;
	case VMB_MSG_CLOSECHANNEL:
	case VMB_MSG_RELID_RELEASED:
		/* The kernel's business: it keeps the channel open for us
		 * and releases rescinded relids itself.
		 */
		return 0;
	default:
		/* GPADLs are never created through this backend. */
		HVBUS_LOG(ERR, "uio: cannot send %s", vmb_msg_name(m.hdr.type));
		return -ENOTSUP;
	}
}

static void *
uio_mem_alloc(struct hvbus_backend *be, size_t len)
{
	RTE_SET_USED(be);
	RTE_SET_USED(len);
	return NULL;	/* all shared memory is the kernel's */
}

static void
uio_mem_free(struct hvbus_backend *be, void *va, size_t len)
{
	RTE_SET_USED(be);
	RTE_SET_USED(va);
	RTE_SET_USED(len);
}

static uint64_t
uio_gpa(struct hvbus_backend *be, const void *va)
{
	RTE_SET_USED(be);
	return (uint64_t)(uintptr_t)va;
}

static int
uio_ring_mem(struct hvbus_backend *be, uint32_t relid, void **va,
	     size_t *len)
{
	struct uio_dev *u = NULL;
	struct uio_chan *c = uio_find(relid, &u);

	RTE_SET_USED(be);
	if (c == NULL || c->rescinded)
		return -ENODEV;
	if (c->subidx == 0) {
		*va = u->map[0];
		*len = u->size[0];
	} else {
		*va = c->ring;
		*len = c->ring_len;
	}
	return 0;
}

static int
uio_kernel_buf(struct hvbus_backend *be, uint32_t relid, unsigned int idx,
	       void **va, size_t *len, uint32_t *handle)
{
	struct uio_dev *u = NULL;
	struct uio_chan *c = uio_find(relid, &u);

	RTE_SET_USED(be);
	if (c == NULL || c->subidx != 0 || c->rescinded)
		return -ENODEV;
	if (idx > 1)
		return -ENOSPC;	/* the kernel shares exactly two */
	*va = u->map[3 + idx];
	*len = u->size[3 + idx];
	*handle = u->buf_handle[idx];
	return 0;
}

/* Map a subchannel's ring file, once its attributes are complete. */
static int
uio_sub_add(struct hvbus_backend *be, struct uio_dev *u, const char *chdir,
	    uint32_t relid)
{
	char path[600];
	unsigned long sub, mon;
	struct uio_chan *c;
	struct stat st;
	void *ring;
	int fd;

	uio_path(path, sizeof(path), "%s/subchannel_id", chdir);
	if (uio_read_ulong(path, HVBUS_MAX_CHAN - 1, &sub) < 0 || sub == 0)
		return -EINVAL;
	c = &u->chan[sub];
	if (c->relid != 0)
		return -EEXIST;
	uio_path(path, sizeof(path), "%s/monitor_id", chdir);
	if (uio_read_ulong(path, VMB_MONITOR_IDS - 1, &mon) < 0)
		return -EINVAL;
	/* The kernel creates the ring attribute last: until then, wait. */
	uio_path(path, sizeof(path), "%s/ring", chdir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size == 0 ||
	    st.st_size % (2 * VMB_PAGE_SIZE) != 0) {
		close(fd);
		return -EAGAIN;
	}
	ring = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	close(fd);
	if (ring == MAP_FAILED)
		return -errno;
	c->relid = relid;
	c->subidx = (uint16_t)sub;
	c->monitor_id = (uint8_t)mon;
	c->ring = ring;
	c->ring_len = (size_t)st.st_size;
	uio_offer(be, u, c);
	return 0;
}

static void
uio_rescind(struct hvbus_backend *be, struct uio_chan *c)
{
	union vmb_msg m;

	if (c->relid == 0 || c->rescinded)
		return;
	c->rescinded = true;
	uio_push(be, &m, vmb_msg_encode_relid(&m,
			VMB_MSG_RESCIND_CHANNELOFFER, c->relid));
}

/* Is the channel directory of @relid still there? */
static bool
uio_chan_present(const char *devdir, uint32_t relid)
{
	char path[600];
	struct stat st;

	uio_path(path, sizeof(path), "%s/channels/%u", devdir, relid);
	return stat(path, &st) == 0;
}

/* The kernel's rescind notice: a read of /dev/uioN fails (EIO). */
static bool
uio_fd_failed(struct uio_dev *u)
{
	struct pollfd p = { .fd = u->fd, .events = POLLIN };
	uint32_t count;

	uint64_t one = 1;

	if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLERR)))
		return false;
	if (read(u->fd, &count, sizeof(count)) < 0)
		return errno == EIO;
	/* An interrupt count: the relay must still hear of it. */
	if (u->intr_capable && !u->intr_seen) {
		u->intr_seen = true;
		if (write(uio.intr_self, &one, sizeof(one)) < 0)
			HVBUS_LOG(WARNING, "uio: eventfd: %s", strerror(errno));
	}
	return false;
}

/* Signalled devices: their nodes' counts read, their primaries named. */
static unsigned int
uio_intr(struct hvbus_backend *be, uint32_t *relids, unsigned int max)
{
	struct epoll_event ev[UIO_MAX_DEV + 1];
	unsigned int i, k = 0;
	uint32_t count;
	uint64_t v;
	int n;

	RTE_SET_USED(be);
	n = epoll_wait(uio.intr_ep, ev, RTE_DIM(ev), 0);
	for (i = 0; n > 0 && i < (unsigned int)n; i++) {
		struct uio_dev *u;

		if (ev[i].data.u32 >= uio.n_dev) {
			if (read(uio.intr_self, &v, sizeof(v)) < 0 &&
			    errno != EAGAIN)
				HVBUS_LOG(WARNING, "uio: eventfd: %s",
					  strerror(errno));
			continue;
		}
		u = &uio.dev[ev[i].data.u32];
		/* EIO: rescinded; the next tick's check says so. A read
		 * failing here must not spin: take it out of the set. */
		if (read(u->fd, &count, sizeof(count)) < 0) {
			epoll_ctl(uio.intr_ep, EPOLL_CTL_DEL, u->fd, NULL);
			u->intr_capable = false;
			continue;
		}
		u->intr_seen = true;
	}
	for (i = 0; i < uio.n_dev; i++)
		if (uio.dev[i].intr_seen) {
			uio.dev[i].intr_seen = false;
			if (k < max && !uio.dev[i].gone)
				relids[k++] = uio.dev[i].chan[0].relid;
		}
	return k;
}

/* Is the device still there? If not, it goes: subchannels first, as the
 * host does. Returns -ENODEV when it went.
 */
static int
uio_dev_check(struct hvbus_backend *be, struct uio_dev *u, const char *devdir)
{
	struct stat st;
	unsigned int k;

	if (stat(devdir, &st) == 0 && !uio_fd_failed(u))
		return 0;
	for (k = HVBUS_MAX_CHAN - 1; k > 0; k--)
		uio_rescind(be, &u->chan[k]);
	uio_rescind(be, &u->chan[0]);
	u->gone = true;
	return -ENODEV;
}

/* What the kernel says about one channel right now: rescind it if it
 * went (with its device, or a subchannel's own directory).
 */
static void
uio_check_chan(struct hvbus_backend *be, struct uio_dev *u,
	       struct uio_chan *c)
{
	char devdir[512];

	uio_path(devdir, sizeof(devdir), "%s/%s", uio.cfg->sysfs, u->dir);
	if (uio_dev_check(be, u, devdir) == 0 && c->subidx != 0 &&
	    !uio_chan_present(devdir, c->relid))
		uio_rescind(be, c);
}

static void
uio_tick_dev(struct hvbus_backend *be, struct uio_dev *u)
{
	char devdir[512], chdir[600];
	struct dirent *e;
	unsigned long relid;
	unsigned int k;
	char *end;
	DIR *d;

	uio_path(devdir, sizeof(devdir), "%s/%s", uio.cfg->sysfs, u->dir);
	if (uio_dev_check(be, u, devdir) < 0)
		return;
	for (k = 1; k < HVBUS_MAX_CHAN; k++)
		if (u->chan[k].relid != 0 && !u->chan[k].rescinded &&
		    !uio_chan_present(devdir, u->chan[k].relid))
			uio_rescind(be, &u->chan[k]);
	uio_path(chdir, sizeof(chdir), "%s/channels", devdir);
	d = opendir(chdir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		errno = 0;
		relid = strtoul(e->d_name, &end, 10);
		if (e->d_name[0] == '.' || errno != 0 || *end != '\0' ||
		    relid == 0 || relid >= VMB_MAX_RELID ||
		    relid == u->chan[0].relid || uio_find(relid, NULL) != NULL)
			continue;
		uio_path(chdir, sizeof(chdir), "%s/channels/%lu", devdir,
			 relid);
		uio_sub_add(be, u, chdir, (uint32_t)relid);
	}
	closedir(d);
}

/* Watch sysfs for subchannels coming and channels going. */
static void
uio_tick(struct hvbus_backend *be)
{
	unsigned int i;

	if (!uio.offered)
		return;
	for (i = 0; i < uio.n_dev; i++)
		if (!uio.dev[i].gone)
			uio_tick_dev(be, &uio.dev[i]);
}

const struct hvbus_backend_ops hvbus_uio_ops = {
	.name = "uio",
	.vdev = "hvbus_uio",
	.spec = &hvbus_uio_spec,
	.conf = &hvbus_uio_conf,
	.check = hvbus_uio_check,
	.detect = hvbus_uio_detect,
	.open = uio_open,
	.close = uio_close,
	.recv = uio_recv,
	.send = uio_send,
	.mem_alloc = uio_mem_alloc,
	.mem_free = uio_mem_free,
	.gpa = uio_gpa,
	.ring_mem = uio_ring_mem,
	.kernel_buf = uio_kernel_buf,
	.tick = uio_tick,
	.intr = uio_intr,
};
