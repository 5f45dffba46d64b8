/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Two-process ring stress: a forked producer writes N packets of random
 * sizes (sequence number + checksum in each) into a memfd-backed ring, the
 * parent reads and verifies them. Both sides poll for a while and then
 * sleep on an eventfd, woken only by the ring's own signal decisions: the
 * consumer by the writer's "ring became non-empty" rule (with interrupt
 * masking), the producer by the reader's pending_send_sz crossing. A lost
 * wakeup shows up as a poll() timeout and fails the test. Deadlines and
 * PR_SET_PDEATHSIG make it end even if either side dies.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hv_clock.h"
#include "check.h"
#include "vmb_ring.h"

#define RING_BYTES	(4096u + 256u * 1024u)
#define MAX_PAYLOAD	4096u
#define BATCH		32
#define SPINS		2000
#define WAKE_MS		2000	/* a wakeup later than this was lost */
#define DEADLINE_S	90

/* Sanitizer builds check memory safety, not volume: fewer packets there. */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_PKTS	2000000ull
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFAULT_PKTS	2000000ull
#endif
#endif
#ifndef DEFAULT_PKTS
#define DEFAULT_PKTS	10000000ull
#endif

struct pkt_hdr {
	uint64_t seq;
	uint32_t len;		/* payload bytes incl. this header */
	uint32_t csum;
};

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Payload length of packet @seq: mostly small, sometimes large. */
static uint32_t
pkt_len(uint64_t seq)
{
	uint64_t r = mix(seq ^ 0x5555);

	if ((r & 63) == 0)
		return sizeof(struct pkt_hdr) + (uint32_t)(r >> 8) %
			(MAX_PAYLOAD - sizeof(struct pkt_hdr) + 1);
	return sizeof(struct pkt_hdr) + (uint32_t)(r >> 8) % 241;
}

