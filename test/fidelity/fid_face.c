/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * fid_face: the uio face's contract without DPDK, root or a namespace.
 * The face is laid out under scratch roots; a child process (the "guest",
 * this program again with the shim preloaded) maps every map by index as
 * DPDK does and finds what the host wrote there, writes back, maps the
 * primary's ring entry and the subchannels the host publishes while it
 * runs. Checked too: every sysfs value and its newline, map names with
 * the GPADL handles, the guest pid the face finds, the shim's EINVAL for a
 * mapping larger than its map, the uio interrupt control (a 32-bit write
 * to the node) setting and clearing interrupt_mask of every inbound ring
 * through the shim, the node's release (last mapping and descriptor gone:
 * primary closed, subchannels rescinded and out of sysfs) and its next
 * open (primary on fresh ring headers, new subchannels on a new grant),
 * that the guest can neither truncate a node nor
 * corrupt a ring index without the checker naming it (and only that
 * channel stopping), and that destroy removes the tree. With --no-monitor
 * no monitor_id may be in sysfs and the interrupt-page bits the guest sets
 * for its relids must be taken as doorbells.
 *
 *   fid_face SHIM.so [--no-monitor]
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "uio_priv.h"

#define RING	(64 * 1024u)	/* per direction */
#define BUF	(256 * 1024u)

static char g_dev[1024];	/* device directory */
static char g_sys[1024], g_devroot[1024];
static bool g_no_monitor;

static int
slurp(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static bool
file_is(const char *dir, const char *name, const char *want)
{
	char buf[256];

	if (slurp(dir, name, buf, sizeof(buf)) < 0) {
		fprintf(stderr, "  %s/%s unreadable\n", dir, name);
		return false;
	}
	if (strcmp(buf, want) != 0) {
		fprintf(stderr, "  %s/%s = \"%s\", want \"%s\"\n", dir, name,
			buf, want);
		return false;
	}
	return true;
}

/* ---- the guest side (child, shim preloaded) ---- */

static int
guest_map_check(int fd, unsigned int i, size_t len, const char *marker,
		void **out)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			  (off_t)i * getpagesize());

	if (p == MAP_FAILED) {
		fprintf(stderr, "guest: map%u: %s\n", i, strerror(errno));
		return -1;
	}
	*out = p;
	if (memcmp(p, marker, strlen(marker)) != 0) {
		fprintf(stderr, "guest: map%u starts with \"%.8s\", want %s\n",
			i, p, marker);
		return -1;
	}
	if (i == UIO_MAP_SEND)
		memcpy(p + 8, "GUEST", 5);
	return 0;
}

static int
guest_ring(const char *path, size_t want, const char *marker)
{
	struct stat st;
	uint8_t *p;
	int fd, rc = 0;

	if (access(path, R_OK | W_OK) != 0)
		return -1;
	fd = open(path, O_RDWR);
	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size < want)
		return -1;
	p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		rc = -1;
	else if (marker != NULL && memcmp(p, marker, strlen(marker)) != 0)
		rc = -1;
	close(fd);
	return rc;
}

/* uio interrupt control as DPDK's bus does it (a 32-bit write to the
 * node): 0 masks every inbound ring, 1 unmasks them; between the two the
 * guest rings the interrupt-page bit of each relid (the host half, from
 * byte 2048), as a channel without a monitor id does.
 */
static int
guest_irqcontrol(int fd, int rd, int wr)
{
	int32_t v;
	uint32_t *ip;
	unsigned int relid;
	char go;
	int bad = 0;

	for (v = 0; v <= 1; v++) {
		if (write(fd, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
			fprintf(stderr, "guest: irqcontrol(%d): %s\n", (int)v,
				strerror(errno));
			bad++;
		}
		if (write(wr, v ? "u" : "k", 1) != 1 || read(rd, &go, 1) != 1)
			return bad + 1;
	}
	ip = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  (off_t)UIO_MAP_INT_PAGE * getpagesize());
	if (ip == MAP_FAILED)
		return bad + 1;
	for (relid = 1; relid <= 3; relid++)
		__atomic_fetch_or(&ip[2048 / 4 + relid / 32],
				  1u << (relid % 32), __ATOMIC_RELEASE);
	munmap(ip, 4096);
	if (write(wr, "i", 1) != 1 || read(rd, &go, 1) != 1)
		return bad + 1;
	return bad;
}

