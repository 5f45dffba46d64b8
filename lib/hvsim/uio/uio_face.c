/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The uio face proper: for each NIC, do at "bind time" what Linux does
 * when uio_hv_generic takes a netvsc device (open the primary on a fresh
 * ring, establish the receive and send buffer GPADLs, publish the maps),
 * then keep playing the kernel while the guest runs: open and publish the
 * subchannels the device model grants, take monitor-page doorbells, and
 * find the guest process whose memory GPA-direct packets point into.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uio_priv.h"

#define UIO_MIB			(1024u * 1024u)
/* How often to look for a guest that maps a node, and to check that the
 * one found is still alive (a scan reads every process's maps).
 */
#define UIO_SCAN_NS		(20 * 1000 * 1000ull)
#define UIO_ALIVE_NS		(50 * 1000 * 1000ull)

void
hvsim_uio_config_init(struct hvsim_uio_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sysfs_root = "/sys";
	cfg->dev_root = "/dev";
	cfg->ring_size = 2 * UIO_MIB;
	cfg->recv_size = 16 * UIO_MIB;
	cfg->send_size = 16 * UIO_MIB;
}

static uint64_t
uio_page_up(uint64_t v)
{
	return (v + VMB_PAGE_SIZE - 1) & ~(uint64_t)(VMB_PAGE_SIZE - 1);
}

static int
uio_config_check(const struct hvsim_uio_config *c)
{
	/* A ring half is a header page plus at least one data page; the
	 * buffers must hold at least a few sections of either kind.
	 */
	if (c->ring_size < 2 * VMB_PAGE_SIZE || c->ring_size % VMB_PAGE_SIZE ||
	    c->ring_size > 256 * UIO_MIB ||
	    c->recv_size < 64 * 1024 || c->recv_size % VMB_PAGE_SIZE ||
	    c->send_size < 64 * 1024 || c->send_size % VMB_PAGE_SIZE ||
	    c->recv_size > 1024 * UIO_MIB || c->send_size > 1024 * UIO_MIB)
		return -EINVAL;
	return 0;
}

static int
uio_nic_setup(struct hvsim_uio *u, struct uio_nic *n)
{
	struct hvsim *h = u->h;
	struct uio_chan *p = &n->ch[0];
	char name[32];
	uint64_t off = 0;
	unsigned int i;
	int rc;

	struct vmb_guid instance;

	hvsim_nic_instance_guid(n->idx, instance.b);
	vmb_guid_format(&instance, n->guid, sizeof(n->guid));
	n->map_size[UIO_MAP_RINGS] = 2ull * u->cfg.ring_size;
	n->map_size[UIO_MAP_INT_PAGE] = VMB_PAGE_SIZE;
	n->map_size[UIO_MAP_MONITOR] = VMB_PAGE_SIZE;
	n->map_size[UIO_MAP_RECV] = u->cfg.recv_size;
	n->map_size[UIO_MAP_SEND] = u->cfg.send_size;
	/* The layout rule the shim applies: maps end to end, page-rounded. */
	for (i = 0; i < UIO_MAP_COUNT; i++) {
		n->map_off[i] = off;
		off += uio_page_up(n->map_size[i]);
	}
	/* The shim's requests (uio_kpage.h), after the last map. */
	n->kpage_off = off;
	off += VMB_PAGE_SIZE;
	snprintf(name, sizeof(name), "hvsim-uio%u", n->uio_num);
	rc = uio_region_new(u, name, off, &n->file);
	if (rc < 0) {
		uio_err(u, "nic%u: uio file of %llu bytes: %s", n->idx,
			(unsigned long long)off, strerror(-rc));
		return rc;
	}
	n->kpage = (struct uio_kpage *)(void *)(n->file.host + n->kpage_off);
	n->int_page = n->file.host + n->map_off[UIO_MAP_INT_PAGE];
	n->monitor = n->file.host + n->map_off[UIO_MAP_MONITOR];
	{
		struct stat st;

		if (fstat(n->file.fd, &st) < 0)
			return -errno;
		n->file_ino = st.st_ino;
	}

	p->c = hvsim_preopen_offer(h, n->idx);
	if (p->c == NULL) {
		uio_err(u, "nic%u: no relid or NIC not present", n->idx);
		return -ENOSPC;
	}
	p->relid = hvsim_chan_relid(p->c);
	if (n->ch_end == 0)
		n->ch_end = 1;
	p->monitor_id = hvsim_chan_monitor_id(p->c);
	rc = uio_chan_open(u, p, n->file.host, n->file.gpa);
	if (rc < 0) {
		uio_err(u, "nic%u: opening the primary: %s", n->idx,
			strerror(-rc));
		return rc;
	}
	n->gpadl_recv = uio_gpadl_next(u);
	n->gpadl_send = uio_gpadl_next(u);
	rc = hvsim_preopen_gpadl(h, p->c, n->gpadl_recv,
				 n->file.gpa + n->map_off[UIO_MAP_RECV],
				 n->map_size[UIO_MAP_RECV]);
	if (rc == 0)
		rc = hvsim_preopen_gpadl(h, p->c, n->gpadl_send,
					 n->file.gpa + n->map_off[UIO_MAP_SEND],
					 n->map_size[UIO_MAP_SEND]);
	if (rc < 0) {
		uio_err(u, "nic%u: buffer GPADLs: %s", n->idx, strerror(-rc));
		return rc;
	}
	rc = uio_tree_nic(u, n);
	if (rc < 0) {
		uio_err(u, "nic%u: laying out %s: %s", n->idx, n->dir,
			strerror(-rc));
		return rc;
	}
	__atomic_store_n(&n->kpage->magic, UIO_KPAGE_MAGIC, __ATOMIC_RELEASE);
	uio_log(u, "nic%u: %s uio%u relid %u monitor %d, ring %u KiB/dir, "
		"recv %u KiB (gpadl %u), send %u KiB (gpadl %u)", n->idx,
		n->guid, n->uio_num, p->relid,
		u->cfg.no_monitor ? -1 : (int)p->monitor_id,
		u->cfg.ring_size / 1024, u->cfg.recv_size / 1024,
		n->gpadl_recv, u->cfg.send_size / 1024, n->gpadl_send);
	return 0;
}

