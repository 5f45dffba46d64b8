/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The hvsim that hvbus embeds logs through rte_log under its own logtype,
 * bus.hvbus.sim, so --log-level filters it like any DPDK component: run
 * with "--log-level=bus.hvbus.sim:LEVEL" (LEVEL from the command line), a
 * guest that connects, opens a channel and then breaks the protocol on
 * purpose (a packet type netvsc never sends), and check which of the
 * host's lines reached the log: debug traces, info events, the violation.
 *
 * Usage: test_hvsim_embedded_log debug|info|error|critical
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>

#include "hv_clock.h"
#include "check.h"
#include "hvsim.h"
#include "rte_bus_hvbus.h"
#include "sim.h"
#include "vmb_pkt.h"

static struct rte_hvbus_device *el_dev;

static int
el_probe(struct rte_hvbus_driver *drv, struct rte_hvbus_device *dev)
{
	(void)drv;
	__atomic_store_n(&el_dev, dev, __ATOMIC_RELEASE);
	return 0;
}

static int
el_remove(struct rte_hvbus_device *dev)
{
	hvbus_chan_close(dev, 0);
	return 0;
}

static struct rte_hvbus_driver el_drv = {
	.class_id = &vmb_guid_netvsc,
	.probe = el_probe,
	.remove = el_remove,
};

RTE_PMD_REGISTER_HVBUS(hvsim_embedded_log_drv, el_drv);

static int
el_eal_init(const char *prog, const char *level)
{
	static char prefix[64], lvl[64];
	char *argv[] = {
		(char *)(uintptr_t)prog, (char *)"--no-huge", (char *)"-m",
		(char *)"256", (char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--log-level=bus.hvbus:info", lvl, prefix,
		(char *)"--vdev=hvbus_sim,nics=1,timeout_ms=5000,"
		"ring_size=65536", NULL,
	};

	snprintf(prefix, sizeof(prefix), "--file-prefix=hvsim_log%d",
		 (int)getpid());
	snprintf(lvl, sizeof(lvl), "--log-level=bus.hvbus.sim:%s", level);
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

/* Open the primary and write a packet of a type the host refuses. */
static void
el_break_protocol(void)
{
	struct hvsim *h = hvbus_sim_hvsim();
	struct hvbus_chan *c = NULL;
	uint8_t junk[16] = { 0 };
	struct vmb_iov iov = { junk, sizeof(junk) };
	uint64_t end = hv_now_ms() + 10000;
	int rc;

	while (__atomic_load_n(&el_dev, __ATOMIC_ACQUIRE) == NULL &&
	       hv_now_ms() < end)
		usleep(1000);
	REQUIRE(el_dev != NULL, "no hvbus device probed");
	REQUIRE(h != NULL, "no embedded hvsim");
	rc = hvbus_chan_open(el_dev, 0, 0, 0, &c);
	REQUIRE(rc == 0 && c != NULL, "open primary: %d", rc);
	rc = vmb_ring_write(&c->tx, VMB_PKT_ESTABLISH_GPADL, 0, 1, NULL, 0,
			    &iov, 1);
	REQUIRE(rc >= 0, "ring write: %d", rc);
	if (rc == 1)
		hvbus_chan_signal(c);
	while (hvsim_violations(h) == 0 && hv_now_ms() < end)
		usleep(1000);
	CHECK_EQ(hvsim_violations(h), 1);
	CHECK_EQ(hvbus_chan_close(el_dev, 0), 0);
}

/* Lines of @p log written by the embedded host that contain @p what. */
static unsigned int
el_count(const char *log, const char *what)
{
	const char *p = log;
	unsigned int n = 0;

	while ((p = strstr(p, "hvsim[hvbus-embedded]: ")) != NULL) {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		const char *hit = strstr(p, what);

		if (hit != NULL && hit < p + len)
			n++;
		p += len;
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *level = argc > 1 ? argv[1] : "debug";
	bool debug = strcmp(level, "debug") == 0;
	bool info = debug || strcmp(level, "info") == 0;
	bool error = info || strcmp(level, "error") == 0;
	FILE *stream = tmpfile();
	char *log;
	long size;

	REQUIRE(stream != NULL, "tmpfile: %s", strerror(errno));
	REQUIRE(rte_openlog_stream(stream) == 0, "log stream");
	REQUIRE(el_eal_init(argv[0], level) >= 0, "EAL init failed");
	el_break_protocol();
	rte_eal_cleanup();

	fflush(stream);
	size = ftell(stream);
	REQUIRE(size > 0, "nothing logged");
	log = calloc(1, (size_t)size + 1);
	REQUIRE(log != NULL, "out of memory");
	rewind(stream);
	REQUIRE(fread(log, 1, (size_t)size, stream) == (size_t)size, "read");
	fclose(stream);

	/* The bus ran and connected whatever the host's level. */
	CHECK(strstr(log, "hvbus: VMBus version") != NULL,
	      "the bus did not log its connection");
	/* debug: every channel message; info: the connection; error: the
	 * violation; critical: not one line of the host's.
	 */
	CHECK_EQ(el_count(log, "<- INITIATE_CONTACT") > 0, debug);
	CHECK_EQ(el_count(log, "-> OFFERCHANNEL") > 0, debug);
	CHECK_EQ(el_count(log, "connected at version") > 0, info);
	CHECK_EQ(el_count(log, ": open sub 0 relid") > 0, info);
	CHECK_EQ(el_count(log, "VIOLATION: ") > 0, error);
	if (!error)
		CHECK_EQ(el_count(log, ""), 0);
	if (check_failures != 0 || getenv("EL_SHOW"))
		fprintf(stderr, "---- log at %s ----\n%s", level, log);
	free(log);
	return check_exit("hvsim_embedded_log");
}
