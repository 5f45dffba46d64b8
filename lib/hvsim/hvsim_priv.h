/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Private state of the hvsim VMBus host core, shared by its files:
 * host.c (lifecycle, host loop, command queue, logging), transport.c (guest
 * socket), guest_mem.c (arena and GPAs), chan_mgmt.c (channel messages,
 * offers, rescinds), gpadl.c (GPADL table), chan_ring.c (ring engine),
 * checker.c, hooks.c and ctl.c. Everything below is touched by the host
 * thread only, except where a field says which lock guards it.
 */

#ifndef HVSIM_PRIV_H
#define HVSIM_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hvsim.h"
#include "hvsim_base.h"
#include "hvsim_dev.h"
#include "hvsim_transport.h"
#include "vmb_gpadl.h"
#include "vmb_msg.h"
#include "vmb_ring.h"

#define HVSIM_MONITOR_IDS	128
/* Relids the host hands out: 1..HVSIM_RELID_LIMIT-1 (Linux' bound). */
#define HVSIM_RELID_LIMIT	VMB_MAX_RELID
/* GPADLs in progress / established per connection; a guest asking for
 * more gets failures, never unbounded allocation.
 */
#define HVSIM_GPADL_PENDING_MAX	64
#define HVSIM_GPADL_MAX		4096
/* Torn-down handles remembered to name "used after teardown". */
#define HVSIM_GPADL_HISTORY	256
/* Messages queued per NIC while a hook holds it. */
#define HVSIM_HOLD_MAX		1024
/* Frames queued towards a guest that does not read its socket. */
#define HVSIM_TXQ_MAX		8192
/* Largest guest->host ring packet accepted (netvsc sends < 1 KiB). */
#define HVSIM_PKT_MAX		65536
/* Default grace after a rescind during which an OPEN racing with it is
 * not a violation (the guest may have sent it before reading the rescind).
 */
#define HVSIM_RESCIND_GRACE_MS	1000

/* Failure statuses put on the wire (values openvmm uses). */
#define HVSIM_STATUS_FAIL	0xC0000001u	/* OPENCHANNEL_RESULT */
#define HVSIM_GPADL_FAIL	0x8000FFFFu	/* GPADL_CREATED */

struct hvsim_nic;

/* One offer (one relid): a primary or a subchannel. */
struct hvsim_chan {
	struct hvsim *h;
	struct hvsim_nic *nic;
	uint32_t relid;
	uint16_t subidx;
	uint8_t monitor_id;
	bool monitor_allocated;
	bool open;		/* OPENCHANNEL accepted, result sent */
	bool rescinded;		/* RESCIND sent */
	bool dev_open;		/* dev->chan_open succeeded, close owed */
	bool failed;		/* ring corrupt or device error: no polling */
	bool batching;
	bool in_masked;		/* we set interrupt_mask of the inbound ring */
	bool opens_after_rescind;
	uint32_t openid;
	uint32_t ring_gpadl;
	uint32_t target_vp;
	uint64_t rescind_rx_seq;	/* frames received when rescinded */
	uint64_t rescind_ns;
	struct vmb_ring in;	/* guest -> host: we read */
	struct vmb_ring out;	/* host -> guest: we write */
	/* checker shadows of the guest-owned indices */
	uint32_t out_rd_seen;
	uint32_t out_lib_rd;
	struct hvsim_queue_stats st;
	uint8_t *pkt_buf;	/* copy of the packet being handled */
	uint32_t pend_len;	/* pkt_buf holds a packet the device deferred */
};

/* A message held by a hook, in arrival order. */
struct hvsim_held {
	struct hvsim_held *next;
	uint64_t rx_seq;
	uint64_t rx_ns;
	uint32_t len;
	union vmb_msg m;
};

enum hvsim_hook_state {
	HVSIM_HOOK_IDLE,
	HVSIM_HOOK_ARMED,
	HVSIM_HOOK_HELD,
};

struct hvsim_nic {
	unsigned int idx;
	struct vmb_guid instance;
	bool present;		/* offered (not removed by a rescind) */
	bool reoffer_pending;	/* re-offer once the old primary is released */
	struct hvsim_chan *chan[HVSIM_MAX_QUEUES];	/* by subchannel index */
	void *dev;
	uint64_t rescinds, reoffers, released;
	uint64_t rescind_ns;	/* last rescind command executed */
	uint64_t released_ns;	/* last RELID_RELEASED received */
	/* hooks: hook_state/hook_step under h->hook_lock; held is read
	 * lock-free by the host thread (written under the lock).
	 */
	enum hvsim_hook_state hook_state;
	enum hvsim_step hook_step;
	bool held;
	bool drain;		/* released: replay the queue */
	struct hvsim_held *hq_head, *hq_tail;
	unsigned int hq_len;
};