/* The node's release and open, as DPDK's netvsc does them to change the
 * MTU: every mapping made through the node and its descriptor gone, then
 * opened and mapped again. The host checks what it did in between; the
 * channel comes back on fresh ring headers (the mask set before the
 * release is clear again) and with new subchannels.
 */
static int
guest_reopen(int *fd, void *const mp[], const size_t size[],
	     const char *node, int rd, int wr)
{
	char path[PATH_MAX], buf[32], go;
	unsigned int i, relid;
	int32_t mask_all = 0;
	uint8_t *ring;
	struct stat st;
	int bad = 0;

	if (write(*fd, &mask_all, sizeof(mask_all)) != sizeof(mask_all))
		bad++;
	for (i = 0; i < UIO_MAP_COUNT; i++)
		if (mp[i] != NULL)
			munmap(mp[i], size[i]);
	if (close(*fd) != 0)
		return bad + 1;
	if (write(wr, "r", 1) != 1 || read(rd, &go, 1) != 1)
		return bad + 1;
	*fd = open(node, O_RDWR);
	if (*fd < 0) {
		fprintf(stderr, "guest: reopen: %s\n", strerror(errno));
		return bad + 1;
	}
	ring = mmap(NULL, 2 * RING, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (ring == MAP_FAILED)
		return bad + 1;
	if (((const struct vmb_ring_hdr *)(const void *)(ring + RING))
		    ->interrupt_mask != 0) {
		fprintf(stderr, "guest: reopened ring kept its old header\n");
		bad++;
	}
	if (write(wr, "o", 1) != 1 || read(rd, &go, 1) != 1)
		return bad + 1;
	for (relid = 2; relid <= 5; relid++) {
		snprintf(path, sizeof(path), "%s/channels/%u", g_dev, relid);
		if (relid <= 3) {
			if (stat(path, &st) == 0) {
				fprintf(stderr, "guest: released subchannel "
					"relid %u still in sysfs\n", relid);
				bad++;
			}
			continue;
		}
		if (slurp(path, "subchannel_id", buf, sizeof(buf)) < 0 ||
		    strtoul(buf, NULL, 10) != relid - 3) {
			fprintf(stderr, "guest: new relid %u subchannel_id\n",
				relid);
			bad++;
		}
		snprintf(path, sizeof(path), "%s/channels/%u/ring", g_dev,
			 relid);
		if (guest_ring(path, 2 * RING, NULL) < 0) {
			fprintf(stderr, "guest: new relid %u ring\n", relid);
			bad++;
		}
	}
	return bad;
}

static int
guest(int rd, int wr)
{
	static const size_t size[UIO_MAP_COUNT] = {
		2 * RING, 4096, 4096, BUF, BUF,
	};
	static const char *const marker[UIO_MAP_COUNT] = {
		"RINGS", "INTPG", "MONPG", "RECVB", "SENDB",
	};
	char node[PATH_MAX], path[PATH_MAX], buf[32], go;
	unsigned int i, relid, found = 0;
	void *p, *mp[UIO_MAP_COUNT] = { NULL };
	int fd, bad = 0;

	snprintf(node, sizeof(node), "%s/uio0", g_devroot);
	fd = open(node, O_RDWR);
	if (fd < 0)
		return 10;
	for (i = 0; i < UIO_MAP_COUNT; i++)
		if (guest_map_check(fd, i, size[i], marker[i], &mp[i]) < 0)
			bad++;
	/* A uio node refuses a mapping larger than the map. */
	p = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, fd, 1 * 4096);
	if (p != MAP_FAILED || errno != EINVAL) {
		fprintf(stderr, "guest: oversized map1 not refused\n");
		bad++;
	}
	snprintf(path, sizeof(path), "%s/channels/1/ring", g_dev);
	if (guest_ring(path, 2 * RING, "RINGS") < 0) {
		fprintf(stderr, "guest: primary ring entry unusable\n");
		bad++;
	}
	/* Tell the host we are mapped; wait for the subchannels. */
	if (write(wr, "m", 1) != 1 || read(rd, &go, 1) != 1)
		return 11;
	for (relid = 2; relid <= 3; relid++) {
		snprintf(path, sizeof(path), "%s/channels/%u", g_dev, relid);
		if (slurp(path, "subchannel_id", buf, sizeof(buf)) < 0 ||
		    strtoul(buf, NULL, 10) != relid - 1) {
			fprintf(stderr, "guest: relid %u subchannel_id\n",
				relid);
			bad++;
		}
		if ((slurp(path, "monitor_id", buf, sizeof(buf)) == -ENOENT) !=
		    g_no_monitor) {
			fprintf(stderr, "guest: relid %u monitor_id\n", relid);
			bad++;
		}
		snprintf(path, sizeof(path), "%s/channels/%u/ring", g_dev,
			 relid);
		if (guest_ring(path, 2 * RING, NULL) == 0)
			found++;
	}
	if (found != 2) {
		fprintf(stderr, "guest: %u of 2 subchannel rings usable\n",
			found);
		bad++;
	}
	bad += guest_irqcontrol(fd, rd, wr);
	bad += guest_reopen(&fd, mp, size, node, rd, wr);
	/* Hostile: the node is sealed, a guest cannot pull pages out from
	 * under the host's mapping. */
	if (ftruncate(fd, 4096) == 0 || errno != EPERM) {
		fprintf(stderr, "guest: node could be truncated\n");
		bad++;
	}
	/* Hostile: a misaligned write_index on the primary's TX ring. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 12;
	__atomic_store_n((uint32_t *)p, 13u, __ATOMIC_RELEASE);
	if (write(wr, "c", 1) != 1 || read(rd, &go, 1) != 1)
		return 13;
	close(fd);
	return bad;
}

/* ---- the host side ---- */

static void
check_tree(struct hvsim_uio *u)
{
	struct uio_nic *n = &u->nic[0];
	char d[PATH_MAX + 64], want[64];
	unsigned int i;

	CHECK(file_is(g_dev, "class_id",
		      "{f8615163-df3e-46c5-913f-f2d2f965ed0e}\n"));
	snprintf(want, sizeof(want), "{%s}\n", n->guid);
	CHECK(file_is(g_dev, "device_id", want));
	CHECK(file_is(g_dev, "id", "1\n"));
	if (g_no_monitor) {
		CHECK(slurp(g_dev, "monitor_id", want, sizeof(want)) == -ENOENT,
		      "monitor_id shown without monitor ids");
	} else {
		snprintf(want, sizeof(want), "%u\n", n->ch[0].monitor_id);
		CHECK(file_is(g_dev, "monitor_id", want));
	}
	CHECK(file_is(g_dev, "numa_node", "0\n"));
	for (i = 0; i < UIO_MAP_COUNT; i++) {
		static const char *const names[] = {
			"txrx_rings\n", "int_page\n", "monitor_page\n",
		};

		snprintf(d, sizeof(d), "%s/uio/uio0/maps/map%u", g_dev, i);
		if (i < UIO_MAP_RECV)
			snprintf(want, sizeof(want), "%s", names[i]);
		else
			snprintf(want, sizeof(want), "%s:%u\n",
				 i == UIO_MAP_RECV ? "recv" : "send",
				 i == UIO_MAP_RECV ? n->gpadl_recv :
				 n->gpadl_send);
		CHECK(file_is(d, "name", want), "map%u", i);
		snprintf(want, sizeof(want), "0x%016llx\n",
			 (unsigned long long)n->map_size[i]);
		CHECK(file_is(d, "size", want), "map%u", i);
	}
	CHECK(n->gpadl_recv != 0 && n->gpadl_send != n->gpadl_recv);
	snprintf(d, sizeof(d), "%s/channels/1", g_dev);
	CHECK(file_is(d, "subchannel_id", "0\n"));
	CHECK((slurp(d, "monitor_id", want, sizeof(want)) == -ENOENT) ==
	      g_no_monitor, "channel monitor_id");
}

/* Read one byte from the guest, answering the shim's open and release
 * requests meanwhile (the guest's open() waits for them). Only those: the
 * rings may hold test markers until the guest says it mapped them.
 */
static int
host_read(struct hvsim_uio *u, int fd, char *m)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int n;

	for (n = 0; n < 20000; n++) {
		if (poll(&p, 1, 1) == 1)
			return (int)read(fd, m, 1);
		uio_kpage_poll(u);
	}
	return -1;
}

