/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Guest transport, host side (hvsim_transport.h): one SOCK_SEQPACKET
 * connection, HELLO with the arena memfd, then one VMBus channel message per
 * frame. The socket is non-blocking both ways: a guest that stops reading
 * makes frames queue (bounded), never stalls the host thread.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvsim_priv.h"

/* Frames handled per iteration: enough to drain an offer burst's replies,
 * few enough that rings are polled between control bursts.
 */
#define HVSIM_RX_BURST	64

static int
hvsim_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int
hvsim_attach_locked(struct hvsim *h, int fd, bool same_process)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int type = 0;
	socklen_t tl = sizeof(type);
	int rc;

	if (fd < 0)
		return -EINVAL;
	if (h->fd >= 0)
		return -EBUSY;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 ||
	    type != SOCK_SEQPACKET) {
		hvsim_log_error(&h->log, "attach: fd %d is not a "
				"SOCK_SEQPACKET socket", fd);
		return -ENOTSOCK;
	}
	rc = hvsim_set_nonblock(fd);
	if (rc < 0)
		return rc;
	/* The kernel's idea of the peer, not the guest's claim, decides
	 * whose memory process_vm_readv() may read.
	 */
	h->pid = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		h->pid = cred.pid;
	h->fd = fd;
	h->attach_same_process = same_process;
	h->hello_done = false;
	h->same_process = false;
	HVSIM_INFO(&h->log, "guest attached (fd %d, pid %d%s)", fd, (int)h->pid,
		   same_process ? ", same process" : "");
	return 0;
}

int
hvsim_attach(struct hvsim *h, int fd, bool same_process)
{
	bool locked;
	int rc;

	if (h == NULL)
		return -EINVAL;
	locked = hvsim_host_lock(h);
	rc = hvsim_attach_locked(h, fd, same_process);
	hvsim_host_unlock(h, locked);
	return rc;
}

static int
hvsim_listen_locked(struct hvsim *h, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (path == NULL || strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	if (h->listen_fd >= 0)
		return -EBUSY;
	strcpy(sa.sun_path, path);
	/* A socket left behind by a previous run is replaced; anything else
	 * at that path is not ours to delete.
	 */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	h->listen_path = strdup(path);
	if (h->listen_path == NULL) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	h->listen_fd = fd;
	HVSIM_INFO(&h->log, "listening on %s", path);
	return 0;
}

int
hvsim_listen(struct hvsim *h, const char *path)
{
	bool locked;
	int rc;

	if (h == NULL)
		return -EINVAL;
	locked = hvsim_host_lock(h);
	rc = hvsim_listen_locked(h, path);
	hvsim_host_unlock(h, locked);
	return rc;
}

void
hvsim_txq_free(struct hvsim *h)
{
	free(h->txq.buf);
	free(h->txq.len);
	memset(&h->txq, 0, sizeof(h->txq));
}

void
hvsim_transport_reap(struct hvsim *h)
{
	if (h->dead_why != NULL)
		hvsim_disconnect(h, h->dead_why);
}

void
hvsim_disconnect(struct hvsim *h, const char *why)
{
	h->dead_why = NULL;
	if (h->fd < 0)
		return;
	HVSIM_INFO(&h->log, "guest connection closed: %s", why);
	hvsim_reset_connection(h, why, true);
	close(h->fd);
	h->fd = -1;
	h->dead_why = NULL;
	h->hello_done = false;
	h->txq.head = h->txq.count = 0;
	hvsim_mem_detach(h);
}

/* Try to hand one frame to the socket: 1 sent, 0 no room, <0 dead. */
static int
hvsim_tx_frame(struct hvsim *h, const void *buf, size_t len)
{
	ssize_t n = send(h->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n == (ssize_t)len)
		return 1;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == ENOBUFS))
		return 0;
	return -EPIPE;
}

static int
hvsim_txq_flush(struct hvsim *h)
{
	struct hvsim_txq *q = &h->txq;
	int sent = 0, rc;

	while (q->count > 0) {
		rc = hvsim_tx_frame(h, q->buf[q->head], q->len[q->head]);
		if (rc < 0) {
			hvsim_disconnect(h, "send to guest failed");
			return rc;
		}
		if (rc == 0)
			break;
		q->head = (q->head + 1) % HVSIM_TXQ_MAX;
		q->count--;
		sent++;
	}
	return sent;
}

