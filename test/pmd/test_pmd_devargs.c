/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Device arguments from one table (drivers/common/hvnet_devargs.h): the
 * defaults, good values, and every kind of bad string refused with a
 * message that names the key and what it accepts, leaving the defaults;
 * the parameter string generated from the same rows; and net_hvnet's own
 * table through hvn_devargs_parse().
 */

#include <stdio.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_log.h>

#include "check.h"
#include "hvn.h"
#include "hvnet_devargs.h"

struct t_settings {
	uint32_t ring;
	uint32_t mode;
	char port[8];
};

#define T_DEVARGS(U32, NAME)						\
	U32(ring, 4096, 1024, 65536, 1024, "bytes per ring")		\
	U32(mode, 1, 0, 2, 0, "0 off, 1 on, 2 auto")			\
	NAME(port, "port name", "the port to follow")

#define HVNET_DEVARGS_STRUCT struct t_settings
static const struct hvnet_devarg t_rows[] = {
	T_DEVARGS(HVNET_DEVARG_U32_ROW, HVNET_DEVARG_NAME_ROW)
};
#undef HVNET_DEVARGS_STRUCT

static const char t_param[] =
	T_DEVARGS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM);

static char *log_buf;
static size_t log_len;
static FILE *log_f;

/* Parse @p args with the test table; the log it wrote is in log_buf. */
static int
t_parse(const char *args, struct t_settings *s)
{
	const struct hvnet_devargs_spec spec = {
		.who = "tdrv",
		.logtype = RTE_LOGTYPE_USER1,
		.rows = t_rows,
		.n_rows = RTE_DIM(t_rows),
	};
	int rc;

	memset(s, 0xa5, sizeof(*s));
	rewind(log_f);
	rc = hvnet_devargs_parse(&spec, args, s);
	fputc('\0', log_f);
	fflush(log_f);
	return rc;
}

static void
t_defaults_kept(const struct t_settings *s)
{
	CHECK_EQ(s->ring, 4096);
	CHECK_EQ(s->mode, 1);
	CHECK(s->port[0] == '\0', "port \"%.8s\"", s->port);
}

/* A refused string: @p rc back, a message holding every @p want. */
static void
t_bad(const char *args, int rc, const char *want1, const char *want2)
{
	struct t_settings s;

	CHECK_EQ(t_parse(args, &s), rc);
	CHECK(strstr(log_buf, want1) != NULL, "\"%s\": log \"%s\" lacks "
	      "\"%s\"", args, log_buf, want1);
	CHECK(want2 == NULL || strstr(log_buf, want2) != NULL,
	      "\"%s\": log \"%s\" lacks \"%s\"", args, log_buf, want2);
	t_defaults_kept(&s);
}

static void
test_table(void)
{
	struct t_settings s;

	CHECK_EQ(t_parse(NULL, &s), 0);
	t_defaults_kept(&s);
	CHECK_EQ(t_parse("", &s), 0);
	t_defaults_kept(&s);
	CHECK_EQ(t_parse("ring=2048,port=p0", &s), 0);
	CHECK_EQ(s.ring, 2048);
	CHECK_EQ(s.mode, 1);
	CHECK(strcmp(s.port, "p0") == 0, "port \"%.8s\"", s.port);
	CHECK_EQ(t_parse("ring=65536,mode=0", &s), 0);
	CHECK_EQ(s.ring, 65536);
	CHECK_EQ(s.mode, 0);
	CHECK_EQ(t_parse("ring=0x400,mode=2,port=1234567", &s), 0);
	CHECK_EQ(s.ring, 1024);
	CHECK_EQ(s.mode, 2);
	CHECK_EQ(log_buf[0], '\0');

	t_bad("rings=2048", -EINVAL, "tdrv: devarg rings: unknown key",
	      "keys: ring, mode, port");
	t_bad("ring=512", -ERANGE, "devarg ring=512: out of range",
	      "accepted 1024..65536, a multiple of 1024 (bytes per ring)");
	t_bad("ring=131072", -ERANGE, "ring=131072: out of range", NULL);
	t_bad("ring=1500", -EINVAL, "ring=1500: not a multiple of 1024",
	      "accepted 1024..65536");
	t_bad("mode=3", -ERANGE, "mode=3: out of range",
	      "accepted 0..2 (0 off, 1 on, 2 auto)");
	t_bad("mode=-1", -EINVAL, "mode=-1: not a number", "accepted 0..2");
	t_bad("mode=1x", -EINVAL, "mode=1x: not a number", NULL);
	t_bad("mode=", -EINVAL, "mode=: not a number", NULL);
	t_bad("mode", -EINVAL, "mode=: not a number", NULL);
	t_bad("mode=99999999999999999999", -EINVAL, "not a number", NULL);
	t_bad("mode=1,mode=2", -EINVAL, "devarg mode given more than once",
	      NULL);
	t_bad("port=12345678", -EINVAL, "port=12345678: accepted 1..7 "
	      "characters", NULL);
	/* A good key before a bad one: nothing of it stays applied. */
	t_bad("ring=2048,port=p1,mode=7", -ERANGE, "mode=7", NULL);
	t_bad("ring=2048,=", -EINVAL, "tdrv: devarg", NULL);

	CHECK(strcmp(t_param, "ring=<1024-65536> mode=<0-2> "
		     "port=<port name> ") == 0, "param string \"%s\"", t_param);
}