/* interrupt_mask of the inbound (host-to-guest, second) half of every
 * open channel's ring, as the host sees it.
 */
static bool
masks_are(struct hvsim_uio *u, uint32_t want)
{
	struct uio_nic *n = &u->nic[0];
	unsigned int q;
	bool ok = true;

	for (q = 0; q < 3; q++) {
		uint8_t *ring = q == 0 ? n->file.host : n->ch[q].mem.host;
		const struct vmb_ring_hdr *in =
			(const void *)(ring + u->cfg.ring_size);

		if (ring == NULL || in->interrupt_mask != want) {
			fprintf(stderr, "  channel %u: interrupt_mask %u, "
				"want %u\n", q, ring ? in->interrupt_mask : 99,
				want);
			ok = false;
		}
	}
	return ok;
}

static void
host_irqcontrol(struct hvsim_uio *u, int rd, int wr)
{
	char m;
	unsigned int n;

	if (host_read(u, rd, &m) != 1 || m != 'k') {
		CHECK(false, "guest did not mask");
		return;
	}
	CHECK(masks_are(u, 1), "irqcontrol(0) did not mask every ring");
	CHECK(write(wr, "g", 1) == 1);
	if (host_read(u, rd, &m) != 1 || m != 'u') {
		CHECK(false, "guest did not unmask");
		return;
	}
	CHECK(masks_are(u, 0), "irqcontrol(1) did not unmask every ring");
	CHECK(write(wr, "g", 1) == 1);
	if (host_read(u, rd, &m) != 1 || m != 'i') {
		CHECK(false, "guest did not ring the interrupt page");
		return;
	}
	for (n = 0; n < 100; n++)
		hvsim_uio_poll(u);
	/* Taken only when channels have no monitor id. */
	CHECK_EQ(hvsim_uio_int_doorbells(u), g_no_monitor ? 3 : 0);
	CHECK_EQ(hvsim_uio_doorbells(u), 0);
	CHECK(write(wr, "g", 1) == 1);
}

