/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus, layer 0: the bus's state and the files that need nothing else.
 *
 * The bus is built in one-way layers (doc/guides/hvbus.rst, "Layers",
 * lists them): every file includes the private header of its own layer,
 * each header includes the ones below it, and no file calls or includes a
 * layer above its own (devtools/check-layers.py). This one is the bottom:
 * state.c (the state, the log type), config.c, coexist.c, intr.c, mp.c,
 * telemetry.c; the backends (uio/, sim/) use it and nothing else.
 *
 * Ownership: the control thread is the only thread that changes offers,
 * channels, GPADLs and the relid table. It takes hvbus.lock around those
 * changes so that readers on other threads (telemetry, find_device,
 * subchannel waiters) see consistent lists; it never holds the lock while
 * talking to the host and never waits for the host.
 */

#ifndef HVBUS_STATE_H
#define HVBUS_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <bus_driver.h>
#include <rte_log.h>
#include <rte_thread.h>

#include "rte_bus_hvbus.h"
#include "backend.h"
#include "vmb_msg.h"

extern int hvbus_logtype;
#define RTE_LOGTYPE_HVBUS hvbus_logtype
#define HVBUS_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hvbus_logtype, "hvbus: " fmt "\n", \
		##__VA_ARGS__)

#define HVBUS_BUS_NAME		"hvbus"

/* Bus-wide settings (HVBUS_BUS_KEYS in backend.h, config.c). */
struct hvbus_config {
	char backend[16];	/* the backend's name, or "none" */
	uint32_t timeout_ms;	/* deadline for every host answer */
	uint32_t ring_size;	/* default bytes per ring */
};

/* Where one offer (one relid) stands. */
enum hvbus_chan_state {
	HVBUS_CS_OFFERED,	/* no rings */
	HVBUS_CS_GPADL,		/* ring GPADL sent, GPADL_CREATED awaited */
	HVBUS_CS_OPENING,	/* OPENCHANNEL sent, result awaited */
	HVBUS_CS_OPEN,		/* published to the datapath */
	HVBUS_CS_RETIRING,	/* unpublished, grace period running */
	HVBUS_CS_CLOSING,	/* CLOSECHANNEL + teardown sent, TORNDOWN awaited */
};

struct hvbus_req;
struct hvbus_gpadl;
struct hvbus_chan_priv;

/* One offer: a relid the host gave us, until we send RELID_RELEASED. */
struct hvbus_offer {
	uint32_t relid;
	uint16_t subidx;
	uint8_t monitor_id;
	bool monitor_allocated;
	struct vmb_guid class_id;
	struct vmb_guid instance;
	struct rte_hvbus_device *dev;	/* NULL: not a device we drive */
	enum hvbus_chan_state state;
	bool rescinded;
	bool failed;		/* host broke the protocol: unusable */
	bool released;		/* RELID_RELEASED sent: never twice */
	bool in_grace;		/* its channel waits for a grace period */
	struct hvbus_chan_priv *chan;	/* rings, from GPADL state on */
	struct hvbus_req *req;	/* open or close waiting on this offer */
	uint64_t deadline;	/* ns, for GPADL / OPENING */
	uint32_t openid;
	unsigned int gpadls;	/* GPADLs on this relid not yet torn down */
	unsigned int holds;	/* handlers working on it: not freed yet */
};

/* An open instance: what the datapath sees, plus the bus's bookkeeping. */
struct hvbus_chan_priv {
	struct hvbus_chan pub;	/* first: the datapath's view */
	struct hvbus_offer *offer;
	void *mem;		/* both rings, host-shared */
	size_t mem_len;
	uint32_t tx_pages;	/* pages of the tx ring, header included */
	struct hvbus_gpadl *gpadl;	/* the ring GPADL */
	bool open_sent;		/* OPENCHANNEL went out: CLOSECHANNEL owed */
	bool kernel_mem;	/* rings are the kernel's: never freed */
	bool orphan;		/* nobody waits: tear down when possible */
	bool retired;		/* in the epoch queue: grace period runs */
	bool torn;		/* host let go while the grace period ran */
};

