/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Control socket: a Unix stream socket taking one command per line and
 * answering one line, "ok ..." or "error: ...". It runs on the host thread
 * (polled each iteration, non-blocking), so commands act on the host state
 * directly, in order with the guest's messages. Scripts use it through
 * "hvsim ctl PATH COMMAND...".
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hv_clock.h"
#include "hvsim_host.h"

#define HVSIM_CTL_CLIENTS	8
#define HVSIM_CTL_LINE		512
#define HVSIM_CTL_REPLY		4096

struct hvsim_ctl_client {
	int fd;
	size_t len;
	char buf[HVSIM_CTL_LINE];
};

struct hvsim_ctl {
	int fd;
	char *path;
	struct hvsim_ctl_client cl[HVSIM_CTL_CLIENTS];
};

int
hvsim_ctl_open(struct hvsim *h, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct hvsim_ctl *ctl;
	struct stat st;
	unsigned int i;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, HVSIM_CTL_CLIENTS) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL || (ctl->path = strdup(path)) == NULL) {
		free(ctl);
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	ctl->fd = fd;
	for (i = 0; i < HVSIM_CTL_CLIENTS; i++)
		ctl->cl[i].fd = -1;
	h->loop->ctl = ctl;
	return 0;
}

void
hvsim_ctl_close(struct hvsim *h)
{
	struct hvsim_ctl *ctl = h->loop->ctl;
	unsigned int i;

	if (ctl == NULL)
		return;
	for (i = 0; i < HVSIM_CTL_CLIENTS; i++)
		if (ctl->cl[i].fd >= 0)
			close(ctl->cl[i].fd);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
	h->loop->ctl = NULL;
}

/* "3" or "nic3" */
static int
hvsim_ctl_nic(struct hvsim *h, const char *s, unsigned int *nic)
{
	char *end;
	unsigned long v;

	if (s == NULL)
		return -EINVAL;
	if (strncmp(s, "nic", 3) == 0)
		s += 3;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v >= h->cfg.n_nics)
		return -EINVAL;
	*nic = (unsigned int)v;
	return 0;
}