/* The guest releases the node and opens it again (guest_reopen()). */
static void
host_reopen(struct hvsim_uio *u, struct hvsim *h, int rd, int wr)
{
	struct uio_nic *n = &u->nic[0];
	char d[PATH_MAX + 32];
	uint32_t old_gpadl = n->ch[0].gpadl;
	unsigned int i;
	struct stat st;
	char m;

	if (host_read(u, rd, &m) != 1 || m != 'r') {
		CHECK(false, "guest did not release the node");
		return;
	}
	CHECK(n->closed, "release did not close the primary");
	CHECK(n->ch[1].c == NULL && n->ch[2].c == NULL,
	      "subchannels outlived the release");
	snprintf(d, sizeof(d), "%s/channels/2", g_dev);
	CHECK(stat(d, &st) < 0 && errno == ENOENT, "%s left in sysfs", d);
	CHECK(n->ch[0].c != NULL && n->kpage_seen != 0);
	CHECK(write(wr, "g", 1) == 1);
	if (host_read(u, rd, &m) != 1 || m != 'o') {
		CHECK(false, "guest did not reopen the node");
		return;
	}
	CHECK(!n->closed, "open did not reopen the primary");
	CHECK(n->ch[0].gpadl != old_gpadl, "reopened on the old ring GPADL");
	/* A new grant: new offers, new relids, published again. */
	CHECK_EQ(hvsim_offer_subchannels(h, 0, 2), 0);
	for (i = 0; i < 2000 && (!n->ch[1].published ||
				 !n->ch[2].published); i++) {
		hvsim_uio_poll(u);
		usleep(1000);
	}
	CHECK(n->ch[1].published && n->ch[2].published);
	CHECK_EQ(n->ch[1].relid, 4);
	CHECK_EQ(n->ch[2].relid, 5);
	CHECK_EQ(hvsim_violations(h), 0);
	CHECK(write(wr, "g", 1) == 1);
}