/* An established GPADL. */
struct hvsim_gpadl {
	uint32_t handle;
	uint32_t relid;
	struct vmb_gpadl *g;
	uint8_t *host;		/* contiguous host view, NULL if scattered */
	uint64_t len;
	struct hvsim_chan *ring_of;	/* open channel using it as its ring */
	bool teardown_pending;	/* TORNDOWN owed once ring_of closes */
};

/* A GPADL whose header arrived and whose bodies are still coming. */
struct hvsim_gpadl_prog {
	uint32_t handle;
	uint32_t relid;
	bool fail;		/* rescinded meanwhile: answer with failure */
};

/* Frames waiting for room in the guest socket. */
struct hvsim_txq {
	uint8_t (*buf)[HVSIM_FRAME_MAX];
	uint16_t *len;
	unsigned int head, count;
};

enum hvsim_cmd_kind {
	HVSIM_CMD_RESCIND,
	HVSIM_CMD_REOFFER,
	HVSIM_CMD_LINK,
	HVSIM_CMD_VF,
	HVSIM_CMD_STATS,
	HVSIM_CMD_MAC_LOCK,
};

struct hvsim_cmd {
	struct hvsim_cmd *next;
	enum hvsim_cmd_kind kind;
	unsigned int nic;
	unsigned int sub;
	bool flag;
	uint32_t val;
	struct hvsim_nic_stats *st;
	int result;
	bool done;
};

struct hvsim_ctl;

struct hvsim {
	struct hvsim_config cfg;
	const struct hvsim_dev_ops *ops;
	struct hvsim_log log;	/* and the checker's report */

	/* guest connection */
	int fd;			/* -1: no guest */
	int listen_fd;
	char *listen_path;
	bool attach_same_process;
	bool hello_done;
	bool same_process;
	pid_t pid;
	struct hvsim_txq txq;
	const char *dead_why;	/* send failed: disconnect after this step */
	uint64_t rx_seq;	/* channel-message frames received */

	/* guest memory */
	uint8_t *arena;
	uint64_t arena_gpa;
	uint64_t arena_size;
	uint8_t *mon_parent;	/* monitor page 1: parent -> child */
	uint8_t *mon_child;	/* monitor page 2: child -> parent (bits) */

	/* VMBus connection state */
	bool connected;
	uint32_t version;
	bool offers_requested;
	struct hvsim_chan *relid_tab[HVSIM_RELID_LIMIT];
	uint8_t relid_released[HVSIM_RELID_LIMIT];	/* since connect */
	uint32_t next_relid;
	bool monitor_used[HVSIM_MONITOR_IDS];

	/* GPADLs */
	struct vmb_gpadl_asm gasm;
	struct hvsim_gpadl *gpadl;	/* array, n_gpadl used */
	unsigned int n_gpadl;
	struct hvsim_gpadl_prog gprog[HVSIM_GPADL_PENDING_MAX];
	unsigned int n_gprog;
	uint32_t gpadl_gone[HVSIM_GPADL_HISTORY];	/* torn-down handles */
	bool gpadl_gone_live[HVSIM_GPADL_HISTORY];	/* not reused since */
	unsigned int gpadl_gone_pos, gpadl_gone_n;

	struct hvsim_nic nic[HVSIM_MAX_NICS];
	unsigned int n_open;	/* open channels, for the idle check */

	unsigned int rescind_grace_ms;

	/* hooks */
	pthread_mutex_t hook_lock;
	pthread_cond_t hook_cond;

	/* host thread and commands from other threads */
	pthread_t thread;
	bool running;
	bool stop;		/* atomic: set by hvsim_stop() */
	pthread_mutex_t poll_lock;	/* one iteration at a time */
	pthread_mutex_t cmd_lock;
	pthread_cond_t cmd_cond;
	struct hvsim_cmd *cmd_head, *cmd_tail;

	struct hvsim_ctl *ctl;
	bool quit_requested;	/* "quit" on the control socket */
};

/* host.c */
uint64_t hvsim_now_ns(void);
int hvsim_cmd_exec(struct hvsim *h, struct hvsim_cmd *cmd);
int hvsim_iterate(struct hvsim *h);
/* Serialise an owner call with the host thread; false when called from
 * inside a host iteration (nothing to take).
 */
bool hvsim_host_lock(struct hvsim *h);
void hvsim_host_unlock(struct hvsim *h, bool locked);

/* transport.c */
int hvsim_transport_poll(struct hvsim *h);
int hvsim_send_msg(struct hvsim *h, const union vmb_msg *m, int len);
void hvsim_disconnect(struct hvsim *h, const char *why);
void hvsim_transport_reap(struct hvsim *h);
void hvsim_txq_free(struct hvsim *h);

