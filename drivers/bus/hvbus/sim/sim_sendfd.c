/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* Frames that carry file descriptors to the host (HELLO, MEM). */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "sim.h"

int
hvbus_sim_send_fds(int sock, const void *buf, size_t len, const int *fds,
		   unsigned int n)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(2 * sizeof(int))];
	} cbuf;
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b,
		.msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cm;

	if (n == 0 || n > 2)
		return -EINVAL;
	memset(&cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	if (sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
		return -errno;
	return 0;
}