int
main(int argc, char **argv)
{
	struct hvsim_uio_config ucfg;
	struct hvsim_config hc;
	char root[] = "/tmp/fid_face.XXXXXX", m, *env;
	struct hvsim *h;
	struct hvsim_uio *u;
	int to_guest[2], to_host[2], st, i;
	unsigned int n;
	struct stat sb;
	pid_t pid;

	if (argc == 3 && strcmp(argv[1], "--guest") == 0) {
		int rd = atoi(argv[2]);

		env = getenv("HVSIM_UIO_SYSFS");
		REQUIRE(env != NULL);
		snprintf(g_sys, sizeof(g_sys), "%s", env);
		snprintf(g_devroot, sizeof(g_devroot), "%s",
			 getenv("HVSIM_UIO_DEV"));
		snprintf(g_dev, sizeof(g_dev), "%s", getenv("FID_FACE_DEVDIR"));
		g_no_monitor = getenv("FID_FACE_NO_MONITOR") != NULL;
		return guest(rd, atoi(getenv("FID_FACE_WR")));
	}
	REQUIRE(argc == 2 || (argc == 3 && strcmp(argv[2], "--no-monitor") == 0),
		"usage: fid_face SHIM.so [--no-monitor]");
	g_no_monitor = argc == 3;
	REQUIRE(mkdtemp(root) != NULL);
	snprintf(g_sys, sizeof(g_sys), "%s/sys", root);
	snprintf(g_devroot, sizeof(g_devroot), "%s/dev", root);
	REQUIRE(mkdir(g_sys, 0755) == 0 && mkdir(g_devroot, 0755) == 0);

	hvsim_config_init(&hc, 1);
	hc.nic[0].max_queues = 4;
	h = hvsim_create(&hc);
	REQUIRE(h != NULL);
	hvsim_uio_config_init(&ucfg);
	ucfg.sysfs_root = g_sys;
	ucfg.dev_root = g_devroot;
	ucfg.ring_size = RING;
	ucfg.recv_size = BUF;
	ucfg.send_size = BUF;
	ucfg.no_monitor = g_no_monitor;
	u = hvsim_uio_create(h, &ucfg);
	REQUIRE(u != NULL);
	REQUIRE(strlen(u->nic[0].dir) < sizeof(g_dev));
	memcpy(g_dev, u->nic[0].dir, strlen(u->nic[0].dir) + 1);
	check_tree(u);
	/* Markers at the start of each map, where the guest must find them. */
	{
		static const char *const mk[UIO_MAP_COUNT] = {
			"RINGS", "INTPG", "MONPG", "RECVB", "SENDB",
		};
		struct uio_nic *nc = &u->nic[0];

		/* The ring headers belong to the ring engine; byte 0 of the
		 * TX header is write_index, restored below. */
		for (i = 0; i < UIO_MAP_COUNT; i++)
			memcpy(nc->file.host + nc->map_off[i], mk[i],
			       strlen(mk[i]));
	}

	REQUIRE(pipe(to_guest) == 0 && pipe(to_host) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		char fd_s[16], wr_s[16];

		close(to_guest[1]);
		close(to_host[0]);
		snprintf(fd_s, sizeof(fd_s), "%d", to_guest[0]);
		snprintf(wr_s, sizeof(wr_s), "%d", to_host[1]);
		setenv("LD_PRELOAD", argv[1], 1);
		/* An ASan build of this test: the shim precedes the runtime. */
		env = getenv("ASAN_OPTIONS");
		{
			char opts[512];

			snprintf(opts, sizeof(opts),
				 "%s%sverify_asan_link_order=0",
				 env != NULL ? env : "",
				 env != NULL && env[0] ? ":" : "");
			setenv("ASAN_OPTIONS", opts, 1);
		}
		setenv("HVSIM_UIO_SYSFS", g_sys, 1);
		setenv("HVSIM_UIO_DEV", g_devroot, 1);
		setenv("FID_FACE_DEVDIR", g_dev, 1);
		setenv("FID_FACE_WR", wr_s, 1);
		if (g_no_monitor)
			setenv("FID_FACE_NO_MONITOR", "1", 1);
		execl("/proc/self/exe", argv[0], "--guest", fd_s, (char *)NULL);
		_exit(127);
	}
	close(to_guest[0]);
	close(to_host[1]);
	if (host_read(u, to_host[0], &m) != 1)
		m = 0;
	CHECK(m == 'm', "guest did not map the node");
	/* Clear the ring marker: the engine must see valid indices. */
	memset(u->nic[0].file.host, 0, 8);
	CHECK(memcmp(u->nic[0].file.host + u->nic[0].map_off[UIO_MAP_SEND] + 8,
		     "GUEST", 5) == 0, "guest write to map4 not seen");
	/* The device grants two subchannels; the face must publish them
	 * once it has found the guest. */
	CHECK_EQ(hvsim_offer_subchannels(h, 0, 2), 0);
	for (n = 0; n < 2000 && (!u->nic[0].ch[2].published ||
				 !u->nic[0].ch[1].published); n++) {
		hvsim_uio_poll(u);
		usleep(1000);
	}
	CHECK(u->nic[0].ch[1].published && u->nic[0].ch[2].published);
	CHECK_EQ(hvsim_uio_guest_pid(u), pid);
	CHECK_EQ(hvsim_violations(h), 0);
	CHECK(write(to_guest[1], "g", 1) == 1);
	host_irqcontrol(u, to_host[0], to_guest[1]);
	host_reopen(u, h, to_host[0], to_guest[1]);
	/* The guest corrupts its ring: the host names it and stops that
	 * channel, nothing else. */
	if (host_read(u, to_host[0], &m) != 1)
		m = 0;
	CHECK(m == 'c', "guest did not reach the hostile step");
	for (n = 0; n < 2000 && hvsim_violations(h) == 0; n++) {
		hvsim_uio_poll(u);
		usleep(1000);
	}
	CHECK_EQ(hvsim_violations(h), 1);
	{
		char rep[512];

		hvsim_report(h, rep, sizeof(rep));
		CHECK(strstr(rep, "write_index") != NULL, "report: %s", rep);
	}
	CHECK(hvsim_preopen_failed(u->nic[0].ch[0].c),
	      "corrupt primary still polled");
	CHECK(!hvsim_preopen_failed(u->nic[0].ch[1].c),
	      "a healthy subchannel failed");
	CHECK(write(to_guest[1], "x", 1) == 1);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "guest status %#x (its failures are above)", st);

	hvsim_uio_destroy(u);
	CHECK(stat(g_dev, &sb) < 0 && errno == ENOENT, "tree left behind");
	{
		char node[PATH_MAX];

		snprintf(node, sizeof(node), "%s/uio0", g_devroot);
		CHECK(lstat(node, &sb) < 0 && errno == ENOENT,
		      "node left behind");
	}
	hvsim_destroy(h);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		CHECK(system(cmd) == 0);
	}
	return check_exit("fid_face");
}
