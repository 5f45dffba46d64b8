/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The host's GPADL table driven directly - no host, no socket, no guest:
 * layer 1 of hvsim's core over a log, an arena and a relid table of its
 * own. Header and bodies, what the host owes (GPADL_CREATED with status 0
 * or failure), contiguous and scattered views, teardown rules (unknown,
 * still being built, wrong relid, twice, deferred while a ring), history
 * of torn-down handles, rescind and release, leak check.
 */

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hvsim_wire.h"
#include "vmb_gpadl.h"

#define ARENA_GPA	0x40000000ull
#define ARENA_PAGES	512

struct env {
	struct hvsim_config cfg;
	struct hvsim_log lg;
	struct hvsim_mem mem;
	struct hvsim_ids ids;
	struct hvsim_gpadls t;
	uint8_t *arena;
	unsigned int lines;	/* log lines seen */
};

/* Two channels the table may know: relids 5 and 6 (any non-NULL object
 * stands for a channel at this layer).
 */
static char chan_a, chan_b;

static void
env_log(void *arg, enum hvsim_log_level level, const char *name,
	const char *msg)
{
	struct env *e = arg;

	(void)level;
	(void)name;
	(void)msg;
	e->lines++;
}

static void
env_up(struct env *e)
{
	memset(e, 0, sizeof(*e));
	hvsim_config_init(&e->cfg, 1);
	e->cfg.log_fn = env_log;
	e->cfg.log_arg = e;
	hvsim_log_init(&e->lg, &e->cfg);
	e->arena = aligned_alloc(VMB_PAGE_SIZE, ARENA_PAGES * VMB_PAGE_SIZE);
	REQUIRE(e->arena != NULL, "arena");
	REQUIRE(hvsim_mem_lend(&e->mem, e->arena, ARENA_GPA,
			       ARENA_PAGES * VMB_PAGE_SIZE) == 0, "lend");
	hvsim_ids_init(&e->ids);
	hvsim_relid_bind(&e->ids, 5, (struct hvsim_chan *)(void *)&chan_a, 0);
	hvsim_relid_bind(&e->ids, 6, (struct hvsim_chan *)(void *)&chan_b, 0);
	REQUIRE(hvsim_gpadls_init(&e->t, &e->lg, &e->mem, &e->ids) == 0,
		"table");
}

static void
env_down(struct env *e)
{
	hvsim_gpadls_fini(&e->t);
	hvsim_log_fini(&e->lg);
	free(e->arena);
}

static uint64_t
pfn_of(unsigned int page)
{
	return (ARENA_GPA >> VMB_PAGE_SHIFT) + page;
}

/*
 * Feed every message of a one-range GPADL of @p n pages; the answer owed
 * after the last one lands in @p a. Returns how many answers were owed on
 * the way (0 or 1 for a well-formed GPADL).
 */
static unsigned int
feed_gpadl(struct env *e, uint32_t relid, uint32_t handle,
	   const uint64_t *pfns, uint32_t n, struct hvsim_gpadl_answer *a)
{
	int k, count = vmb_gpadl_msg_count(n);
	unsigned int owed = 0;
	union vmb_msg m;

	REQUIRE(count > 0, "message count for %u pages", n);
	for (k = 0; k < count; k++) {
		int len = vmb_gpadl_build(&m, relid, handle, pfns, n,
					  (uint32_t)k);

		REQUIRE(len > 0, "build message %d", k);
		hvsim_gpadl_feed(&e->t, &m, (uint32_t)len, a);
		if (a->due)
			owed++;
		/* Nothing is owed before the last body. */
		CHECK(k == count - 1 || !a->due, "answer after message %d", k);
	}
	return owed;
}