struct hvsim_uio *
hvsim_uio_create(struct hvsim *h, const struct hvsim_uio_config *cfg)
{
	struct hvsim_uio_config def;
	struct hvsim_uio *u;
	uint64_t per_nic, arena = 0;
	unsigned int i;
	int rc;

	if (cfg == NULL) {
		hvsim_uio_config_init(&def);
		cfg = &def;
	}
	if (h == NULL || uio_config_check(cfg) < 0 ||
	    !hvsim_preopen_ready(h)) {
		errno = EINVAL;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return NULL;
	u->h = h;
	u->cfg = *cfg;
	snprintf(u->sysfs_root, sizeof(u->sysfs_root), "%s",
		 cfg->sysfs_root != NULL ? cfg->sysfs_root : "/sys");
	snprintf(u->dev_root, sizeof(u->dev_root), "%s",
		 cfg->dev_root != NULL ? cfg->dev_root : "/dev");
	u->next_gpadl = UIO_GPADL_FIRST;
	u->n_nics = hvsim_preopen_config(h)->n_nics;
	u->nic = calloc(u->n_nics, sizeof(*u->nic));
	if (u->nic == NULL)
		goto fail;
	for (i = 0; i < u->n_nics; i++) {
		struct uio_nic *n = &u->nic[i];
		unsigned int q;

		n->idx = i;
		n->uio_num = cfg->uio_base + i;
		n->file.fd = -1;
		for (q = 0; q < HVSIM_MAX_QUEUES; q++)
			n->ch[q].mem.fd = -1;
	}
	/* Room for every NIC's node file and all the subchannel rings it
	 * may grant; untouched parts cost address space only.
	 */
	for (i = 0; i < u->n_nics; i++) {
		uint64_t queues = hvsim_preopen_config(h)->nic[i].max_queues;

		per_nic = 4ull * u->cfg.ring_size + 3 * VMB_PAGE_SIZE +
			uio_page_up(cfg->recv_size) +
			uio_page_up(cfg->send_size) +
			queues * 2 * u->cfg.ring_size;
		arena += per_nic;
	}
	rc = uio_arena_reserve(u, arena);
	if (rc == 0)
		rc = hvsim_preopen_attach(h, u->arena, UIO_ARENA_GPA, arena);
	if (rc < 0) {
		uio_err(u, "arena of %llu MiB: %s",
			(unsigned long long)(arena >> 20), strerror(-rc));
		goto fail;
	}
	for (i = 0; i < u->n_nics; i++)
		if (uio_nic_setup(u, &u->nic[i]) < 0)
			goto fail;
	return u;
fail:
	hvsim_uio_destroy(u);
	errno = EINVAL;
	return NULL;
}

/* A subchannel the device granted: the kernel's part of the offer. */
static int
uio_sub_publish(struct hvsim_uio *u, struct uio_nic *n, struct hvsim_chan *c)
{
	uint16_t sub = hvsim_chan_subidx(c);
	struct uio_chan *ch;
	char name[40];
	int rc;

	if (sub == 0 || sub >= HVSIM_MAX_QUEUES)
		return -EINVAL;
	ch = &n->ch[sub];
	if (ch->c != NULL)
		return -EEXIST;
	ch->c = c;
	ch->relid = hvsim_chan_relid(c);
	ch->monitor_id = hvsim_chan_monitor_id(c);
	if (sub >= n->ch_end)
		n->ch_end = sub + 1u;
	rc = uio_tree_chan_dir(u, n, ch, sub);
	if (rc < 0)
		goto fail;
	/* A subchannel of this index that went with a release left its
	 * ring file: reused (the arena holds one per index), the headers
	 * are reset below and the host checks every index anyway.
	 */
	if (ch->mem.fd < 0) {
		snprintf(name, sizeof(name), "hvsim-uio%u-ring%u", n->uio_num,
			 sub);
		rc = uio_region_new(u, name, 2ull * u->cfg.ring_size,
				    &ch->mem);
		if (rc < 0)
			goto fail;
	}
	rc = uio_chan_open(u, ch, ch->mem.host, ch->mem.gpa);
	if (rc < 0)
		goto fail;
	rc = uio_tree_chan_ring(u, n, ch, &ch->mem);
	if (rc < 0)
		goto fail;
	uio_log(u, "nic%u: subchannel %u relid %u monitor %u published",
		n->idx, sub, ch->relid, ch->monitor_id);
	return 1;
fail:
	/* The guest waits ~10 s for the ring and then fails its configure:
	 * visible, and better than a half-made channel.
	 */
	uio_err(u, "nic%u: subchannel %u (relid %u): %s", n->idx, sub,
		hvsim_chan_relid(c), strerror(-rc));
	hvsim_preopen_fail(c);
	return 0;
}

static int
uio_subchannels(struct hvsim_uio *u)
{
	unsigned int i;
	int work = 0;

	for (i = 0; i < u->n_nics; i++) {
		struct hvsim_chan *c;

		while ((c = hvsim_preopen_pending(u->h, i)) != NULL) {
			/* Published, or given up: either way not pending. */
			if (uio_sub_publish(u, &u->nic[i], c) <= 0)
				hvsim_preopen_fail(c);
			work++;
		}
	}
	return work;
}

/* The guest-to-host half of the interrupt page: a channel without a
 * monitor id signals by setting the bit of its relid there (protocol.rst
 * 2.9), then asks the kernel to signal the host (the uio irqcontrol
 * write, which the shim turns into an interrupt_mask update).
 */
#define UIO_INT_SEND_OFF	(VMB_PAGE_SIZE / 2)
#define UIO_INT_WORDS		(VMB_PAGE_SIZE / 2 / sizeof(uint32_t))

static int
uio_int_doorbells(struct hvsim_uio *u, struct uio_nic *n)
{
	uint32_t *words = (uint32_t *)(void *)(n->int_page + UIO_INT_SEND_OFF);
	unsigned int w, q;
	int work = 0;

	for (w = 0; w < UIO_INT_WORDS; w++) {
		uint32_t v = __atomic_load_n(&words[w], __ATOMIC_ACQUIRE);
		uint32_t ours = 0;

		if (v == 0)
			continue;
		__atomic_fetch_and(&words[w], ~v, __ATOMIC_ACQ_REL);
		for (q = 0; q < n->ch_end; q++)
			if (n->ch[q].c != NULL && n->ch[q].relid / 32 == w)
				ours |= 1u << (n->ch[q].relid % 32);
		u->int_bells += (uint64_t)__builtin_popcount(v & ours);
		u->foreign_bells += (uint64_t)__builtin_popcount(v & ~ours);
		work++;
	}
	return work;
}

/* Take the pending bits the guest set (a set bit only says "a ring has
 * work"; every open ring is polled anyway, so the bits need no routing).
 */
static int
uio_doorbells(struct hvsim_uio *u)
{
	unsigned int i, g;
	int work = 0;

	for (i = 0; i < u->n_nics; i++) {
		struct uio_nic *n = &u->nic[i];

		if (u->cfg.no_monitor)
			work += uio_int_doorbells(u, n);
		for (g = 0; g < VMB_MONITOR_GROUPS; g++) {
			uint32_t *pend = vmb_monitor_pending(n->monitor, g);
			uint32_t v = __atomic_load_n(pend, __ATOMIC_ACQUIRE);
			uint32_t ours = 0;
			unsigned int q;

			if (v == 0)
				continue;
			__atomic_fetch_and(pend, ~v, __ATOMIC_ACQ_REL);
			for (q = 0; q < n->ch_end; q++) {
				unsigned int id = n->ch[q].monitor_id;

				if (n->ch[q].c != NULL && id / 32 == g)
					ours |= 1u << (id % 32);
			}
			u->doorbells += (uint64_t)__builtin_popcount(v);
			if (v & ~ours)
				u->foreign_bells += (uint64_t)
					__builtin_popcount(v & ~ours);
			work++;
		}
	}
	return work;
}

/* Does /proc/<pid>/maps map one of our node files? */
static bool
uio_maps_node(struct hvsim_uio *u, const char *pid)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		unsigned long ino = 0;
		unsigned int i;

		if (strstr(line, "memfd:hvsim-uio") == NULL ||
		    sscanf(line, "%*s %*s %*s %*s %lu", &ino) != 1)
			continue;
		for (i = 0; i < u->n_nics; i++)
			if (u->nic[i].file_ino == (ino_t)ino)
				found = true;
	}
	fclose(f);
	return found;
}