/* guest_mem.c */
int hvsim_mem_attach(struct hvsim *h, int memfd, const struct hvsim_hello *hi);
void hvsim_mem_detach(struct hvsim *h);
/* Host pointer to [gpa, gpa + len) when it lies inside the arena. */
void *hvsim_arena_ptr(const struct hvsim *h, uint64_t gpa, uint64_t len);

/* chan_mgmt.c */
void hvsim_chmsg(struct hvsim *h, const void *buf, uint32_t len);
void hvsim_chmsg_decoded(struct hvsim *h, const union vmb_msg *m,
			 uint32_t len, uint64_t rx_seq, uint64_t rx_ns);
void hvsim_reset_connection(struct hvsim *h, const char *why, bool check);
int hvsim_do_rescind(struct hvsim *h, unsigned int nic, unsigned int sub);
int hvsim_do_reoffer(struct hvsim *h, unsigned int nic, unsigned int sub);
struct hvsim_chan *hvsim_chan_by_relid(struct hvsim *h, uint32_t relid,
				       const char *what);
void hvsim_chan_close_dev(struct hvsim_chan *c);

/* gpadl.c */
int hvsim_gpadl_init(struct hvsim *h);
void hvsim_gpadl_fini(struct hvsim *h);
void hvsim_gpadl_msg(struct hvsim *h, const union vmb_msg *m, uint32_t len);
void hvsim_gpadl_teardown_msg(struct hvsim *h, const union vmb_msg *m);
struct hvsim_gpadl *hvsim_gpadl_find(struct hvsim *h, uint32_t handle);
bool hvsim_gpadl_was_torn(const struct hvsim *h, uint32_t handle);
int hvsim_gpadl_prog_relid(const struct hvsim *h, uint32_t handle,
			   uint32_t *relid);
void hvsim_gpadl_ring_closed(struct hvsim *h, struct hvsim_chan *c);
void hvsim_gpadl_rescinded(struct hvsim *h, uint32_t relid);
void hvsim_gpadl_drop_relid(struct hvsim *h, uint32_t relid);
unsigned int hvsim_gpadl_leak_check(struct hvsim *h);
void hvsim_gpadl_drop_all(struct hvsim *h);

/* chan_ring.c */
int hvsim_ring_open(struct hvsim_chan *c, struct hvsim_gpadl *g,
		    uint32_t page_off);
int hvsim_ring_poll_all(struct hvsim *h);
void hvsim_chan_fail(struct hvsim_chan *c, const char *why, int err);
int hvsim_monitor_poll(struct hvsim *h);

/* checker.c */
void hvsim_check_unload(struct hvsim *h, const char *when);
int hvsim_check_in_ring(struct hvsim_chan *c);
int hvsim_check_out_ring(struct hvsim_chan *c);

/* hooks.c */
bool hvsim_hook_core(struct hvsim *h, struct hvsim_nic *n,
		     enum hvsim_step step);
int hvsim_hold_push(struct hvsim *h, struct hvsim_nic *n,
		    const union vmb_msg *m, uint32_t len, uint64_t rx_seq,
		    uint64_t rx_ns, bool front);
int hvsim_hold_replay(struct hvsim *h);
void hvsim_hold_flush(struct hvsim *h, struct hvsim_nic *n);
struct hvsim_nic *hvsim_hold_find_gpadl(struct hvsim *h, uint32_t handle);
const char *hvsim_step_name(enum hvsim_step s);
int hvsim_step_parse(const char *s, enum hvsim_step *out);

/* ctl.c */
int hvsim_ctl_open(struct hvsim *h, const char *path);
int hvsim_ctl_poll(struct hvsim *h);
void hvsim_ctl_close(struct hvsim *h);

/* preopen.c: state a guest kernel set up before the host sees a message
 * (the uio face, uio/): a connection without a transport, face-owned
 * memory as the arena, and channels already open on it.
 */
int hvsim_preopen_attach(struct hvsim *h, uint8_t *arena, uint64_t gpa,
			 uint64_t size);
void hvsim_preopen_set_pid(struct hvsim *h, pid_t pid);
struct hvsim_chan *hvsim_preopen_offer(struct hvsim *h, unsigned int nic);
/* A channel the device offered (subchannel grant) that is not open yet. */
struct hvsim_chan *hvsim_preopen_pending(struct hvsim *h, unsigned int nic);
int hvsim_preopen_gpadl(struct hvsim_chan *c, uint32_t handle, uint64_t gpa,
			uint64_t len);
int hvsim_preopen_open(struct hvsim_chan *c, uint32_t ring_gpadl,
		       uint32_t split_page);
void hvsim_preopen_detach(struct hvsim *h);

#endif /* HVSIM_PRIV_H */