static void
test_create_and_view(void)
{
	struct hvsim_gpadl_answer a;
	uint64_t pfns[100], len = 0;
	struct hvsim_gpadl *g;
	unsigned int i;
	uint8_t *view;

	struct env e;

	env_up(&e);
	for (i = 0; i < 100; i++)
		pfns[i] = pfn_of(10 + i);
	/* 100 pages: a header and three bodies. */
	CHECK_EQ(feed_gpadl(&e, 5, 0x100, pfns, 100, &a), 1);
	CHECK(a.due && a.relid == 5 && a.handle == 0x100 && a.status == 0,
	      "answer %d relid %u handle %#x status %#x", a.due, a.relid,
	      a.handle, a.status);
	g = hvsim_gpadl_find(&e.t, 0x100);
	REQUIRE(g != NULL, "established GPADL not found");
	CHECK_EQ(g->relid, 5);
	CHECK_EQ(g->len, 100 * VMB_PAGE_SIZE);
	CHECK(g->host == e.arena + 10 * VMB_PAGE_SIZE, "contiguous view");
	view = hvsim_gpadl_view(&e.t, 0x100, 5, 0, &len);
	CHECK(view == e.arena + 10 * VMB_PAGE_SIZE && len == 100 * 4096,
	      "view of the owner");
	/* A subchannel sees its primary's buffers, another channel not. */
	CHECK(hvsim_gpadl_view(&e.t, 0x100, 9, 5, NULL) != NULL, "via primary");
	CHECK(hvsim_gpadl_view(&e.t, 0x100, 6, 0, NULL) == NULL, "stranger");
	CHECK_EQ(hvsim_log_violations(&e.lg), 1);

	/* Scattered pages: established, but no contiguous view. */
	pfns[0] = pfn_of(300);
	pfns[1] = pfn_of(200);
	CHECK_EQ(feed_gpadl(&e, 6, 0x200, pfns, 2, &a), 1);
	CHECK(a.status == 0, "scattered GPADL refused: %#x", a.status);
	g = hvsim_gpadl_find(&e.t, 0x200);
	CHECK(g != NULL && g->host == NULL, "scattered view");
	CHECK(hvsim_gpadl_of(&e.t, 6) == g, "lookup by relid");

	/* A page outside the arena fails the GPADL, with a violation. */
	pfns[0] = pfn_of(ARENA_PAGES);
	CHECK_EQ(feed_gpadl(&e, 5, 0x300, pfns, 1, &a), 1);
	CHECK_EQ(a.status, VMB_GPADL_STATUS_FAIL);
	CHECK(hvsim_gpadl_find(&e.t, 0x300) == NULL, "bad GPADL kept");
	CHECK_EQ(hvsim_log_violations(&e.lg), 2);

	/* A handle already established: failure, the first one stays. */
	pfns[0] = pfn_of(1);
	CHECK_EQ(feed_gpadl(&e, 5, 0x100, pfns, 1, &a), 1);
	CHECK_EQ(a.status, VMB_GPADL_STATUS_FAIL);
	CHECK(hvsim_gpadl_find(&e.t, 0x100)->len == 100 * VMB_PAGE_SIZE,
	      "first GPADL replaced");
	CHECK_EQ(hvsim_log_violations(&e.lg), 3);

	/* A body for no GPADL being built. */
	{
		union vmb_msg m;
		int len2;

		for (i = 0; i < 40; i++)
			pfns[i] = pfn_of(i);
		len2 = vmb_gpadl_build(&m, 5, 0x400, pfns, 40, 1);
		REQUIRE(len2 > 0);
		hvsim_gpadl_feed(&e.t, &m, (uint32_t)len2, &a);
		CHECK(!a.due, "answer to an orphan body");
		CHECK_EQ(hvsim_log_violations(&e.lg), 4);
	}
	env_down(&e);
}

static void
test_teardown(void)
{
	struct hvsim_gpadl_answer a;
	uint64_t pfns[40];
	union vmb_msg m;
	unsigned int i;
	uint32_t relid = 0;
	struct env e;
	int len;

	env_up(&e);
	for (i = 0; i < 40; i++)
		pfns[i] = pfn_of(i);
	CHECK_EQ(feed_gpadl(&e, 5, 0x10, pfns, 4, &a), 1);

	/* Unknown handle, wrong relid: refused, each a violation. */
	CHECK_EQ(hvsim_gpadl_teardown(&e.t, 5, 0x99), -EINVAL);
	CHECK_EQ(hvsim_gpadl_teardown(&e.t, 6, 0x10), -EINVAL);
	CHECK_EQ(hvsim_log_violations(&e.lg), 2);

	/* The ring of an open channel: deferred to its close, once. */
	hvsim_gpadl_find(&e.t, 0x10)->ring = true;
	CHECK_EQ(hvsim_gpadl_teardown(&e.t, 5, 0x10), 1);
	CHECK_EQ(hvsim_gpadl_teardown(&e.t, 5, 0x10), -EINVAL);
	CHECK(hvsim_gpadl_view(&e.t, 0x10, 5, 0, NULL) == NULL,
	      "a GPADL being torn down is still usable");
	CHECK(hvsim_gpadl_ring_closed(&e.t, 0x10), "teardown not owed");
	hvsim_gpadl_remove(&e.t, 0x10);
	CHECK(hvsim_gpadl_find(&e.t, 0x10) == NULL, "not removed");
	CHECK(hvsim_gpadl_was_torn(&e.t, 0x10), "history");
	CHECK_EQ(hvsim_log_violations(&e.lg), 4);

	/* Use and teardown after the teardown are named as such. */
	CHECK(hvsim_gpadl_view(&e.t, 0x10, 5, 0, NULL) == NULL, "used");
	CHECK_EQ(hvsim_gpadl_teardown(&e.t, 5, 0x10), -EINVAL);
	CHECK_EQ(hvsim_log_violations(&e.lg), 6);
	/* The guest may reuse a torn-down handle. */
	CHECK_EQ(feed_gpadl(&e, 5, 0x10, pfns, 2, &a), 1);
	CHECK_EQ(a.status, 0);
	CHECK(!hvsim_gpadl_was_torn(&e.t, 0x10), "reused handle still torn");
	CHECK_EQ(hvsim_gpadl_teardown(&e.t, 5, 0x10), 0);
	hvsim_gpadl_remove(&e.t, 0x10);

	/* Teardown of a GPADL still being built. */
	len = vmb_gpadl_build(&m, 5, 0x20, pfns, 40, 0);
	REQUIRE(len > 0);
	hvsim_gpadl_feed(&e.t, &m, (uint32_t)len, &a);
	CHECK(!a.due, "answer before the bodies");
	CHECK_EQ(hvsim_gpadl_building(&e.t, 0x20, &relid), 0);
	CHECK_EQ(relid, 5);
	CHECK_EQ(hvsim_gpadl_teardown(&e.t, 5, 0x20), -EINVAL);
	CHECK_EQ(hvsim_log_violations(&e.lg), 7);

	/* Rescinded meanwhile: completed with a failure, not established. */
	hvsim_gpadl_rescinded(&e.t, 5);
	len = vmb_gpadl_build(&m, 5, 0x20, pfns, 40, 1);
	REQUIRE(len > 0);
	hvsim_gpadl_feed(&e.t, &m, (uint32_t)len, &a);
	CHECK(a.due && a.status == VMB_GPADL_STATUS_FAIL,
	      "after a rescind: due %d status %#x", a.due, a.status);
	CHECK(hvsim_gpadl_find(&e.t, 0x20) == NULL, "established anyway");
	CHECK_EQ(hvsim_log_violations(&e.lg), 7);
	env_down(&e);
}

