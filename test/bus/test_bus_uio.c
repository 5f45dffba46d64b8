/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The uio backend against a fake uio_hv_generic tree: sysfs attributes and
 * maps as plain files (uio_offsets=linear), /dev/uio0 a plain file this
 * test also maps to play the host. The device is listed and probed, the
 * primary's rings (opened "by the kernel") carry packets both ways and
 * ring the monitor page, the kernel's receive and send buffers are handed
 * out with their GPADL handles, a subchannel appears and goes with its
 * sysfs directory, and the device's directory going away is a rescind.
 */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bus_test.h"

#define INST	"1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
#define RELID	5
#define SUB_RELID	7
#define MON_ID	3
#define RING	(32 * 1024)	/* primary map0: 16 KiB per direction */
#define SUB_RING	(16 * 1024)

static const struct {
	const char *name;
	size_t size;
} maps[5] = {
	{ "txrx_rings", RING }, { "int_page", 4096 },
	{ "monitor_page", 4096 }, { "recv:0x1234", 64 * 1024 },
	{ "send:0x5678", 32 * 1024 },
};

static char root[] = "/tmp/hvbus-uio.XXXXXX";

static void
put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	REQUIRE(f != NULL, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void
mk(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	REQUIRE(mkdir(path, 0755) == 0 || errno == EEXIST, "%s", path);
}

static void
rm(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK(unlink(path) == 0, "%s", path);
}

/* Map (creating it) a file of the fake tree. */
static uint8_t *
map_file(const char *rel, size_t len)
{
	char path[512];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	REQUIRE(fd >= 0 && ftruncate(fd, (off_t)len) == 0, "%s", path);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	REQUIRE(p != MAP_FAILED);
	return p;
}

static uint8_t *
make_tree(size_t *total)
{
	char rel[256], val[64];
	size_t off = 0;
	uint8_t *uio;
	int i;

	REQUIRE(mkdtemp(root) != NULL);
	mk("devices");
	mk("dev");
	mk("devices/" INST);
	put("devices/" INST "/class_id",
	    "{f8615163-df3e-46c5-913f-f2d2f965ed0e}\n");
	put("devices/" INST "/device_id", "{" INST "}\n");
	put("devices/" INST "/id", "5\n");
	put("devices/" INST "/monitor_id", "3\n");
	mk("devices/" INST "/channels");
	mk("devices/" INST "/channels/5");
	mk("devices/" INST "/uio");
	mk("devices/" INST "/uio/uio0");
	mk("devices/" INST "/uio/uio0/maps");
	for (i = 0; i < 5; i++) {
		snprintf(rel, sizeof(rel), "devices/" INST "/uio/uio0/maps/map%d",
			 i);
		mk(rel);
		snprintf(rel, sizeof(rel),
			 "devices/" INST "/uio/uio0/maps/map%d/name", i);
		snprintf(val, sizeof(val), "%s\n", maps[i].name);
		put(rel, val);
		snprintf(rel, sizeof(rel),
			 "devices/" INST "/uio/uio0/maps/map%d/size", i);
		snprintf(val, sizeof(val), "0x%zx\n", maps[i].size);
		put(rel, val);
		off += maps[i].size;
	}
	*total = off;
	uio = map_file("dev/uio0", off);
	vmb_ring_hdr_reset(uio, VMB_RING_FEAT_PENDING_SZ);
	vmb_ring_hdr_reset(uio + RING / 2, VMB_RING_FEAT_PENDING_SZ);
	return uio;
}

/* Offset of map @i in the fake /dev/uio0 (maps back to back). */
static size_t
map_off(int i)
{
	size_t off = 0;
	int k;

	for (k = 0; k < i; k++)
		off += maps[k].size;
	return off;
}

static void
test_rings(uint8_t *uio, struct hvbus_chan *c)
{
	struct vmb_ring host_in, host_out;
	const char hello[] = "hello host";
	uint8_t buf[256];
	const struct vmb_pkt_desc *d = (const void *)buf;
	uint32_t *pending;
	int rc;

	REQUIRE(vmb_ring_init_mem(&host_in, uio, RING / 2) == 0);
	REQUIRE(vmb_ring_init_mem(&host_out, uio + RING / 2, RING / 2) == 0);
	/* guest -> host, with a doorbell on the monitor page */
	pending = (uint32_t *)(uio + map_off(2) + 8 + 8 * (MON_ID / 32));
	rc = vmb_ring_write(&c->tx, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC, 7,
			    NULL, 0, &(struct vmb_iov){ hello, sizeof(hello) },
			    1);
	CHECK_EQ(rc, 1);
	if (rc == 1)
		hvbus_chan_signal(c);
	CHECK(*pending & (1u << (MON_ID % 32)), "doorbell rung");
	rc = vmb_ring_read(&host_in, buf, sizeof(buf));
	CHECK(rc > 0 && d->xid == 7 &&
	      memcmp(buf + d->data_offset8 * 8, hello, sizeof(hello)) == 0,
	      "host got the packet: %d", rc);
	/* host -> guest */
	rc = vmb_ring_write(&host_out, VMB_PKT_COMPLETION, 0, 9, NULL, 0,
			    &(struct vmb_iov){ "ok", 2 }, 1);
	CHECK(rc >= 0);
	rc = vmb_ring_read(&c->rx, buf, sizeof(buf));
	CHECK(rc > 0 && d->type == VMB_PKT_COMPLETION && d->xid == 9,
	      "guest got the completion: %d", rc);
}

static void
test_buffers(uint8_t *uio, struct rte_hvbus_device *dev)
{
	void *va = NULL, *va2 = NULL;
	uint32_t h = 0, h2 = 0;

	memset(uio + map_off(3), 0x3c, 4096);
	CHECK_EQ(hvbus_gpadl_create(dev, 32 * 1024, &va, &h), 0);
	CHECK_EQ(h, 0x1234);
	CHECK(va != NULL && ((uint8_t *)va)[100] == 0x3c, "receive buffer");
	CHECK_EQ(hvbus_gpadl_create(dev, 64 * 1024, &va2, &h2), -ENOSPC);
	CHECK_EQ(hvbus_gpadl_create(dev, 32 * 1024, &va2, &h2), 0);
	CHECK_EQ(h2, 0x5678);
	CHECK_EQ(hvbus_gpadl_create(dev, 4096, &va2, &h2), -ENOSPC);
	CHECK_EQ(hvbus_gpadl_destroy(dev, 0x5678), 0);
	CHECK_EQ(hvbus_gpadl_destroy(dev, 0x1234), 0);
}

static void
test_subchannel(struct rte_hvbus_device *dev)
{
	struct hvbus_chan *c = NULL;
	uint8_t *ring;
	char path[512];

	mk("devices/" INST "/channels/7");
	put("devices/" INST "/channels/7/subchannel_id", "1\n");
	put("devices/" INST "/channels/7/monitor_id", "4\n");
	ring = map_file("devices/" INST "/channels/7/ring", SUB_RING);
	vmb_ring_hdr_reset(ring, VMB_RING_FEAT_PENDING_SZ);
	vmb_ring_hdr_reset(ring + SUB_RING / 2, VMB_RING_FEAT_PENDING_SZ);
	CHECK_EQ(hvbus_subchan_wait(dev, 1, 3000), 1);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_SUBCHAN_OFFER], 1, 3000), 0);
	CHECK_EQ(hvbus_chan_open(dev, 1, 0, 0, &c), 0);
	CHECK(c != NULL && c->relid == SUB_RELID && c->subidx == 1);
	if (c != NULL)
		CHECK_EQ(c->tx.size, SUB_RING / 2 - 4096);
	/* The kernel removes the channel: a rescind of that one only. */
	rm("devices/" INST "/channels/7/ring");
	rm("devices/" INST "/channels/7/subchannel_id");
	rm("devices/" INST "/channels/7/monitor_id");
	snprintf(path, sizeof(path), "%s/devices/" INST "/channels/7", root);
	CHECK_EQ(rmdir(path), 0);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_RESCIND], 1, 3000), 0);
	CHECK_EQ(bt.ev_sub[HVBUS_EV_RESCIND], 1);
	CHECK(dev->chan_slot[1] == NULL && dev->chan_slot[0] != NULL);
	munmap(ring, SUB_RING);
}