static int
hvsim_txq_push(struct hvsim *h, const void *buf, size_t len)
{
	struct hvsim_txq *q = &h->txq;
	unsigned int tail;

	if (q->buf == NULL) {
		q->buf = calloc(HVSIM_TXQ_MAX, sizeof(*q->buf));
		q->len = calloc(HVSIM_TXQ_MAX, sizeof(*q->len));
		if (q->buf == NULL || q->len == NULL) {
			hvsim_txq_free(h);
			return -ENOMEM;
		}
	}
	if (q->count == HVSIM_TXQ_MAX)
		return -ENOBUFS;
	tail = (q->head + q->count) % HVSIM_TXQ_MAX;
	memcpy(q->buf[tail], buf, len);
	q->len[tail] = (uint16_t)len;
	q->count++;
	return 0;
}

static int
hvsim_send_frame(struct hvsim *h, uint32_t kind, const void *payload,
		 uint32_t len)
{
	uint8_t buf[HVSIM_FRAME_MAX];
	struct hvsim_frame_hdr fh = { .kind = kind, .len = len };
	int rc;

	if (h->fd < 0 || h->dead_why != NULL)
		return -ENOTCONN;
	if (len > HVSIM_FRAME_MAX - sizeof(fh))
		return -EMSGSIZE;
	memcpy(buf, &fh, sizeof(fh));
	memcpy(buf + sizeof(fh), payload, len);
	/* Keep order: once frames are queued, later ones queue behind. */
	if (h->txq.count == 0) {
		rc = hvsim_tx_frame(h, buf, sizeof(fh) + len);
		if (rc > 0)
			return 0;
		if (rc < 0) {
			/* Handlers may still hold channel pointers: the
			 * connection is torn down at the end of the step.
			 */
			h->dead_why = "send to guest failed";
			return rc;
		}
	}
	rc = hvsim_txq_push(h, buf, sizeof(fh) + len);
	if (rc < 0) {
		hvsim_log_error(&h->log, "guest does not read its socket (%u "
				"frames queued): closing the connection",
				h->txq.count);
		h->dead_why = "guest not reading";
	}
	return rc;
}

int
hvsim_send_msg(struct hvsim *h, const union vmb_msg *m, int len)
{
	if (len < (int)sizeof(struct vmb_msg_hdr) || len > VMB_MSG_MAX_SIZE)
		return -EINVAL;
	HVSIM_DEBUG(&h->log, "-> %s (%d bytes)", vmb_msg_name(m->hdr.type),
		    len);
	return hvsim_send_frame(h, HVSIM_FRAME_CHMSG, m, (uint32_t)len);
}

static void
hvsim_close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void
hvsim_hello(struct hvsim *h, const uint8_t *p, uint32_t len, int *fds,
	    unsigned int nfds)
{
	struct hvsim_hello hi;
	struct hvsim_hello_ack ack = {
		.magic = HVSIM_TRANSPORT_MAGIC,
		.version = HVSIM_TRANSPORT_VERSION,
	};
	int rc = 0;

	if (len != sizeof(hi) || nfds != 1) {
		hvsim_log_error(&h->log, "HELLO of %u bytes with %u fds (want "
				"%zu, 1)", len, nfds, sizeof(hi));
		rc = -EINVAL;
		goto reply;
	}
	memcpy(&hi, p, sizeof(hi));
	if (hi.magic != HVSIM_TRANSPORT_MAGIC ||
	    hi.version != HVSIM_TRANSPORT_VERSION) {
		hvsim_log_error(&h->log, "HELLO magic %#x version %u not "
				"supported", hi.magic, hi.version);
		rc = -EPROTONOSUPPORT;
		goto reply;
	}
	if ((hi.flags & ~HVSIM_HELLO_F_SAME_PROCESS) != 0) {
		hvsim_log_error(&h->log, "HELLO flags %#x unknown", hi.flags);
		rc = -EINVAL;
		goto reply;
	}
	if ((hi.flags & HVSIM_HELLO_F_SAME_PROCESS) &&
	    !h->attach_same_process) {
		hvsim_log_error(&h->log, "guest claims to share the host's "
				"process but connected from outside");
		rc = -EPERM;
		goto reply;
	}
	if (!h->attach_same_process && h->pid != 0 && hi.pid != (uint32_t)h->pid) {
		hvsim_log_error(&h->log, "HELLO pid %u is not the peer's pid "
				"%d", hi.pid, (int)h->pid);
		rc = -EPERM;
		goto reply;
	}
	h->same_process = (hi.flags & HVSIM_HELLO_F_SAME_PROCESS) != 0;
	rc = hvsim_mem_attach(h, fds[0], &hi);
reply:
	hvsim_close_fds(fds, nfds);	/* the mapping keeps the memory */
	ack.status = rc;
	hvsim_send_frame(h, HVSIM_FRAME_HELLO_ACK, &ack, sizeof(ack));
	if (rc < 0) {
		hvsim_disconnect(h, "bad HELLO");
		return;
	}
	h->hello_done = true;
	HVSIM_INFO(&h->log, "HELLO: arena %#llx + %#llx%s",
		   (unsigned long long)h->arena_gpa,
		   (unsigned long long)h->arena_size,
		   h->same_process ? " (same process)" : "");
}