enum hvbus_gpadl_state {
	HVBUS_GS_CREATING,	/* header + bodies sent */
	HVBUS_GS_READY,		/* GPADL_CREATED ok */
	HVBUS_GS_TEARING,	/* GPADL_TEARDOWN sent */
	HVBUS_GS_GONE,		/* host forgot it; memory kept for its owner */
};

struct hvbus_gpadl {
	TAILQ_ENTRY(hvbus_gpadl) next;
	uint32_t handle;
	struct hvbus_offer *offer;	/* NULL once GONE */
	struct rte_hvbus_device *dev;	/* owner of a driver buffer */
	void *va;
	size_t len;
	enum hvbus_gpadl_state state;
	bool user;		/* a driver buffer, not a ring */
	bool user_freed;	/* owner let go: free once GONE */
	bool failed;		/* GPADL_CREATED said no */
	bool parked;		/* went out in part: kept, see gpadl_park() */
	struct hvbus_chan_priv *ring_of;	/* ring GPADL of this channel */
	struct hvbus_req *req;	/* create / destroy waiting */
	uint64_t deadline;
};
TAILQ_HEAD(hvbus_gpadl_list, hvbus_gpadl);

enum hvbus_req_type {
	HVBUS_REQ_CONNECT,
	HVBUS_REQ_OPEN,
	HVBUS_REQ_CLOSE,
	HVBUS_REQ_GPADL_CREATE,
	HVBUS_REQ_GPADL_DESTROY,
	HVBUS_REQ_SHUTDOWN,
};

/*
 * A request from another thread. Two references: the poster's and the
 * control thread's; whoever drops the last frees it, so a poster that
 * gives up at its own timeout never leaves the control thread holding
 * freed memory.
 */
struct hvbus_req {
	TAILQ_ENTRY(hvbus_req) next;
	enum hvbus_req_type type;
	int refs;
	bool done;
	bool abandoned;		/* poster timed out */
	int result;
	struct rte_hvbus_device *dev;
	uint16_t subidx;
	uint32_t tx_size, rx_size;
	size_t len;
	uint32_t handle;
	struct hvbus_chan *chan;	/* out: open */
	void *va;			/* out: GPADL create */
};
TAILQ_HEAD(hvbus_req_list, hvbus_req);

/* Private part of a device. */
struct hvbus_dev_priv {
	/* Current offer per subchannel index; the slot is emptied at
	 * rescind time so a re-offer can fill it while the old relid is
	 * still being released.
	 */
	struct hvbus_offer *offer[HVBUS_MAX_CHAN];
	unsigned int n_sub;	/* subchannels offered now */
	unsigned int kbufs;	/* kernel buffers handed out (uio) */
	bool gone;		/* primary rescinded, no re-offer yet */
	struct hvbus_intr *intr;	/* intr.c, NULL until a driver asks */
};

enum hvbus_work_kind {
	HVBUS_WORK_PROBE,
	HVBUS_WORK_EVENT,
	HVBUS_WORK_CALL,	/* a driver's hvbus_work_call() */
};

struct hvbus_work {
	TAILQ_ENTRY(hvbus_work) next;
	enum hvbus_work_kind kind;
	struct rte_hvbus_device *dev;
	enum hvbus_event ev;
	uint16_t subidx;
	hvbus_work_fn_t *fn;	/* HVBUS_WORK_CALL */
	void *arg;
};
TAILQ_HEAD(hvbus_work_list, hvbus_work);

TAILQ_HEAD(hvbus_device_list, rte_hvbus_device);
TAILQ_HEAD(hvbus_driver_list, rte_hvbus_driver);

/* Counters (written by the control thread, read by telemetry). */
struct hvbus_stats {
	uint64_t msgs;		/* channel messages received */
	uint64_t bad_msgs;	/* failed decode or validation */
	uint64_t unknown_relid;	/* message for a relid we do not have */
	uint64_t offers;
	uint64_t rescinds;
	uint64_t released;	/* RELID_RELEASED sent */
	uint64_t deadlines;	/* host answers that came too late */
	uint64_t send_errors;
};

