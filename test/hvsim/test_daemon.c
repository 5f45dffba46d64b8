/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * app/hvsim as a daemon: a guest over the Unix socket, chaos through the
 * control socket (directly and with "hvsim ctl"), a second guest after the
 * first left, and the exit status reflecting the checker.
 */

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "hvsim.h"
#include "hvsim_guest.h"

extern char **environ;

/* posix_spawn takes char *const[]; the strings are never written. */
#define ARG(s)	((char *)(uintptr_t)(s))

static const char *app;
static char sock_path[108], ctl_path[108];

static pid_t
daemon_start(unsigned int nics)
{
	char n[8];
	char *argv[] = { ARG(app), ARG("--socket"), sock_path, ARG("--ctl"),
			 ctl_path, ARG("--nics"), n, ARG("--name"),
			 ARG("daemon"), NULL };
	pid_t pid;

	snprintf(n, sizeof(n), "%u", nics);
	REQUIRE(posix_spawn(&pid, app, NULL, NULL, argv, environ) == 0,
		"spawn %s", app);
	return pid;
}

static int
daemon_wait(pid_t pid)
{
	int st, i;

	for (i = 0; i < 500; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* One command on the control socket, the reply line in @p out. */
static int
ctl(const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = 0;
	int fd, i;

	strcpy(sa.sun_path, ctl_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	for (i = 0; i < 200; i++) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		usleep(10000);
	}
	if (i == 200) {
		close(fd);
		return -1;
	}
	if (send(fd, cmd, strlen(cmd), 0) < 0 || send(fd, "\n", 1, 0) < 0) {
		close(fd);
		return -1;
	}
	while (n + 1 < len && recv(fd, out + n, 1, 0) == 1 && out[n] != '\n')
		n++;
	out[n] = '\0';
	close(fd);
	return strncmp(out, "ok", 2) == 0 ? 0 : 1;
}

/* The value of " KEY=" in a stats reply; -1 when absent. */
static long long
stat_of(const char *r, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(r, k);
	return p != NULL ? strtoll(p + strlen(k), NULL, 10) : -1;
}

/* "hvsim ctl PATH ARGS...", its stdout in @p out, its exit status. */
static int
ctl_cli(char *const args[], char *out, size_t len)
{
	char *argv[12] = { ARG(app), ARG("ctl"), ctl_path };
	posix_spawn_file_actions_t fa;
	int pfd[2], st, i;
	ssize_t n;
	pid_t pid;

	for (i = 0; args[i] != NULL && i < 8; i++)
		argv[3 + i] = args[i];
	argv[3 + i] = NULL;
	REQUIRE(pipe(pfd) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	REQUIRE(posix_spawn(&pid, app, &fa, NULL, argv, environ) == 0);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	n = read(pfd[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void
test_clean_run(void)
{
	const struct hvsim_guest_offer *o, *o2;
	struct hvsim_guest *g;
	char r[4096];
	uint32_t relid, gp;
	uint8_t *mem;
	union vmb_msg m;
	pid_t pid;
	int i;

	pid = daemon_start(2);
	REQUIRE(hvsim_guest_create(&g, 8 << 20) == 0);
	REQUIRE(hvsim_guest_connect_path(g, sock_path, 5000) == 0,
		"connect to the daemon");
	CHECK(hvsim_guest_connect_vmbus(g, 0) > 0);
	CHECK_EQ(hvsim_guest_request_offers(g), 2);
	o = hvsim_guest_find_nic(g, 0, 0);
	REQUIRE(o != NULL);
	relid = o->relid;

	CHECK_EQ(ctl("rescind nic0", r, sizeof(r)), 0);
	CHECK_EQ(hvsim_guest_wait_rescind(g, relid, 0), 0);
	CHECK_EQ(hvsim_guest_release(g, relid), 0);
	CHECK_EQ(ctl("reoffer 0", r, sizeof(r)), 0);
	o2 = hvsim_guest_wait_offer(g, 0, 0, relid, 0);
	CHECK(o2 != NULL && o2->relid != relid);
	CHECK_EQ(ctl("stats 0", r, sizeof(r)), 0);
	CHECK(strstr(r, "rescinds=1 reoffers=1 released=1") != NULL, "%s", r);
	/* The host thread's counters: it polls, idles and sleeps once the
	 * guest goes quiet (a starved host may not have idled yet: wait for
	 * it rather than assume it); no data. */
	{
		long long polls = 0, idle = 0, sleeps = 0;

		for (i = 0; i < 250; i++) {
			polls = stat_of(r, "host_polls");
			idle = stat_of(r, "host_polls_idle");
			sleeps = stat_of(r, "host_sleeps");
			CHECK(polls > 0 && idle <= polls && sleeps <= idle,
			      "%s", r);
			if (idle > 0 && sleeps > 0)
				break;
			usleep(20000);
			CHECK_EQ(ctl("stats 0", r, sizeof(r)), 0);
		}
		CHECK(i < 250, "the host never idled or slept: %s", r);
		CHECK(stat_of(r, "tx_requests") == 0 &&
		      stat_of(r, "rx_batches") == 0 &&
		      stat_of(r, "guest_signals") == 0, "%s", r);
		/* An idle host goes on polling and sleeping. */
		for (i = 0; i < 250; i++) {
			usleep(20000);
			CHECK_EQ(ctl("stats 0", r, sizeof(r)), 0);
			if (stat_of(r, "host_polls") > polls &&
			    stat_of(r, "host_sleeps") > sleeps)
				break;
		}
		CHECK(i < 250, "%s", r);
	}

	/* A hold placed from the control socket. */
	CHECK_EQ(ctl("hold 1 open", r, sizeof(r)), 0);
	CHECK_EQ(ctl("hookstate 1", r, sizeof(r)), 0);
	CHECK(strcmp(r, "ok armed open") == 0, "%s", r);
	o = hvsim_guest_find_nic(g, 1, 0);
	mem = hvsim_guest_alloc(g, 8 * 4096);
	vmb_ring_hdr_reset(mem, 1);
	vmb_ring_hdr_reset(mem + 4 * 4096, 1);
	REQUIRE(hvsim_guest_gpadl_create(g, o->relid, mem, 8 * 4096, &gp) == 0);
	hvsim_guest_open_send(g, o->relid, gp, 4);
	for (i = 0; i < 200; i++) {
		ctl("hookstate 1", r, sizeof(r));
		if (strcmp(r, "ok held open") == 0)
			break;
		usleep(5000);
	}
	CHECK(strcmp(r, "ok held open") == 0, "%s", r);
	CHECK(!hvsim_guest_expect_none(g, VMB_MSG_OPENCHANNEL_RESULT,
				       UINT32_MAX, 30));
	CHECK_EQ(ctl("release 1", r, sizeof(r)), 0);
	REQUIRE(hvsim_guest_wait_msg(g, VMB_MSG_OPENCHANNEL_RESULT, o->relid,
				     &m, 0) > 0);
	CHECK_EQ(m.open_result.status, 0);
	hvsim_guest_send_raw(g, &m, (uint32_t)vmb_msg_encode_relid(&m,
			     VMB_MSG_CLOSECHANNEL, o->relid));
	CHECK_EQ(hvsim_guest_gpadl_teardown(g, o->relid, gp), 0);

	/* Errors are one line too. */
	CHECK_EQ(ctl("frobnicate 0", r, sizeof(r)), 1);
	CHECK(strncmp(r, "error: ", 7) == 0, "%s", r);
	CHECK_EQ(ctl("rescind 9", r, sizeof(r)), 1);
	CHECK_EQ(ctl("hold 0 nowhere", r, sizeof(r)), 1);
	CHECK_EQ(ctl("link 0 sideways", r, sizeof(r)), 1);
	CHECK_EQ(ctl("link 0 down", r, sizeof(r)), 0);
	CHECK_EQ(ctl("stats 0", r, sizeof(r)), 0);
	CHECK(strstr(r, "link=down") != NULL, "%s", r);

	CHECK_EQ(hvsim_guest_unload(g), 0);
	hvsim_guest_destroy(g);

	/* The next guest is served by the same daemon. */
	REQUIRE(hvsim_guest_create(&g, 8 << 20) == 0);
	REQUIRE(hvsim_guest_connect_path(g, sock_path, 5000) == 0);
	CHECK(hvsim_guest_connect_vmbus(g, 0) > 0);
	CHECK_EQ(hvsim_guest_request_offers(g), 2);
	CHECK_EQ(hvsim_guest_unload(g), 0);
	hvsim_guest_destroy(g);

	{
		char *args[] = { ARG("check"), NULL };

		CHECK_EQ(ctl_cli(args, r, sizeof(r)), 0);
		CHECK(strncmp(r, "ok 0 violations", 15) == 0, "%s", r);
	}
	{
		char *args[] = { ARG("rescind"), ARG("7"), NULL };

		CHECK_EQ(ctl_cli(args, r, sizeof(r)), 1);
	}
	CHECK_EQ(ctl("quit", r, sizeof(r)), 0);
	CHECK_EQ(daemon_wait(pid), 0);
}

static void
test_violation_exit(void)
{
	struct hvsim_guest *g;
	union vmb_msg m;
	char r[4096];
	pid_t pid;

	pid = daemon_start(1);
	REQUIRE(hvsim_guest_create(&g, 4 << 20) == 0);
	REQUIRE(hvsim_guest_connect_path(g, sock_path, 5000) == 0);
	CHECK(hvsim_guest_connect_vmbus(g, 0) > 0);
	CHECK_EQ(hvsim_guest_request_offers(g), 1);
	vmb_msg_encode_hdr(&m, VMB_MSG_REQUESTOFFERS);
	hvsim_guest_send_raw(g, &m, 8);
	hvsim_guest_expect_none(g, 0, UINT32_MAX, 50);
	CHECK_EQ(ctl("check", r, sizeof(r)), 0);
	CHECK(strstr(r, "ok 1 violations: second REQUESTOFFERS") != NULL,
	      "%s", r);
	hvsim_guest_destroy(g);
	CHECK_EQ(ctl("quit", r, sizeof(r)), 0);
	CHECK_EQ(daemon_wait(pid), 1);
}

int
main(int argc, char **argv)
{
	REQUIRE(argc == 2, "usage: test_hvsim_daemon PATH_TO_HVSIM");
	app = argv[1];
	snprintf(sock_path, sizeof(sock_path), "/tmp/hvsim-test-%d.sock",
		 (int)getpid());
	snprintf(ctl_path, sizeof(ctl_path), "/tmp/hvsim-test-%d.ctl",
		 (int)getpid());
	test_clean_run();
	test_violation_exit();
	unlink(sock_path);
	unlink(ctl_path);
	return check_exit("hvsim_daemon");
}