static uint32_t
csum(const uint8_t *p, uint32_t len)
{
	uint32_t h = 2166136261u;
	uint32_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void
pkt_fill(uint8_t *buf, uint64_t seq)
{
	struct pkt_hdr h = { seq, pkt_len(seq), 0 };
	uint32_t i;
	uint64_t v = 0;

	for (i = sizeof(h); i < h.len; i++) {
		if ((i & 7) == 0 || i == sizeof(h))
			v = mix(seq * 1000003u + i);
		buf[i] = (uint8_t)(v >> ((i & 7) * 8));
	}
	h.csum = csum(buf + sizeof(h), h.len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
}

static void
kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/* Sleep until kicked. Returns 0 when woken, -1 on a lost wakeup. */
static int
wait_kick(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	uint64_t v;

	if (poll(&p, 1, WAKE_MS) <= 0)
		return -1;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	return 0;
}

struct shared_res {
	uint64_t lost_wakeups;
	uint64_t sleeps;
	uint64_t errors;
};

static int
producer(void *mem, uint64_t npkt, int to_cons, int to_prod,
	 struct shared_res *res)
{
	static uint8_t buf[MAX_PAYLOAD];
	struct vmb_ring w;
	uint64_t seq = 0;
	double deadline = (hv_now_ns() * 1e-9) + DEADLINE_S;
	int staged = 0, spins = 0, rc;

	if (vmb_ring_init_mem(&w, mem, RING_BYTES) < 0)
		return 1;
	while (seq < npkt) {
		pkt_fill(buf, seq);
		rc = vmb_ring_stage_buf(&w, VMB_PKT_DATA_INBAND,
					(seq & 1) ? VMB_PKT_FLAG_RC : 0, seq,
					NULL, 0, buf, pkt_len(seq));
		if (rc == 0) {
			seq++;
			spins = 0;
			if (++staged == BATCH || seq == npkt) {
				if (vmb_ring_publish(&w) == 1)
					kick(to_cons);
				staged = 0;
			}
			continue;
		}
		if (rc != -EAGAIN) {
			res->errors++;
			return 1;
		}
		/* Full: show what we have, poll, then sleep on the
		 * reader's pending_send_sz signal.
		 */
		if (staged) {
			if (vmb_ring_publish(&w) == 1)
				kick(to_cons);
			staged = 0;
		}
		if (++spins < SPINS)
			continue;
		spins = 0;
		if ((hv_now_ns() * 1e-9) > deadline)
			return 1;
		rc = vmb_ring_wait_prepare(&w);
		if (rc < 0)
			return 1;
		if (rc == 0) {
			res->sleeps++;
			if (wait_kick(to_prod) < 0)
				res->lost_wakeups++;
		}
	}
	return 0;
}

static int
consumer(void *mem, uint64_t npkt, int to_cons, int to_prod, pid_t child,
	 struct shared_res *res, uint64_t *bad)
{
	static uint8_t buf[MAX_PAYLOAD + 64];
	static uint8_t ref[MAX_PAYLOAD];
	struct vmb_ring r;
	uint64_t seq = 0;
	double deadline = (hv_now_ns() * 1e-9) + DEADLINE_S;
	int n, got = 0, spins = 0, st;

	if (vmb_ring_init_mem(&r, mem, RING_BYTES) < 0)
		return 1;
	vmb_ring_intr_mask(&r);		/* polling */
	while (seq < npkt) {
		n = vmb_ring_read(&r, buf, sizeof(buf));
		if (n > 0) {
			struct vmb_pkt_view v;
			struct pkt_hdr h;

			if (vmb_pkt_parse(buf, (uint32_t)n, &v) < 0 ||
			    v.payload_len < sizeof(h)) {
				(*bad)++;
				return 1;
			}
			memcpy(&h, v.payload, sizeof(h));
			if (h.seq != seq || v.desc.xid != seq ||
			    h.len != pkt_len(seq) || h.len > v.payload_len ||
			    v.payload_len - h.len >= 8 ||
			    h.csum != csum(v.payload + sizeof(h),
					   h.len - sizeof(h))) {
				(*bad)++;
				return 1;
			}
			/* Every 1000th packet: full content comparison. */
			if (seq % 1000 == 0) {
				pkt_fill(ref, seq);
				if (memcmp(ref, v.payload, h.len) != 0) {
					(*bad)++;
					return 1;
				}
			}
			seq++;
			spins = 0;
			if (++got == BATCH) {
				if (vmb_ring_commit(&r) == 1)
					kick(to_prod);
				got = 0;
			}
			continue;
		}
		if (n != -EAGAIN) {
			(*bad)++;
			return 1;
		}
		if (got) {
			if (vmb_ring_commit(&r) == 1)
				kick(to_prod);
			got = 0;
		}
		if (++spins < SPINS)
			continue;
		spins = 0;
		if ((hv_now_ns() * 1e-9) > deadline)
			return 1;
		if (waitpid(child, &st, WNOHANG) == child) {
			fprintf(stderr, "producer died at seq %llu\n",
				(unsigned long long)seq);
			return 1;
		}
		/* Idle: unmask, re-check, sleep until the writer signals. */
		n = vmb_ring_intr_unmask(&r);
		if (n < 0)
			return 1;
		if (n == 0) {
			res->sleeps++;
			if (wait_kick(to_cons) < 0)
				res->lost_wakeups++;
		}
		vmb_ring_intr_mask(&r);
	}
	vmb_ring_commit(&r);
	return 0;
}

int
main(void)
{
	const char *env = getenv("VMB_STRESS_PKTS");
	uint64_t npkt = env ? strtoull(env, NULL, 0) : DEFAULT_PKTS;
	struct shared_res *pres, cres = { 0 };
	uint64_t bad = 0;
	int fd, to_cons, to_prod, st = 0, rc;
	double t0, t;
	void *mem;
	pid_t pid;

	fd = memfd_create("vmb-stress", 0);
	REQUIRE(fd >= 0);
	REQUIRE(ftruncate(fd, RING_BYTES + 4096) == 0);
	mem = mmap(NULL, RING_BYTES + 4096, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	REQUIRE(mem != MAP_FAILED);
	pres = (struct shared_res *)((uint8_t *)mem + RING_BYTES);
	memset(pres, 0, sizeof(*pres));
	vmb_ring_hdr_reset(mem, VMB_RING_FEAT_PENDING_SZ);
	to_cons = eventfd(0, 0);
	to_prod = eventfd(0, 0);
	REQUIRE(to_cons >= 0 && to_prod >= 0);

	t0 = (hv_now_ns() * 1e-9);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		/* Die with the parent; never outlive a failed test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		_exit(producer(mem, npkt, to_cons, to_prod, pres));
	}
	rc = consumer(mem, npkt, to_cons, to_prod, pid, &cres, &bad);
	if (rc != 0)
		kill(pid, SIGKILL);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	t = (hv_now_ns() * 1e-9) - t0;

	printf("%llu packets in %.2f s (%.1f ns/pkt); consumer sleeps %llu, "
	       "producer sleeps %llu; lost wakeups %llu/%llu\n",
	       (unsigned long long)npkt, t, t * 1e9 / (double)npkt,
	       (unsigned long long)cres.sleeps,
	       (unsigned long long)pres->sleeps,
	       (unsigned long long)cres.lost_wakeups,
	       (unsigned long long)pres->lost_wakeups);
	CHECK_EQ(rc, 0);
	CHECK_EQ(bad, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "producer status %d", st);
	CHECK_EQ(cres.lost_wakeups, 0);
	CHECK_EQ(pres->lost_wakeups, 0);
	CHECK_EQ(pres->errors, 0);
	munmap(mem, RING_BYTES + 4096);
	close(fd);
	return check_exit("test_ring_stress");
}