/* Read one frame. Returns 1 handled, 0 nothing to read, <0 connection gone. */
static int
hvsim_rx_frame(struct hvsim *h)
{
	uint8_t buf[HVSIM_FRAME_MAX + 1];
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * 8)];
	} cbuf;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	struct hvsim_frame_hdr fh;
	struct cmsghdr *cm;
	int fds[8];
	unsigned int nfds = 0;
	ssize_t n;

	n = recvmsg(h->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		hvsim_disconnect(h, "receive failed");
		return -EPIPE;
	}
	if (n == 0) {
		hvsim_disconnect(h, "guest disconnected");
		return -EPIPE;
	}
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			size_t i;

			for (i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(fd));
				if (nfds < 8)
					fds[nfds++] = fd;
				else
					close(fd);
			}
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC) ||
	    (size_t)n < sizeof(fh)) {
		hvsim_close_fds(fds, nfds);
		hvsim_log_error(&h->log, "malformed frame (%zd bytes, flags "
				"%#x)", n, mh.msg_flags);
		hvsim_disconnect(h, "malformed frame");
		return -EPROTO;
	}
	memcpy(&fh, buf, sizeof(fh));
	if (fh.len != (uint64_t)n - sizeof(fh)) {
		hvsim_close_fds(fds, nfds);
		hvsim_log_error(&h->log, "frame length %u but %zd bytes "
				"received", fh.len, n - (ssize_t)sizeof(fh));
		hvsim_disconnect(h, "malformed frame");
		return -EPROTO;
	}
	if (!h->hello_done) {
		if (fh.kind != HVSIM_FRAME_HELLO) {
			hvsim_close_fds(fds, nfds);
			hvsim_log_error(&h->log, "frame kind %u before HELLO",
					fh.kind);
			hvsim_disconnect(h, "no HELLO");
			return -EPROTO;
		}
		hvsim_hello(h, buf + sizeof(fh), fh.len, fds, nfds);
		return h->fd >= 0 ? 1 : -EPROTO;
	}
	if (nfds > 0) {
		hvsim_close_fds(fds, nfds);
		hvsim_log_error(&h->log, "file descriptors after HELLO");
		hvsim_disconnect(h, "unexpected file descriptors");
		return -EPROTO;
	}
	if (fh.kind != HVSIM_FRAME_CHMSG) {
		hvsim_log_error(&h->log, "frame kind %u after HELLO", fh.kind);
		hvsim_disconnect(h, "unexpected frame kind");
		return -EPROTO;
	}
	h->rx_seq++;
	hvsim_chmsg(h, buf + sizeof(fh), fh.len);
	return 1;
}

int
hvsim_transport_poll(struct hvsim *h)
{
	int work = 0, i, rc;

	if (h->fd < 0 && h->listen_fd >= 0) {
		int fd = accept4(h->listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0) {
			if (hvsim_attach_locked(h, fd, false) < 0)
				close(fd);
			work++;
		}
	}
	if (h->fd < 0)
		return work;
	if (h->txq.count > 0) {
		rc = hvsim_txq_flush(h);
		if (rc < 0)
			return work;
		work += rc;
		/* Do not read more requests while replies cannot go out. */
		if (h->txq.count > HVSIM_TXQ_MAX / 2)
			return work;
	}
	for (i = 0; i < HVSIM_RX_BURST && h->fd >= 0; i++) {
		rc = hvsim_rx_frame(h);
		if (rc <= 0)
			break;
		work++;
		if (h->dead_why != NULL)
			break;
	}
	hvsim_transport_reap(h);
	return work;
}