int
main(int argc, char **argv)
{
	struct rte_hvbus_device *dev;
	struct hvbus_chan *c = NULL;
	char args[600], from[512], to[512];
	size_t total;
	uint8_t *uio;
	int rc;

	(void)argc;
	uio = make_tree(&total);
	snprintf(args, sizeof(args), "backend=uio,sysfs=%s/devices,"
		 "devroot=%s/dev,uio_offsets=linear,timeout_ms=2000", root,
		 root);
	rc = bt_eal_init_args(argv[0], "1", args);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	CHECK(hvbus_sim_hvsim() == NULL);
	REQUIRE(bt_get(&bt.n_probed) == 1, "the uio device was probed");
	dev = bt.dev[0];
	CHECK(strcmp(dev->name, INST) == 0, "%s", dev->name);

	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, &c), 0);
	REQUIRE(c != NULL);
	CHECK_EQ(c->relid, RELID);
	CHECK_EQ(c->tx.size, RING / 2 - 4096);
	test_rings(uio, c);
	test_buffers(uio, dev);
	test_subchannel(dev);
	/* Close and reopen: the kernel keeps it open, the bus just maps. */
	CHECK_EQ(hvbus_chan_close(dev, 0), 0);
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, &c), 0);

	/* The device goes away: rescind of the primary. */
	snprintf(from, sizeof(from), "%s/devices/" INST, root);
	snprintf(to, sizeof(to), "%s/gone", root);
	CHECK_EQ(rename(from, to), 0);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_RESCIND], 2, 3000), 0);
	CHECK_EQ(bt.ev_sub[HVBUS_EV_RESCIND], 0);
	CHECK(dev->chan_slot[0] == NULL, "primary unpublished");
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, NULL), -ENODEV);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(bt.n_removed, 1);
	munmap(uio, total);
	snprintf(args, sizeof(args), "rm -rf '%s'", root);
	if (system(args) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	return check_exit("bus_uio");
}