struct hvbus_state {
	struct rte_bus *bus;	/* hvbus.c's, set by its constructor */
	struct hvbus_config cfg;
	struct hvbus_backend be;
	bool scanned;		/* scan ran (once per process) */
	bool backend_up;
	bool connected;
	bool host_gone;		/* connection lost: send nothing more */
	uint32_t version;	/* negotiated VMBus version */
	int version_idx;	/* next version to try */
	bool probe_done;	/* bus probe ran: later offers probe via work */
	bool mem_lent;		/* backend's lend_mem() ran (first probe) */
	bool no_probe;		/* cleanup began: probe nothing any more */
	bool shutting_down;

	pthread_mutex_t probe_lock;	/* driver probe/remove/events */
	pthread_mutex_t lock;	/* lists below, requests, work */
	pthread_cond_t cond;	/* request completion, offers */
	struct hvbus_device_list devs;
	struct hvbus_driver_list drivers;
	struct hvbus_offer *relid_tab[VMB_MAX_RELID];
	struct hvbus_gpadl_list gpadls;
	uint32_t next_gpadl;
	uint32_t next_openid;
	uint32_t open_seq;	/* last hvbus_chan.open_seq given */
	struct hvbus_stats st;
	uint64_t log_once;	/* bit per message type already logged */

	struct epoch_domain *dom;
	unsigned int retiring;	/* channels handed to epoch_retire() */
	unsigned int reclaim_pending;	/* last epoch_reclaim(): all objects */
	uint64_t reclaim_wait_ns;	/* next grace period re-check */

	/* control thread */
	rte_thread_t ctrl_tid;
	bool ctrl_running;
	int epfd;
	int evfd;
	struct hvbus_req_list reqs;	/* posted, not yet taken */
	struct hvbus_req *connect_req;
	struct hvbus_req *shutdown_req;
	bool unload_sent;
	uint64_t connect_deadline;
	uint64_t shutdown_deadline;
	bool ctrl_stop;

	/* work thread */
	rte_thread_t work_tid;
	bool work_running;
	bool work_stop;
	bool work_busy;
	pthread_cond_t work_cond;
	struct hvbus_work_list work;
};

extern struct hvbus_state hvbus;

/* container_of for the const pointers EAL hands us (no cast warning). */
static inline struct rte_hvbus_device *
hvbus_dev_of(const struct rte_device *d)
{
	return (struct rte_hvbus_device *)((uintptr_t)d -
		offsetof(struct rte_hvbus_device, device));
}

static inline const struct rte_hvbus_driver *
hvbus_drv_of(const struct rte_driver *d)
{
	return (const struct rte_hvbus_driver *)((uintptr_t)d -
		offsetof(struct rte_hvbus_driver, driver));
}

/* coexist.c: keep DPDK's bus_vmbus off the devices hvbus takes. */
bool hvbus_coexist_vmbus_loaded(void);
void hvbus_coexist(const struct vmb_guid *taken, unsigned int n);

/* config.c */
int hvbus_config_load(struct hvbus_config *cfg,
		      const struct hvbus_backend_ops **ops);

/* intr.c: the control thread relays host signals; any thread frees. */
struct hvbus_intr;
/* The host signalled @p dev (NULL: some device): wake its armed channels
 * that have data. Control thread. Returns the wakes. */
unsigned int hvbus_intr_host_signal(struct rte_hvbus_device *dev);
void hvbus_intr_chan_opened(struct rte_hvbus_device *dev, uint16_t subidx);
uint64_t hvbus_intr_kicks(struct rte_hvbus_device *dev);
void hvbus_intr_free(struct rte_hvbus_device *dev);

/* mp.c: the primary's device list over rte_mp. */
struct hvbus_mp_dev {
	struct vmb_guid instance;
	struct vmb_guid class_id;
};
/* Devices from @p start, at most @p max, into @p out; *total gets the
 * count of all. Returns how many were written. */
typedef unsigned int (hvbus_mp_list_fn)(struct hvbus_mp_dev *out,
					unsigned int start, unsigned int max,
					uint32_t *total);
int hvbus_mp_serve(hvbus_mp_list_fn *fn);
void hvbus_mp_unserve(void);
/* Secondary: the primary's list (malloc'd), or a negative errno. */
int hvbus_mp_fetch(struct hvbus_mp_dev **out, unsigned int *n);

/* telemetry.c */
void hvbus_telemetry_register(void);

#endif /* HVBUS_STATE_H */
