/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Port specs, "[NIC:]KIND[,OPT=VAL...]": what sits behind a NIC, as the
 * hvsim daemon's --port and the hvbus setting port= (embedded hvsim) take
 * it. One parser for both so the two spellings cannot drift apart. Each
 * kind accepts only its own options: "sink,len=60" is a mistake to report,
 * not a generator to start.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim.h"

#define SPEC_MAX_NICS \
	(sizeof(((struct hvsim_config *)0)->nic) / \
	 sizeof(((struct hvsim_config *)0)->nic[0]))

const char hvsim_port_spec_help[] =
	"[NIC:]KIND[,OPT=VAL...] with KIND reflect | switch[,peer=N] | "
	"gen[,len=60..9014][,flows=N][,rate=PPS][,count=N][,window=N]"
	"[,vlan=TCI] | "
	"sink | pcap,in=FILE[,out=FILE]";

struct port_kind {
	const char *name;
	enum hvsim_port_kind kind;
	const char *opts;	/* valid options, for the error message */
};

static const struct port_kind port_kinds[] = {
	{ "reflect", HVSIM_PORT_REFLECT, "none" },
	{ "switch", HVSIM_PORT_SWITCH, "peer=N" },
	{ "gen", HVSIM_PORT_GEN_SINK,
	  "len=60..9014, flows=1.., rate=PPS, count=N, window=0..1048576, "
	  "vlan=0..65535" },
	{ "sink", HVSIM_PORT_GEN_SINK, "none" },
	{ "pcap", HVSIM_PORT_PCAP, "in=FILE, out=FILE" },
};

static int
spec_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int
spec_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;

	if (*s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || *v < lo || *v > hi)
		return -EINVAL;
	return 0;
}

/* One KEY=VAL of kind @p k into @p p. */
static int
spec_opt(const struct port_kind *k, struct hvsim_port_config *p, char *kv,
	 char *err, size_t errlen)
{
	char *val = strchr(kv, '=');
	bool gen = k->kind == HVSIM_PORT_GEN_SINK && p->gen.frame_len != 0;
	uint64_t v;
	int rc = -EINVAL;

	if (val == NULL || val[1] == '\0')
		return spec_err(err, errlen, "'%s': want OPT=VAL", kv);
	*val++ = '\0';
	if (k->kind == HVSIM_PORT_PCAP && strcmp(kv, "in") == 0) {
		p->pcap_in = val;
		return 0;
	}
	if (k->kind == HVSIM_PORT_PCAP && strcmp(kv, "out") == 0) {
		p->pcap_out = val;
		return 0;
	}
	if (k->kind == HVSIM_PORT_SWITCH && strcmp(kv, "peer") == 0) {
		rc = spec_u64(val, 0, SPEC_MAX_NICS - 1, &v);
		if (rc == 0)
			p->peer = (unsigned int)v;
	} else if (gen && strcmp(kv, "len") == 0) {
		rc = spec_u64(val, 60, 9014, &v);
		if (rc == 0)
			p->gen.frame_len = (uint32_t)v;
	} else if (gen && strcmp(kv, "flows") == 0) {
		rc = spec_u64(val, 1, UINT32_MAX, &v);
		if (rc == 0)
			p->gen.flows = (uint32_t)v;
	} else if (gen && strcmp(kv, "rate") == 0) {
		rc = spec_u64(val, 0, UINT64_MAX, &p->gen.rate_pps);
	} else if (gen && strcmp(kv, "count") == 0) {
		rc = spec_u64(val, 0, UINT64_MAX, &p->gen.count);
	} else if (gen && strcmp(kv, "window") == 0) {
		rc = spec_u64(val, 0, 1u << 20, &v);
		if (rc == 0)
			p->gen.window = (uint32_t)v;
	} else if (gen && strcmp(kv, "vlan") == 0) {
		rc = spec_u64(val, 0, 0xffff, &v);
		if (rc == 0) {
			p->gen.vlan = true;
			p->gen.vlan_tci = (uint16_t)v;
		}
	} else {
		return spec_err(err, errlen, "%s: unknown option '%s' "
				"(options: %s)", k->name, kv, k->opts);
	}
	if (rc != 0)
		return spec_err(err, errlen, "%s: bad value %s=%s (options: %s)",
				k->name, kv, val, k->opts);
	return 0;
}

int
hvsim_port_parse(struct hvsim_config *cfg, char *spec, char *err,
		 size_t errlen)
{
	const struct port_kind *k = NULL;
	struct hvsim_port_config p;
	char *kind = spec, *colon, *opt, *save = NULL;
	bool all = true, peer_given = false;
	uint64_t nic = 0;
	unsigned int i;
	int rc;

	if (cfg == NULL || spec == NULL)
		return spec_err(err, errlen, "no port spec");
	colon = strchr(spec, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (spec_u64(spec, 0, SPEC_MAX_NICS - 1, &nic) < 0 ||
		    nic >= cfg->n_nics)
			return spec_err(err, errlen, "NIC '%s' does not exist "
					"(0..%u)", spec, cfg->n_nics - 1);
		all = false;
		kind = colon + 1;
	}
	kind = strtok_r(kind, ",", &save);
	for (i = 0; kind != NULL && i < sizeof(port_kinds) / sizeof(port_kinds[0]); i++)
		if (strcmp(kind, port_kinds[i].name) == 0)
			k = &port_kinds[i];
	if (k == NULL)
		return spec_err(err, errlen, "unknown port kind '%s' (want "
				"reflect, switch, gen, sink or pcap)",
				kind != NULL ? kind : "");
	memset(&p, 0, sizeof(p));
	p.kind = k->kind;
	/* A sink is a generator that sends nothing. */
	p.gen.frame_len = strcmp(k->name, "sink") == 0 ? 0 : 60;
	p.gen.flows = 1;
	while ((opt = strtok_r(NULL, ",", &save)) != NULL) {
		peer_given |= strncmp(opt, "peer=", 5) == 0;
		rc = spec_opt(k, &p, opt, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (p.kind == HVSIM_PORT_PCAP && p.pcap_in == NULL)
		return spec_err(err, errlen, "pcap: in=FILE is required");
	if (p.kind == HVSIM_PORT_SWITCH && peer_given &&
	    (p.peer >= cfg->n_nics || (!all && p.peer == nic)))
		return spec_err(err, errlen, "switch: peer=%u is not another "
				"NIC (0..%u)", p.peer, cfg->n_nics - 1);
	for (i = 0; i < SPEC_MAX_NICS; i++) {
		if (!all && i != nic)
			continue;
		cfg->nic[i].port = p;
		/* A switch without a peer pairs NIC 2k with 2k + 1. */
		if (p.kind == HVSIM_PORT_SWITCH && !peer_given)
			cfg->nic[i].port.peer = i ^ 1;
	}
	return 0;
}
