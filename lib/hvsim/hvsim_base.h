/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Layer 0 of the hvsim core (doc/guides/hvsim.rst, "Layers"): what every
 * other layer uses and that uses nothing of hvsim's but the public header.
 *
 *   log.c        the log and the checker's violation report
 *   guest_mem.c  the guest's memory as the host sees it
 *   relid.c      identifiers the host hands out: instance GUIDs, relids,
 *                monitor ids
 *   gate.c       hook gates: where a test holds the host for one NIC
 *
 * Nothing here knows a message, a ring or the host loop; a channel is an
 * opaque pointer the relid table stores.
 */

#ifndef HVSIM_BASE_H
#define HVSIM_BASE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hv_clock.h"
#include "hvsim.h"
#include "hvsim_transport.h"
#include "vmb_monitor.h"
#include "vmb_msg.h"
#include "vmb_pkt.h"

/* ---- log.c ---- */

struct hvsim_log {
	const char *name;
	hvsim_log_fn fn;
	void *arg;
	enum hvsim_log_level level;
	bool checker_off;	/* violations logged, not recorded */
	unsigned int err_lines;	/* errors/violations logged (atomic) */
	/* The report is read from other threads (hvsim_report()). */
	pthread_mutex_t lock;
	unsigned int violations;
	char *report;
	size_t report_len, report_cap;
};

