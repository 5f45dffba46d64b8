/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvsim: the Hyper-V host simulator as a daemon. It listens for one guest
 * at a time on --socket, takes scripted chaos on --ctl, and exits non-zero
 * when the invariant checker found protocol violations. "hvsim ctl PATH
 * COMMAND..." is the matching client.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hvsim.h"
#include "hvsim_app.h"

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: hvsim --socket PATH [--ctl PATH] [--nics N] [--port SPEC]...\n"
"             [--queues N] [--mtu N] [--name NAME] [--no-checker]\n"
"             [--hostile SEED[,CLASS...]] [-v]\n"
"       hvsim ctl PATH [COMMAND...]   (no COMMAND: one per line on stdin)\n"
"\n"
"  --socket PATH   guest transport socket (SOCK_SEQPACKET)\n"
"  --ctl PATH      control socket for scripted chaos\n"
"  --nics N        synthetic NICs offered, 1..16 (default 1)\n"
"  --port SPEC     what sits behind NICs: [NIC:]KIND[,OPT=VAL...]\n"
"                  KIND reflect | switch | gen | sink | pcap; without NIC:\n"
"                  every NIC. Options: peer=N (switch); len=, flows=,\n"
"                  rate=PPS, count=, vlan=TCI (gen); in=FILE, out=FILE (pcap)\n"
"  --queues N      RSS queues offered per NIC, 1..64 (default 8)\n"
"  --mtu N         L3 MTU (default 1500)\n"
"  --no-checker    do not fail on protocol violations\n"
"  --hostile SEED[,CLASS...]\n"
"                  a host that chooses badly on purpose, from a PRNG seeded\n"
"                  with SEED; CLASS: sizes cmplt xfer rndis ring intr relid\n"
"                  dupoffer rescind silent twice, or all (the default)\n"
"  -v              log host events to stderr\n"
"\n"
"control commands: rescind NIC [SUB|primary] | reoffer NIC [SUB] |\n"
"  link NIC up|down | vf NIC add SERIAL | vf NIC remove |\n"
"  maclock NIC on|off | hold NIC STEP | release NIC | hookstate NIC |\n"
"  stats NIC | check | quit\n"
"  STEP: offer gpadl open nvsp-init rndis-init subchan close vf-switch\n");
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno != 0 || *end != '\0') ? -EINVAL : 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "nics", required_argument, NULL, 'n' },
		{ "port", required_argument, NULL, 'p' },
		{ "queues", required_argument, NULL, 'q' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'N' },
		{ "no-checker", no_argument, NULL, 'C' },
		{ "hostile", required_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hvsim_config cfg;
	char *ports[64];
	unsigned int nports = 0, i;
	const char *sock = NULL;
	struct sigaction sa;
	struct hvsim *h;
	uint64_t v, queues = 0, mtu = 0;
	char report[16384];
	unsigned int bad;
	int c, rc;

	if (argc >= 2 && strcmp(argv[1], "ctl") == 0) {
		if (argc < 3) {
			usage(stderr);
			return 2;
		}
		return hvsim_ctl_client(argv[2], argc - 3, argv + 3);
	}
	hvsim_config_init(&cfg, 1);
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			cfg.ctl_path = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > 16) {
				fprintf(stderr, "hvsim: --nics 1..16\n");
				return 2;
			}
			cfg.n_nics = (unsigned int)v;
			break;
		case 'p':
			if (nports == 64)
				return 2;
			ports[nports++] = optarg;
			break;
		case 'q':
			if (parse_u64(optarg, &queues) < 0 || queues < 1 ||
			    queues > 64) {
				fprintf(stderr, "hvsim: --queues 1..64\n");
				return 2;
			}
			break;
		case 'm':
			if (parse_u64(optarg, &mtu) < 0 || mtu < 68 ||
			    mtu > 65535) {
				fprintf(stderr, "hvsim: --mtu 68..65535\n");
				return 2;
			}
			break;
		case 'N':
			cfg.name = optarg;
			break;
		case 'C':
			cfg.checker_off = true;
			break;
		case 'H': {
			char err[256];

			if (hvsim_hostile_parse(optarg, &cfg.hostile_seed,
						&cfg.hostile_classes, err,
						sizeof(err)) < 0) {
				fprintf(stderr, "hvsim: --hostile: %s\n", err);
				return 2;
			}
			break;
		}
		case 'v':
			cfg.log_level = HVSIM_LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (sock == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	/* Ports after --nics, whatever the order on the command line. */
	for (i = 0; i < nports; i++) {
		char spec[256], err[256];

		snprintf(spec, sizeof(spec), "%s", ports[i]);
		if (hvsim_port_parse(&cfg, ports[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "hvsim: --port '%s': %s\n  want %s\n",
				spec, err, hvsim_port_spec_help);
			return 2;
		}
	}
	for (i = 0; i < 16; i++) {
		if (queues)
			cfg.nic[i].max_queues = (uint32_t)queues;
		if (mtu)
			cfg.nic[i].mtu = (uint32_t)mtu;
	}
	h = hvsim_create(&cfg);
	if (h == NULL) {
		fprintf(stderr, "hvsim: bad configuration (switch peers must "
			"name an existing NIC)\n");
		return 2;
	}
	rc = hvsim_listen(h, sock);
	if (rc == 0)
		rc = hvsim_start(h);
	if (rc < 0) {
		fprintf(stderr, "hvsim: %s: %s\n", sock, strerror(-rc));
		hvsim_destroy(h);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "hvsim: %u NIC(s), guest socket %s%s%s\n", cfg.n_nics,
		sock, cfg.ctl_path ? ", control " : "",
		cfg.ctl_path ? cfg.ctl_path : "");
	while (!stop_signal && !hvsim_quit_requested(h)) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	hvsim_stop(h);
	bad = hvsim_violations(h);
	if (bad > 0) {
		hvsim_report(h, report, sizeof(report));
		fprintf(stderr, "hvsim: %u protocol violation(s):\n%s", bad,
			report);
	} else {
		fprintf(stderr, "hvsim: checker clean\n");
	}
	hvsim_destroy(h);
	return bad > 0 ? 1 : 0;
}