static int
hvsim_ctl_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	v = strtoull(s, &end, 0);
	if (*end != '\0' || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static void
hvsim_ctl_stats(struct hvsim *h, unsigned int nic, char *out, size_t len)
{
	struct hvsim_nic_stats st;
	struct hvsim_cmd c = { .kind = HVSIM_CMD_STATS, .nic = nic,
			       .st = &st };

	hvsim_cmd_exec(h, &c);
	snprintf(out, len, "ok rx_pkts=%llu rx_bytes=%llu rx_dropped=%llu "
		 "tx_pkts=%llu tx_bytes=%llu tx_bad=%llu rescinds=%llu "
		 "reoffers=%llu released=%llu queues=%u link=%s rss=%d vf=%d "
		 "vf_switches=%llu tx_while_vf=%llu filter=%#x nvsp=%#x "
		 "ndis=%#x mac=%02x:%02x:%02x:%02x:%02x:%02x maclock=%d "
		 "tx_requests=%llu rx_batches=%llu guest_signals=%llu "
		 "host_polls=%llu host_polls_idle=%llu host_sleeps=%llu "
		 "host_busy_ns=%llu gpa_reads_lent=%llu gpa_reads_peer=%llu "
		 "ring_polls=%llu ring_polls_empty=%llu "
		 "rx_sec_held=%u rx_sec_count=%u now_ns=%llu",
		 (unsigned long long)st.rx_pkts,
		 (unsigned long long)st.rx_bytes,
		 (unsigned long long)st.rx_dropped,
		 (unsigned long long)st.tx_pkts,
		 (unsigned long long)st.tx_bytes,
		 (unsigned long long)st.tx_bad,
		 (unsigned long long)st.rescinds,
		 (unsigned long long)st.reoffers,
		 (unsigned long long)st.released, st.n_queues,
		 st.link_up ? "up" : "down", st.rss_enabled, st.vf_active,
		 (unsigned long long)st.vf_switches,
		 (unsigned long long)st.tx_while_vf, st.packet_filter,
		 st.nvsp_version, st.ndis_version,
		 st.mac[0], st.mac[1], st.mac[2], st.mac[3], st.mac[4],
		 st.mac[5], st.mac_locked,
		 (unsigned long long)st.tx_requests,
		 (unsigned long long)st.rx_batches,
		 (unsigned long long)st.guest_signals,
		 (unsigned long long)st.host_polls,
		 (unsigned long long)st.host_polls_idle,
		 (unsigned long long)st.host_sleeps,
		 (unsigned long long)st.host_busy_ns,
		 (unsigned long long)st.gpa_reads_lent,
		 (unsigned long long)st.gpa_reads_peer,
		 (unsigned long long)st.ring_polls,
		 (unsigned long long)st.ring_polls_empty,
		 st.rx_sec_held, st.rx_sec_count,
		 /* when the counters were read, on the host's clock: a
		  * client's own clock would add its start-up */
		 (unsigned long long)hv_now_ns());
}

static void
hvsim_ctl_check(struct hvsim *h, char *out, size_t len)
{
	char rep[HVSIM_CTL_REPLY];
	unsigned int v = hvsim_violations(h);
	size_t i, n;

	hvsim_report(h, rep, sizeof(rep));
	n = (size_t)snprintf(out, len, "ok %u violations%s", v, v ? ": " : "");
	/* One reply line: report lines joined with "; ". */
	for (i = 0; rep[i] != '\0' && n + 3 < len; i++) {
		if (rep[i] == '\n') {
			if (rep[i + 1] == '\0')
				break;
			out[n++] = ';';
			out[n++] = ' ';
		} else {
			out[n++] = rep[i];
		}
	}
	out[n < len ? n : len - 1] = '\0';
}

static void
hvsim_ctl_err(char *out, size_t len, const char *what, int rc)
{
	if (rc < 0)
		snprintf(out, len, "error: %s: %s", what, strerror(-rc));
	else
		snprintf(out, len, "ok");
}

/* Execute one command line into @p out (one line, no newline). */
static void
hvsim_ctl_exec(struct hvsim *h, char *line, char *out, size_t len)
{
	char *argv[8], *save = NULL, *tok;
	unsigned int argc = 0, nic = 0, sub = 0;
	enum hvsim_step step;
	uint32_t v;
	int rc;

	for (tok = strtok_r(line, " \t\r", &save); tok != NULL && argc < 8;
	     tok = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = tok;
	if (argc == 0) {
		snprintf(out, len, "error: empty command");
		return;
	}
	if (strcmp(argv[0], "quit") == 0) {
		__atomic_store_n(&h->loop->quit_requested, true,
				 __ATOMIC_RELEASE);
		snprintf(out, len, "ok bye");
		return;
	}
	if (strcmp(argv[0], "check") == 0) {
		hvsim_ctl_check(h, out, len);
		return;
	}
	if (argc < 2 || hvsim_ctl_nic(h, argv[1], &nic) < 0) {
		snprintf(out, len, "error: '%s' needs a NIC (0..%u)", argv[0],
			 h->cfg.n_nics - 1);
		return;
	}
	if (strcmp(argv[0], "rescind") == 0) {
		if (argc > 2 && strcmp(argv[2], "primary") == 0)
			v = HVSIM_RESCIND_PRIMARY_ONLY;
		else if (argc > 2 && (hvsim_ctl_u32(argv[2], &v) < 0 ||
				      v >= HVSIM_MAX_QUEUES)) {
			snprintf(out, len, "error: bad subchannel '%s'", argv[2]);
			return;
		}
		sub = argc > 2 ? v : 0;
		rc = hvsim_do_rescind(h, nic, sub);
		hvsim_ctl_err(out, len, "rescind", rc);
	} else if (strcmp(argv[0], "reoffer") == 0) {
		if (argc > 2 && (hvsim_ctl_u32(argv[2], &v) < 0 ||
				 v >= HVSIM_MAX_QUEUES)) {
			snprintf(out, len, "error: bad subchannel '%s'", argv[2]);
			return;
		}
		hvsim_ctl_err(out, len, "reoffer",
			      hvsim_do_reoffer(h, nic, argc > 2 ? v : 0));
	} else if (strcmp(argv[0], "link") == 0 && argc == 3 &&
		   (strcmp(argv[2], "up") == 0 || strcmp(argv[2], "down") == 0)) {
		rc = h->rings.ops->set_link(h->nic[nic].dev,
					    strcmp(argv[2], "up") == 0);
		hvsim_ctl_err(out, len, "link", rc);
	} else if (strcmp(argv[0], "vf") == 0 && argc == 4 &&
		   strcmp(argv[2], "add") == 0 &&
		   hvsim_ctl_u32(argv[3], &v) == 0) {
		hvsim_ctl_err(out, len, "vf add",
			      h->rings.ops->vf(h->nic[nic].dev, true, v));
	} else if (strcmp(argv[0], "vf") == 0 && argc == 3 &&
		   strcmp(argv[2], "remove") == 0) {
		hvsim_ctl_err(out, len, "vf remove",
			      h->rings.ops->vf(h->nic[nic].dev, false, 0));
	} else if (strcmp(argv[0], "maclock") == 0 && argc == 3 &&
		   (strcmp(argv[2], "on") == 0 || strcmp(argv[2], "off") == 0)) {
		struct hvsim_cmd c = { .kind = HVSIM_CMD_MAC_LOCK, .nic = nic,
				       .flag = strcmp(argv[2], "on") == 0 };

		hvsim_ctl_err(out, len, "maclock", hvsim_cmd_exec(h, &c));
	} else if (strcmp(argv[0], "hold") == 0 && argc == 3) {
		if (hvsim_step_parse(argv[2], &step) < 0) {
			snprintf(out, len, "error: unknown step '%s' (offer, "
				 "gpadl, open, nvsp-init, rndis-init, subchan, "
				 "close, vf-switch)", argv[2]);
			return;
		}
		hvsim_ctl_err(out, len, "hold", hvsim_hook_arm(h, nic, step));
	} else if (strcmp(argv[0], "release") == 0) {
		hvsim_ctl_err(out, len, "release", hvsim_hook_release(h, nic));
	} else if (strcmp(argv[0], "hookstate") == 0) {
		char state[64];

		hvsim_gate_describe(&h->gate, nic, state, sizeof(state));
		snprintf(out, len, "ok %s", state);
	} else if (strcmp(argv[0], "stats") == 0) {
		hvsim_ctl_stats(h, nic, out, len);
	} else {
		snprintf(out, len, "error: unknown or malformed command '%s'",
			 argv[0]);
	}
}

static void
hvsim_ctl_drop(struct hvsim_ctl_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->len = 0;
}

/* Read what a client sent and answer every complete line. */
static int
hvsim_ctl_client(struct hvsim *h, struct hvsim_ctl_client *cl)
{
	char reply[HVSIM_CTL_REPLY + 2];
	int work = 0;
	ssize_t n;
	char *nl;

	n = recv(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len,
		 MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		hvsim_ctl_drop(cl);
		return 1;
	}
	if (n < 0)
		return 0;
	cl->len += (size_t)n;
	cl->buf[cl->len] = '\0';
	while ((nl = strchr(cl->buf, '\n')) != NULL) {
		size_t rl;

		*nl = '\0';
		HVSIM_DEBUG(&h->log, "ctl: %s", cl->buf);
		hvsim_ctl_exec(h, cl->buf, reply, HVSIM_CTL_REPLY);
		rl = strlen(reply);
		reply[rl++] = '\n';
		if (send(cl->fd, reply, rl, MSG_NOSIGNAL) != (ssize_t)rl) {
			hvsim_ctl_drop(cl);
			return 1;
		}
		cl->len -= (size_t)(nl + 1 - cl->buf);
		memmove(cl->buf, nl + 1, cl->len + 1);
		work++;
	}
	if (cl->len == sizeof(cl->buf) - 1) {
		static const char msg[] = "error: line too long\n";

		(void)!send(cl->fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL);
		hvsim_ctl_drop(cl);
	}
	return work;
}

int
hvsim_ctl_poll(struct hvsim *h)
{
	struct hvsim_ctl *ctl = h->loop->ctl;
	unsigned int i;
	int work = 0, fd;

	fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd >= 0) {
		for (i = 0; i < HVSIM_CTL_CLIENTS; i++) {
			if (ctl->cl[i].fd < 0) {
				ctl->cl[i].fd = fd;
				ctl->cl[i].len = 0;
				break;
			}
		}
		if (i == HVSIM_CTL_CLIENTS) {
			static const char msg[] = "error: too many clients\n";

			(void)!send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL);
			close(fd);
		}
		work++;
	}
	for (i = 0; i < HVSIM_CTL_CLIENTS; i++)
		if (ctl->cl[i].fd >= 0)
			work += hvsim_ctl_client(h, &ctl->cl[i]);
	return work;
}