static void
test_release_and_leaks(void)
{
	struct hvsim_gpadl_answer a;
	uint64_t pfns[40];
	union vmb_msg m;
	unsigned int i;
	struct env e;
	int len;

	env_up(&e);
	for (i = 0; i < 40; i++)
		pfns[i] = pfn_of(100 + i);
	CHECK_EQ(feed_gpadl(&e, 5, 0x1, pfns, 8, &a), 1);
	CHECK_EQ(feed_gpadl(&e, 5, 0x2, pfns + 8, 8, &a), 1);
	CHECK_EQ(feed_gpadl(&e, 6, 0x3, pfns + 16, 8, &a), 1);
	len = vmb_gpadl_build(&m, 6, 0x4, pfns, 40, 0);
	REQUIRE(len > 0);
	hvsim_gpadl_feed(&e.t, &m, (uint32_t)len, &a);

	/* Relid 5 released: its GPADLs go, relid 6's stay. */
	hvsim_gpadl_drop_building(&e.t, 5);
	while (hvsim_gpadl_of(&e.t, 5) != NULL)
		hvsim_gpadl_remove(&e.t, hvsim_gpadl_of(&e.t, 5)->handle);
	CHECK(hvsim_gpadl_find(&e.t, 0x1) == NULL &&
	      hvsim_gpadl_find(&e.t, 0x2) == NULL, "released GPADLs stay");
	CHECK(hvsim_gpadl_find(&e.t, 0x3) != NULL, "other relid's GPADL gone");

	/* A channel released while its bodies were coming: no answer. */
	hvsim_relid_unbind(&e.ids, 6, true);
	len = vmb_gpadl_build(&m, 6, 0x4, pfns, 40, 1);
	REQUIRE(len > 0);
	hvsim_gpadl_feed(&e.t, &m, (uint32_t)len, &a);
	CHECK(!a.due, "answer for a released channel");
	CHECK(hvsim_gpadl_find(&e.t, 0x4) == NULL, "established for nobody");

	/* At unload: one violation per GPADL left behind. */
	CHECK_EQ(hvsim_gpadl_leak_check(&e.t), 1);
	CHECK_EQ(hvsim_log_violations(&e.lg), 1);
	hvsim_gpadls_reset(&e.t);
	CHECK_EQ(hvsim_gpadl_leak_check(&e.t), 0);
	CHECK(e.lines > 0, "nothing logged through the callback");
	env_down(&e);
}

static void
test_add(void)
{
	struct hvsim_gpadl *g;
	struct env e;

	env_up(&e);
	/* What a face establishes without messages. */
	CHECK_EQ(hvsim_gpadl_add(&e.t, 5, 0xe1e10, ARENA_GPA + 4096,
				 16 * 4096), 0);
	g = hvsim_gpadl_find(&e.t, 0xe1e10);
	CHECK(g != NULL && g->host == e.arena + 4096 && g->g->npfn == 16,
	      "pre-established GPADL");
	CHECK_EQ(hvsim_gpadl_add(&e.t, 5, 0xe1e10, ARENA_GPA, 4096), -EEXIST);
	CHECK_EQ(hvsim_gpadl_add(&e.t, 5, 0xe1e11, ARENA_GPA + 1, 4096),
		 -EINVAL);
	CHECK_EQ(hvsim_gpadl_add(&e.t, 5, 0xe1e11,
				 ARENA_GPA + ARENA_PAGES * 4096ull, 4096),
		 -EFAULT);
	CHECK_EQ(hvsim_log_violations(&e.lg), 0);
	env_down(&e);
}

int
main(void)
{
	test_create_and_view();
	test_teardown();
	test_release_and_leaks();
	test_add();
	return check_exit("hvsim_gpadl_table");
}
