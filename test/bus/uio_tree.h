/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A fake uio_hv_generic tree for the uio backend's tests: one netvsc
 * device's sysfs attributes and uio maps as plain files, /dev/uio0 a plain
 * file with the maps back to back (the backend's uio_offsets=linear), and
 * subchannel directories the way the kernel lays them out.
 */

#ifndef HVBUS_TEST_UIO_TREE_H
#define HVBUS_TEST_UIO_TREE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "vmb_ring.h"

#define UT_INST		"1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
#define UT_RELID	5
#define UT_MON_ID	3
#define UT_RING		(32 * 1024)	/* primary map0: 16 KiB per direction */
#define UT_SUB_RING	(16 * 1024)
#define UT_DEV		"devices/" UT_INST

static const struct {
	const char *name;
	size_t size;
} ut_maps[5] = {
	{ "txrx_rings", UT_RING }, { "int_page", 4096 },
	{ "monitor_page", 4096 }, { "recv:0x1234", 64 * 1024 },
	{ "send:0x5678", 32 * 1024 },
};

static char ut_root[] = "/tmp/hvbus-uio.XXXXXX";

static void
ut_put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ut_root, rel);
	f = fopen(path, "w");
	REQUIRE(f != NULL, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void
ut_mkdir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", ut_root, rel);
	REQUIRE(mkdir(path, 0755) == 0 || errno == EEXIST, "%s", path);
}

static void
ut_rm(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", ut_root, rel);
	CHECK(unlink(path) == 0, "%s", path);
}

/* Map (creating it) a file of the fake tree. */
static uint8_t *
ut_map_file(const char *rel, size_t len)
{
	char path[512];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ut_root, rel);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	REQUIRE(fd >= 0 && ftruncate(fd, (off_t)len) == 0, "%s", path);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	REQUIRE(p != MAP_FAILED);
	return p;
}

/* Offset of map @i in the fake /dev/uio0 (maps back to back). */
static size_t
ut_map_off(int i)
{
	size_t off = 0;
	int k;

	for (k = 0; k < i; k++)
		off += ut_maps[k].size;
	return off;
}

/* The device with its primary (relid UT_RELID): returns /dev/uio0 mapped,
 * its length in @total.
 */
static uint8_t *
ut_make_tree(size_t *total)
{
	char rel[256], val[64];
	uint8_t *uio;
	int i;

	REQUIRE(mkdtemp(ut_root) != NULL);
	ut_mkdir("devices");
	ut_mkdir("dev");
	ut_mkdir(UT_DEV);
	ut_put(UT_DEV "/class_id", "{f8615163-df3e-46c5-913f-f2d2f965ed0e}\n");
	ut_put(UT_DEV "/device_id", "{" UT_INST "}\n");
	snprintf(val, sizeof(val), "%d\n", UT_RELID);
	ut_put(UT_DEV "/id", val);
	snprintf(val, sizeof(val), "%d\n", UT_MON_ID);
	ut_put(UT_DEV "/monitor_id", val);
	ut_mkdir(UT_DEV "/channels");
	snprintf(rel, sizeof(rel), UT_DEV "/channels/%d", UT_RELID);
	ut_mkdir(rel);
	ut_mkdir(UT_DEV "/uio");
	ut_mkdir(UT_DEV "/uio/uio0");
	ut_mkdir(UT_DEV "/uio/uio0/maps");
	for (i = 0; i < 5; i++) {
		snprintf(rel, sizeof(rel), UT_DEV "/uio/uio0/maps/map%d", i);
		ut_mkdir(rel);
		snprintf(rel, sizeof(rel), UT_DEV "/uio/uio0/maps/map%d/name",
			 i);
		snprintf(val, sizeof(val), "%s\n", ut_maps[i].name);
		ut_put(rel, val);
		snprintf(rel, sizeof(rel), UT_DEV "/uio/uio0/maps/map%d/size",
			 i);
		snprintf(val, sizeof(val), "0x%zx\n", ut_maps[i].size);
		ut_put(rel, val);
	}
	*total = ut_map_off(5);
	uio = ut_map_file("dev/uio0", *total);
	vmb_ring_hdr_reset(uio, VMB_RING_FEAT_PENDING_SZ);
	vmb_ring_hdr_reset(uio + UT_RING / 2, VMB_RING_FEAT_PENDING_SZ);
	return uio;
}

/* Subchannel @sub on @relid appears, ring last (as the kernel does);
 * returns its ring mapped (UT_SUB_RING bytes).
 */
static uint8_t *
ut_sub_add(unsigned int relid, unsigned int sub, unsigned int mon)
{
	char rel[256], val[32];
	uint8_t *ring;

	snprintf(rel, sizeof(rel), UT_DEV "/channels/%u", relid);
	ut_mkdir(rel);
	snprintf(rel, sizeof(rel), UT_DEV "/channels/%u/subchannel_id", relid);
	snprintf(val, sizeof(val), "%u\n", sub);
	ut_put(rel, val);
	snprintf(rel, sizeof(rel), UT_DEV "/channels/%u/monitor_id", relid);
	snprintf(val, sizeof(val), "%u\n", mon);
	ut_put(rel, val);
	snprintf(rel, sizeof(rel), UT_DEV "/channels/%u/ring", relid);
	ring = ut_map_file(rel, UT_SUB_RING);
	vmb_ring_hdr_reset(ring, VMB_RING_FEAT_PENDING_SZ);
	vmb_ring_hdr_reset(ring + UT_SUB_RING / 2, VMB_RING_FEAT_PENDING_SZ);
	return ring;
}

/* The kernel removes subchannel @relid's directory. */
static void
ut_sub_remove(unsigned int relid)
{
	static const char *const files[] = {
		"ring", "subchannel_id", "monitor_id",
	};
	char rel[256], path[600];
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), UT_DEV "/channels/%u/%s", relid,
			 files[i]);
		ut_rm(rel);
	}
	snprintf(path, sizeof(path), "%s/" UT_DEV "/channels/%u", ut_root,
		 relid);
	CHECK_EQ(rmdir(path), 0);
}

/* The device goes away (its sysfs directory leaves the devices list). */
static void
ut_dev_remove(void)
{
	char from[512], to[512];

	snprintf(from, sizeof(from), "%s/" UT_DEV, ut_root);
	snprintf(to, sizeof(to), "%s/gone", ut_root);
	CHECK_EQ(rename(from, to), 0);
}

static void
ut_cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ut_root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", ut_root);
}

#endif /* HVBUS_TEST_UIO_TREE_H */