/* net_hvnet's own rows: defaults and the ranges its users rely on. */
static void
test_hvnet(void)
{
	struct rte_devargs da;
	struct hvn_devargs a;

	memset(&da, 0, sizeof(da));
	CHECK_EQ(hvn_devargs_parse(&da, &a), 0);
	CHECK_EQ(a.tx_copybreak, 512);
	CHECK_EQ(a.rx_ring_size, 1024 * 1024);
	CHECK_EQ(a.tx_ring_size, 1024 * 1024);
	CHECK_EQ(a.recv_buf_mb, 16);
	CHECK_EQ(a.send_buf_mb, 16);
	CHECK_EQ(a.latency, 0);
	CHECK_EQ(a.persist, 1);
	CHECK_EQ(a.tx_channels, 1);
	CHECK(a.vf[0] == '\0', "vf \"%s\"", a.vf);

	da.args = (char *)(uintptr_t)"tx_copybreak=0,rx_ring_size=16384,"
		"tx_ring_size=67108864,recv_buf_mb=128,send_buf_mb=1,"
		"latency=256,persist=0,tx_channels=0,vf=net_ring0";
	CHECK_EQ(hvn_devargs_parse(&da, &a), 0);
	CHECK_EQ(a.tx_copybreak, 0);
	CHECK_EQ(a.rx_ring_size, 16384);
	CHECK_EQ(a.tx_ring_size, 64u << 20);
	CHECK_EQ(a.recv_buf_mb, 128);
	CHECK_EQ(a.send_buf_mb, 1);
	CHECK_EQ(a.latency, 256);
	CHECK_EQ(a.persist, 0);
	CHECK_EQ(a.tx_channels, 0);
	CHECK(strcmp(a.vf, "net_ring0") == 0, "vf \"%s\"", a.vf);

	rewind(log_f);
	da.args = (char *)(uintptr_t)"rx_ring_size=20000";
	CHECK_EQ(hvn_devargs_parse(&da, &a), -EINVAL);
	fputc('\0', log_f);
	fflush(log_f);
	CHECK(strstr(log_buf, "hvnet: devarg rx_ring_size=20000: not a "
		     "multiple of 4096; accepted 16384..67108864") != NULL,
	      "log \"%s\"", log_buf);
	CHECK_EQ(a.rx_ring_size, 1024 * 1024);
	da.args = (char *)(uintptr_t)"tx_copybreak=4097";
	CHECK_EQ(hvn_devargs_parse(&da, &a), -ERANGE);
	da.args = (char *)(uintptr_t)"persist=2";
	CHECK_EQ(hvn_devargs_parse(&da, &a), -ERANGE);
	da.args = (char *)(uintptr_t)"tx_copy_break=1";
	CHECK_EQ(hvn_devargs_parse(&da, &a), -EINVAL);
}

int
main(void)
{
	log_f = open_memstream(&log_buf, &log_len);
	REQUIRE(log_f != NULL, "open_memstream");
	REQUIRE(rte_openlog_stream(log_f) == 0, "rte_openlog_stream");
	test_table();
	test_hvnet();
	rte_openlog_stream(NULL);
	fclose(log_f);
	free(log_buf);
	return check_exit("pmd_devargs");
}
