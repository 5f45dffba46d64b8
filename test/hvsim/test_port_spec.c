/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Port specs (hvsim --port, hvbus port=): every kind with its options,
 * one NIC or all, switch pairing, and bad specs refused with a reason and
 * the configuration untouched.
 */

#include <errno.h>
#include <string.h>

#include "check.h"
#include "hvsim.h"

static int
parse(struct hvsim_config *cfg, const char *spec, char *err)
{
	static char buf[8][256];
	static unsigned int n;
	char *s = buf[n++ % 8];

	/* Copies that outlive the call: pcap names point into them. */
	snprintf(s, 256, "%s", spec);
	err[0] = '\0';
	return hvsim_port_parse(cfg, s, err, 256);
}

static void
test_good(void)
{
	struct hvsim_config cfg;
	char err[256];
	unsigned int i;

	hvsim_config_init(&cfg, 4);
	CHECK_EQ(parse(&cfg, "gen,len=128,flows=64,rate=1000,count=5,vlan=0x2005",
		       err), 0);
	for (i = 0; i < 4; i++) {
		const struct hvsim_port_config *p = &cfg.nic[i].port;

		CHECK_EQ(p->kind, HVSIM_PORT_GEN_SINK);
		CHECK_EQ(p->gen.frame_len, 128);
		CHECK_EQ(p->gen.flows, 64);
		CHECK_EQ(p->gen.rate_pps, 1000);
		CHECK_EQ(p->gen.count, 5);
		CHECK(p->gen.vlan && p->gen.vlan_tci == 0x2005, "vlan");
	}
	/* Defaults of a bare generator; a sink generates nothing. */
	CHECK_EQ(parse(&cfg, "1:gen", err), 0);
	CHECK_EQ(cfg.nic[1].port.gen.frame_len, 60);
	CHECK_EQ(cfg.nic[1].port.gen.flows, 1);
	CHECK(!cfg.nic[1].port.gen.vlan, "no vlan");
	CHECK_EQ(cfg.nic[0].port.gen.frame_len, 128);	/* others kept */
	CHECK_EQ(parse(&cfg, "2:sink", err), 0);
	CHECK_EQ(cfg.nic[2].port.kind, HVSIM_PORT_GEN_SINK);
	CHECK_EQ(cfg.nic[2].port.gen.frame_len, 0);
	CHECK_EQ(parse(&cfg, "3:reflect", err), 0);
	CHECK_EQ(cfg.nic[3].port.kind, HVSIM_PORT_REFLECT);
	/* Switch: pairs 0-1, 2-3 without peer=; one NIC with peer=. */
	CHECK_EQ(parse(&cfg, "switch", err), 0);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(cfg.nic[i].port.kind, HVSIM_PORT_SWITCH);
		CHECK_EQ(cfg.nic[i].port.peer, i ^ 1);
	}
	CHECK_EQ(parse(&cfg, "0:switch,peer=3", err), 0);
	CHECK_EQ(cfg.nic[0].port.peer, 3);
	CHECK_EQ(cfg.nic[1].port.peer, 0);
	/* pcap names point into the spec. */
	CHECK_EQ(parse(&cfg, "1:pcap,in=/a/in.pcap,out=/b/out.pcap", err), 0);
	CHECK_EQ(cfg.nic[1].port.kind, HVSIM_PORT_PCAP);
	CHECK(strcmp(cfg.nic[1].port.pcap_in, "/a/in.pcap") == 0, "in");
	CHECK(strcmp(cfg.nic[1].port.pcap_out, "/b/out.pcap") == 0, "out");
	CHECK_EQ(parse(&cfg, "0:pcap,in=x", err), 0);
	CHECK(cfg.nic[0].port.pcap_out == NULL, "no out");
}

static void
test_bad(void)
{
	static const struct {
		const char *spec;
		const char *reason;	/* a word the message must carry */
	} bad[] = {
		{ "", "kind" },
		{ "bogus", "reflect, switch, gen, sink or pcap" },
		{ "gen,len=59", "len=60..9014" },
		{ "gen,len=9015", "len=60..9014" },
		{ "gen,len=", "OPT=VAL" },
		{ "gen,len", "OPT=VAL" },
		{ "gen,flows=0", "flows" },
		{ "gen,vlan=65536", "vlan" },
		{ "gen,rate=-1", "rate" },
		{ "gen,count=1x", "count" },
		{ "gen,peer=1", "unknown option 'peer'" },
		{ "sink,len=60", "unknown option 'len'" },
		{ "reflect,flows=2", "unknown option" },
		{ "switch,len=60", "peer=N" },
		{ "switch,peer=4", "not another NIC" },
		{ "1:switch,peer=1", "not another NIC" },
		{ "pcap", "in=FILE" },
		{ "pcap,out=/x", "in=FILE" },
		{ "4:gen", "does not exist" },
		{ "16:gen", "does not exist" },
		{ "x:gen", "does not exist" },
		{ ":gen", "does not exist" },
		{ "0:", "kind" },
	};
	struct hvsim_config cfg, before;
	char err[256];
	unsigned int i;

	hvsim_config_init(&cfg, 4);
	CHECK_EQ(parse(&cfg, "1:gen,len=100", err), 0);
	memcpy(&before, &cfg, sizeof(cfg));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(&cfg, bad[i].spec, err), -EINVAL);
		CHECK(strstr(err, bad[i].reason) != NULL,
		      "'%s': message '%s' lacks '%s'", bad[i].spec, err,
		      bad[i].reason);
		CHECK(memcmp(&cfg, &before, sizeof(cfg)) == 0,
		      "'%s' changed the configuration", bad[i].spec);
	}
	CHECK_EQ(hvsim_port_parse(NULL, NULL, err, sizeof(err)), -EINVAL);
	CHECK(strstr(hvsim_port_spec_help, "[NIC:]KIND") != NULL, "help");
}

int
main(void)
{
	test_good();
	test_bad();
	return check_exit("hvsim_port_spec");
}