void hvsim_log_init(struct hvsim_log *lg, const struct hvsim_config *cfg);
void hvsim_log_fini(struct hvsim_log *lg);
/* True when messages of @p level reach the callback. */
bool hvsim_log_on(const struct hvsim_log *lg, enum hvsim_log_level level);
void hvsim_log_msg(struct hvsim_log *lg, enum hvsim_log_level level,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void hvsim_log_vmsg(struct hvsim_log *lg, enum hvsim_log_level level,
		    const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* What the guest or the user did wrong and what the host did about it
 * (level ERR, within the error budget).
 */
void hvsim_log_error(struct hvsim_log *lg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A protocol violation of the guest: one report line (unless the checker
 * is off) and an ERR line within the error budget.
 */
void hvsim_log_violation(struct hvsim_log *lg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
unsigned int hvsim_log_violations(struct hvsim_log *lg);
size_t hvsim_log_report(struct hvsim_log *lg, char *buf, size_t len);

#define HVSIM_INFO(lg, ...)	hvsim_log_msg((lg), HVSIM_LOG_INFO, __VA_ARGS__)
#define HVSIM_DEBUG(lg, ...)	hvsim_log_msg((lg), HVSIM_LOG_DEBUG, __VA_ARGS__)

/* ---- guest_mem.c ---- */

/* The guest's arena (rings, GPADL pages, monitor pages) mapped here, and
 * how any other guest address is read.
 */
struct hvsim_mem {
	uint8_t *arena;		/* host view, NULL: none */
	uint64_t gpa;		/* guest address of its first byte */
	uint64_t size;
	bool mapped;		/* ours to munmap (else lent by a face) */
	bool same_process;	/* any guest address is ours too */
	pid_t pid;		/* process_vm_readv() target, 0: none */
	/* Memory the guest lent (MEM frames), mapped read-only. */
	struct hvsim_mem_region {
		const uint8_t *host;
		uint64_t gpa, size;
	} reg[HVSIM_MEM_REGIONS];
	unsigned int n_reg;
	/* Reads outside the arena: through a lent region, and with
	 * process_vm_readv() (the costly one: a call per page chunk). */
	uint64_t reads_lent, reads_peer;
};

/* Map the guest's arena memfd (sealed against shrinking when it allows). */
int hvsim_mem_map(struct hvsim_mem *mem, struct hvsim_log *lg, int memfd,
		  uint64_t gpa, uint64_t size, bool same_process);
/* Use memory someone else owns as the arena (the uio face). */
int hvsim_mem_lend(struct hvsim_mem *mem, uint8_t *arena, uint64_t gpa,
		   uint64_t size);
/* Map @p size bytes of @p fd from @p offset read-only as guest addresses
 * from @p gpa (a MEM frame); 0 or a negative errno (logged). */
int hvsim_mem_add_region(struct hvsim_mem *mem, struct hvsim_log *lg, int fd,
			 uint64_t gpa, uint64_t size, uint64_t offset);
/* Unmap the arena and every lent region. */
void hvsim_mem_unmap(struct hvsim_mem *mem);
/* Host pointer to [gpa, gpa + len) when it lies inside the arena. */
void *hvsim_mem_ptr(const struct hvsim_mem *mem, uint64_t gpa, uint64_t len);
/* Read guest memory at page @p pfn + @p off (hvsim_gpa_read()). */
int hvsim_mem_read(struct hvsim_mem *mem, uint64_t pfn, uint32_t off,
		   void *dst, uint32_t len);

/* ---- relid.c ---- */

/* Relids the host hands out: 1 .. HVSIM_RELID_LIMIT - 1 (Linux's bound). */
#define HVSIM_RELID_LIMIT	VMB_MAX_RELID

struct hvsim_chan;

struct hvsim_ids {
	struct hvsim_chan *chan[HVSIM_RELID_LIMIT];	/* NULL: free */
	uint8_t nic[HVSIM_RELID_LIMIT];			/* of a bound relid */
	uint8_t released[HVSIM_RELID_LIMIT];	/* since the connect */
	uint32_t next;				/* round robin */
	bool monitor_used[VMB_MONITOR_IDS];
};

void hvsim_ids_init(struct hvsim_ids *ids);
/* The connection is gone: every relid and monitor id is free again (the
 * round robin goes on where it was).
 */
void hvsim_ids_reset(struct hvsim_ids *ids);
/* A free relid, 0 when none is left. */
uint32_t hvsim_relid_alloc(struct hvsim_ids *ids);
/* The lowest relid the guest released since the connect that is free
 * again, 0 when none: for a host that reuses relids at once.
 */
uint32_t hvsim_relid_reuse(const struct hvsim_ids *ids);
void hvsim_relid_bind(struct hvsim_ids *ids, uint32_t relid,
		      struct hvsim_chan *c, unsigned int nic);
/* Free @p relid; @p released: the guest released it (not a reset). */
void hvsim_relid_unbind(struct hvsim_ids *ids, uint32_t relid,
			bool released);
/* The channel bound to @p relid, NULL when none (or out of range). */
struct hvsim_chan *hvsim_relid_chan(const struct hvsim_ids *ids,
				    uint32_t relid);
/* Its NIC, or -1. */
int hvsim_relid_nic(const struct hvsim_ids *ids, uint32_t relid);
/* Relids bound to NIC @p nic. */
uint32_t hvsim_relids_of(const struct hvsim_ids *ids, unsigned int nic);
/* The guest released @p relid since the connect and it is free. */
bool hvsim_relid_released(const struct hvsim_ids *ids, uint32_t relid);
/* The first free monitor id, -ENOSPC when all are taken. */
int hvsim_monitor_alloc(struct hvsim_ids *ids);
void hvsim_monitor_free(struct hvsim_ids *ids, uint8_t id);

/* ---- gate.c ---- */

enum hvsim_gate_state {
	HVSIM_GATE_IDLE,
	HVSIM_GATE_ARMED,
	HVSIM_GATE_HELD,
};

struct hvsim_gate_nic {
	enum hvsim_gate_state state;	/* lock */
	enum hvsim_step step;		/* lock */
	bool held;	/* written under the lock, read lock-free */
	bool drain;	/* released: the filter replays its queue */
};

/* state/step are shared with the test's thread (lock); held and drain are
 * written under the lock and read by the host thread without it.
 */
struct hvsim_gate {
	struct hvsim_log *lg;
	unsigned int n_nics;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct hvsim_gate_nic nic[HVSIM_MAX_NICS];
};

void hvsim_gate_init(struct hvsim_gate *g, struct hvsim_log *lg,
		     unsigned int n_nics);
void hvsim_gate_fini(struct hvsim_gate *g);
int hvsim_gate_arm(struct hvsim_gate *g, unsigned int nic,
		   enum hvsim_step step);
int hvsim_gate_wait(struct hvsim_gate *g, unsigned int nic, unsigned int ms);
int hvsim_gate_release(struct hvsim_gate *g, unsigned int nic);
/* The host reached @p step on @p nic: true (and held) if armed there. */
bool hvsim_gate_reached(struct hvsim_gate *g, unsigned int nic,
			enum hvsim_step step);
/* The same with a lock-free look first, for paths taken per packet. */
bool hvsim_gate_hit(struct hvsim_gate *g, unsigned int nic,
		    enum hvsim_step step);
/* @p nic is held: its messages queue, its rings are not polled. */
bool hvsim_gate_held(const struct hvsim_gate *g, unsigned int nic);
/* Released and not yet replayed; hvsim_gate_drained() once replayed. */
bool hvsim_gate_draining(const struct hvsim_gate *g, unsigned int nic);
void hvsim_gate_drained(struct hvsim_gate *g, unsigned int nic);
/* "idle -", "armed STEP" or "held STEP" into @p out. */
void hvsim_gate_describe(struct hvsim_gate *g, unsigned int nic, char *out,
			 size_t len);
const char *hvsim_step_name(enum hvsim_step s);
int hvsim_step_parse(const char *s, enum hvsim_step *out);

#endif /* HVSIM_BASE_H */