/* The guest is the process mapping a node file. Several (a primary and
 * its secondaries): the lowest pid, normally the primary that started
 * first - the one whose memory the PMD's GPA ranges name.
 */
static pid_t
uio_find_guest(struct hvsim_uio *u)
{
	pid_t self = getpid(), best = 0;
	struct dirent *de;
	DIR *d;

	d = opendir("/proc");
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (pid == self || (best != 0 && pid > best))
			continue;
		if (uio_maps_node(u, de->d_name))
			best = pid;
	}
	closedir(d);
	return best;
}

static bool
uio_guest_check(struct hvsim_uio *u)
{
	uint64_t now = hv_now_ns();
	unsigned int i;

	if (u->guest != 0) {
		if (now < u->next_alive_ns)
			return true;
		u->next_alive_ns = now + UIO_ALIVE_NS;
		if (kill(u->guest, 0) == 0 || errno == EPERM)
			return true;
		uio_log(u, "guest pid %d is gone", (int)u->guest);
		u->guest = 0;
		/* Whatever it held went with it (no release was asked). */
		for (i = 0; i < u->n_nics; i++)
			u->nic[i].n_holders = 0;
		hvsim_preopen_set_pid(u->h, 0);
	}
	if (now < u->next_scan_ns)
		return false;
	u->next_scan_ns = now + UIO_SCAN_NS;
	u->guest = uio_find_guest(u);
	if (u->guest == 0)
		return false;
	u->next_alive_ns = now + UIO_ALIVE_NS;
	hvsim_preopen_set_pid(u->h, u->guest);
	uio_log(u, "guest is pid %d", (int)u->guest);
	return true;
}

