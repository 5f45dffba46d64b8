/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Client side of the hvsim control socket: sends command lines, prints the
 * one-line replies, and exits non-zero when any reply is an error, so that
 * shell scripts can chain chaos steps with "&&".
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvsim_app.h"

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "hvsim ctl: path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "hvsim ctl: cannot connect to %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Send one line, print the reply line. 0 for "ok", 1 otherwise. */
static int
ctl_one(int fd, const char *line)
{
	char reply[8192];
	size_t n = 0;
	ssize_t k;

	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "hvsim ctl: send: %s\n", strerror(errno));
		return 1;
	}
	while (n < sizeof(reply) - 1) {
		k = recv(fd, reply + n, 1, 0);
		if (k <= 0)
			break;
		if (reply[n] == '\n')
			break;
		n++;
	}
	reply[n] = '\0';
	if (n == 0) {
		fprintf(stderr, "hvsim ctl: no reply\n");
		return 1;
	}
	printf("%s\n", reply);
	fflush(stdout);
	return strncmp(reply, "ok", 2) == 0 ? 0 : 1;
}

int
hvsim_ctl_client(const char *path, int argc, char **argv)
{
	char line[1024];
	size_t n = 0;
	int fd, i, rc = 0;

	fd = ctl_connect(path);
	if (fd < 0)
		return 2;
	if (argc > 0) {
		line[0] = '\0';
		for (i = 0; i < argc; i++) {
			size_t l = strlen(argv[i]);

			if (n + l + 2 > sizeof(line)) {
				fprintf(stderr, "hvsim ctl: command too long\n");
				close(fd);
				return 2;
			}
			if (i > 0)
				line[n++] = ' ';
			memcpy(line + n, argv[i], l + 1);
			n += l;
		}
		rc = ctl_one(fd, line);
	} else {
		while (fgets(line, sizeof(line), stdin) != NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] == '\0' || line[0] == '#')
				continue;
			rc |= ctl_one(fd, line);
		}
	}
	close(fd);
	return rc;
}