int
hvsim_uio_poll(struct hvsim_uio *u)
{
	int work, rc;

	/* Opens and releases come before the guest maps anything. */
	work = uio_kpage_poll(u);
	if (work < 0)
		return work;
	/* Nobody maps a node yet: nobody can have written a ring either,
	 * and a GPA-direct packet could not be read.
	 */
	if (!uio_guest_check(u))
		return work;
	work += uio_doorbells(u);
	rc = hvsim_poll(u->h);
	if (rc < 0)
		return rc;
	work += rc;
	/* Right after the iteration that granted them: the guest is
	 * already polling the channels directory.
	 */
	work += uio_subchannels(u);
	return work;
}

pid_t
hvsim_uio_guest_pid(const struct hvsim_uio *u)
{
	return u->guest;
}

uint64_t
hvsim_uio_doorbells(const struct hvsim_uio *u)
{
	return u->doorbells;
}

uint64_t
hvsim_uio_int_doorbells(const struct hvsim_uio *u)
{
	return u->int_bells;
}

void
hvsim_uio_destroy(struct hvsim_uio *u)
{
	unsigned int i, q;

	if (u == NULL)
		return;
	if (u->foreign_bells != 0)
		uio_log(u, "%llu doorbell bits named monitor ids or relids of "
			"no channel",
			(unsigned long long)u->foreign_bells);
	for (i = 0; u->nic != NULL && i < u->n_nics; i++)
		uio_tree_remove(u, &u->nic[i]);
	if (u->arena != NULL)
		hvsim_preopen_detach(u->h);
	for (i = 0; u->nic != NULL && i < u->n_nics; i++) {
		uio_region_close(&u->nic[i].file);
		for (q = 0; q < HVSIM_MAX_QUEUES; q++)
			uio_region_close(&u->nic[i].ch[q].mem);
	}
	uio_arena_release(u);
	free(u->nic);
	free(u);
}
