/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * hvsim: a Hyper-V host simulator. One struct hvsim is one host serving one
 * guest connection (see hvsim_transport.h) with N synthetic NICs behind it.
 * Everything the host does runs on one host thread (hvsim_start()) or in
 * hvsim_poll() called by the owner; the chaos, hook and statistics calls
 * below may come from any thread and are handed to that thread.
 */

#ifndef HVSIM_H
#define HVSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hvsim;
struct hvsim_dev_ops;

/** NICs one host offers, and channels (primary + subchannels) per NIC. */
#define HVSIM_MAX_NICS		16
#define HVSIM_MAX_QUEUES	64

/** Severity of a host message, most severe first. */
enum hvsim_log_level {
	HVSIM_LOG_ERR = 1,	/**< errors and checker violations */
	HVSIM_LOG_WARNING,	/**< the host stops logging errors (budget) */
	HVSIM_LOG_NOTICE,	/**< the default level: what is above it */
	HVSIM_LOG_INFO,		/**< connection and channel lifecycle, device
				 *   events */
	HVSIM_LOG_DEBUG,	/**< every channel message, GPADL and control
				 *   command */
};

/**
 * Where host messages go: @p name is hvsim_config.name, @p msg one line
 * without its newline. Called for messages at hvsim_config.log_level or
 * more severe, on the host thread or in a caller of this API, never with a
 * lock of the caller's held.
 */
typedef void (*hvsim_log_fn)(void *arg, enum hvsim_log_level level,
			     const char *name, const char *msg);

/** What sits behind a NIC: where frames the guest sends go, and what the
 * host sends the guest. */
enum hvsim_port_kind {
	HVSIM_PORT_REFLECT,	/**< every frame goes back to the guest (default) */
	HVSIM_PORT_SWITCH,	/**< frames go to the NIC named by peer */
	HVSIM_PORT_GEN_SINK,	/**< generator towards the guest, sink for its frames */
	HVSIM_PORT_PCAP,	/**< frames from a pcap file in, guest frames to a pcap file */
};

struct hvsim_gen_config {
	uint32_t frame_len;	/**< bytes without FCS, 60..9014; 0 = no
				 *   generator (pure sink) */
	uint32_t flows;		/**< distinct 5-tuples, spread RSS */
	uint64_t rate_pps;	/**< 0 = as fast as the guest takes them */
	uint64_t count;		/**< 0 = unlimited */
	/** 0, or at most this many generated frames not yet back at the
	 * sink: the generator runs closed-loop, at the rate the guest
	 * forwards and the host sinks (frames the guest never sends back
	 * are written off after window_stall_ms without progress). */
	uint32_t window;
	/** A full window without progress for this long is written off;
	 * 0 = 200 ms. */
	uint32_t window_stall_ms;
	bool vlan;		/**< deliver with a VLAN PPI */
	uint16_t vlan_tci;
};

struct hvsim_port_config {
	enum hvsim_port_kind kind;
	unsigned int peer;		/**< HVSIM_PORT_SWITCH: peer NIC index */
	struct hvsim_gen_config gen;	/**< HVSIM_PORT_GEN_SINK */
	const char *pcap_in;		/**< HVSIM_PORT_PCAP */
	const char *pcap_out;		/**< HVSIM_PORT_PCAP, may be NULL */
};

struct hvsim_nic_config {
	uint8_t mac[6];			/**< all zero: 00:15:5d:xx:xx:<index> */
	uint32_t mtu;			/**< L3 MTU, default 1500 */
	uint32_t max_queues;		/**< RSS queues offered, default 8, max
					 *   HVSIM_MAX_QUEUES */
	uint64_t link_speed_mbps;	/**< default 100000 */
	/** Received frames after which a channel's transfer-page packet is
	 * sent and its write index published, mid-iteration; 0 (default):
	 * once per host iteration, or when a packet is full. */
	uint32_t rx_publish;
	/** Refuse the guest's MAC changes (NetworkAddress), as a vSwitch
	 * port that forbids MAC spoofing does; hvsim_set_mac_lock() and
	 * the "maclock" ctl command change it at run time. */
	bool mac_locked;
	struct hvsim_port_config port;
};

/**
 * Hostile mode (doc/guides/hvsim.rst, "Hostile mode"): classes of values
 * and timing the host chooses badly on purpose, always within what the
 * wire format allows. Each is named (hvsim_hostile_class_name()) and
 * selected by the bit 1 << class.
 */
enum hvsim_hostile_class {
	HVSIM_HOSTILE_SIZES,	/**< buffer and section sizes at and past
				 *   the limits */
	HVSIM_HOSTILE_CMPLT,	/**< forged, duplicate, stale and
				 *   out-of-range completions */
	HVSIM_HOSTILE_XFER,	/**< transfer-page ranges that overlap or run
				 *   off the receive buffer */
	HVSIM_HOSTILE_RNDIS,	/**< RNDIS lengths and PPI lists that lie */
	HVSIM_HOSTILE_RING,	/**< ring indices that run away or go
				 *   backwards */
	HVSIM_HOSTILE_INTR,	/**< interrupt-mask and pending-send games */
	HVSIM_HOSTILE_RELID,	/**< a released relid offered again at once */
	HVSIM_HOSTILE_DUPOFFER,	/**< a device offered twice */
	HVSIM_HOSTILE_RESCIND,	/**< rescinds at every protocol step */
	HVSIM_HOSTILE_SILENT,	/**< answers that never come */
	HVSIM_HOSTILE_TWICE,	/**< answers that come twice */
	HVSIM_HOSTILE_COUNT
};

#define HVSIM_HOSTILE_ALL	((1u << HVSIM_HOSTILE_COUNT) - 1)

struct hvsim_config {
	unsigned int n_nics;		/**< synthetic NICs offered, 1..
					 *   HVSIM_MAX_NICS */
	struct hvsim_nic_config nic[HVSIM_MAX_NICS];
	bool checker_off;		/**< the invariant checker is on unless set */
	const char *ctl_path;		/**< control socket path, NULL for none */
	const char *name;		/**< for logs */
	/** Where messages go; NULL: standard error, "hvsim[NAME]: " lines. */
	hvsim_log_fn log_fn;
	void *log_arg;			/**< first argument of log_fn */
	/** Least severe level logged, HVSIM_LOG_NOTICE by default. Below
	 * HVSIM_LOG_DEBUG, errors and violations stop being logged after the
	 * first 500 (the checker report keeps every violation). */
	enum hvsim_log_level log_level;
	/** Device model behind every NIC; NULL = the netvsp NIC. Tests use
	 * it to exercise the core without netvsp. */
	const struct hvsim_dev_ops *dev_ops;
	/** An OPENCHANNEL for a rescinded relid that arrives later than
	 * this after the rescind is a violation (earlier, it may have crossed
	 * the rescind on the wire). 0 = the default, 1000 ms. */
	unsigned int rescind_grace_ms;
	/** Hostile mode: the classes (bits 1 << enum hvsim_hostile_class)
	 * in which the host misbehaves, 0 = an honest host; every choice
	 * comes from one PRNG seeded with hostile_seed. */
	uint32_t hostile_classes;
	uint64_t hostile_seed;
};

/** Instance GUID (16 wire bytes) hvsim offers for NIC @p nic: fixed per
 * index, the same across re-offers, reconnects and host runs. */
void hvsim_nic_instance_guid(unsigned int nic, uint8_t guid[16]);

/** Fill @p cfg with defaults for @p n_nics NICs. */
void hvsim_config_init(struct hvsim_config *cfg, unsigned int n_nics);

/** Port spec syntax, one line, for usage and error messages. */
extern const char hvsim_port_spec_help[];

/**
 * Apply a port spec "[NIC:]KIND[,OPT=VAL...]" (hvsim_port_spec_help) to
 * NIC NIC of @p cfg, or to every NIC without "NIC:"; a switch without
 * peer= pairs NIC 2k with 2k + 1. Set cfg->n_nics first. The spec is
 * parsed in place and pcap file names point into it: it must outlive the
 * host created from @p cfg.
 *
 * @param err  on failure, one line saying what is wrong and what is valid.
 * @return 0, or -EINVAL with @p cfg untouched.
 */
int hvsim_port_parse(struct hvsim_config *cfg, char *spec, char *err,
		     size_t errlen);

/** Hostile spec syntax, one line, for usage and error messages. */
extern const char hvsim_hostile_help[];

/** Name of hostile class @p c ("sizes", "cmplt", ...), NULL if none. */
const char *hvsim_hostile_class_name(unsigned int c);

/**
 * Parse a hostile spec "SEED[,CLASS...]" (hvsim_hostile_help): a seed
 * (decimal or 0x hex) and class names separated by ',', ':' or '+';
 * "all" or no class names select every class.
 *
 * @param err  on failure, one line saying what is wrong and what is valid.
 * @return 0, or -EINVAL with @p seed and @p classes untouched.
 */
int hvsim_hostile_parse(const char *spec, uint64_t *seed, uint32_t *classes,
			char *err, size_t errlen);

/** Create a host. Returns NULL and sets errno on bad config. */
struct hvsim *hvsim_create(const struct hvsim_config *cfg);

/**
 * Serve a connected guest socket (SOCK_SEQPACKET). The host owns @p fd.
 * @p same_process: the guest runs in this process (embedded mode).
 */
int hvsim_attach(struct hvsim *h, int fd, bool same_process);

/** Listen on a Unix socket path and serve the first guest that connects. */
int hvsim_listen(struct hvsim *h, const char *path);

/** Start the host thread. */
int hvsim_start(struct hvsim *h);

/** One host iteration in the caller's thread (no host thread). Returns the
 * number of things done (messages, packets), 0 when idle, <0 on error. */
int hvsim_poll(struct hvsim *h);

/** A loop that drives hvsim_poll() itself (a face) went to sleep idle:
 * counted as the host thread counts its own (host_sleeps). */
void hvsim_note_sleep(struct hvsim *h);

/** Stop the host thread; the guest connection is closed. */
void hvsim_stop(struct hvsim *h);

/** The control socket received "quit": the daemon should stop. */
bool hvsim_quit_requested(const struct hvsim *h);

/** Stop and free. Runs the at-unload checks. */
void hvsim_destroy(struct hvsim *h);

/* ---- chaos: each returns 0 once the host has acted, or a negative errno ---- */

/** Rescind a NIC's subchannel @p sub (1..n), or, with sub == 0, the
 * subchannels first and then the primary; with HVSIM_RESCIND_PRIMARY_ONLY
 * the primary alone. */
int hvsim_rescind(struct hvsim *h, unsigned int nic, unsigned int sub);
/** hvsim_rescind()'s @p sub for a host that breaks the order of
 * protocol.rst 3.8: the primary goes, its subchannels stay offered and
 * open (their rings still served) until rescinded one by one. */
#define HVSIM_RESCIND_PRIMARY_ONLY	0xffffu
/** Offer a rescinded NIC again: same instance GUID, fresh relid. */
int hvsim_reoffer(struct hvsim *h, unsigned int nic);
/** Offer rescinded subchannel @p sub (1..n) again once the guest released
 * it: -EBUSY before that, -ENODEV without a live primary. */
int hvsim_reoffer_sub(struct hvsim *h, unsigned int nic, unsigned int sub);
int hvsim_set_link(struct hvsim *h, unsigned int nic, bool up);
/** VF association (add) or removal; the serial names the VF. */
int hvsim_vf(struct hvsim *h, unsigned int nic, bool add, uint32_t serial);
/** Refuse (locked) or accept the guest's MAC address changes. */
int hvsim_set_mac_lock(struct hvsim *h, unsigned int nic, bool locked);

/**
 * Switch hostile mode at run time: from the host's next choice on, the
 * classes @p classes (0: honest) with a PRNG seeded with @p seed - or,
 * with @p input, the choices read from those bytes (copied) instead, and
 * none once they run out: a fuzzer's input driving the host.
 *
 * @return 0, -EINVAL, -ENOMEM.
 */
int hvsim_hostile_set(struct hvsim *h, uint64_t seed, uint32_t classes,
		      const uint8_t *input, size_t len);

/** Things the hostile host tried so far in class @p cls, or in all of
 * them when @p cls is HVSIM_HOSTILE_COUNT (0 for an honest host). */
uint64_t hvsim_hostile_tries(struct hvsim *h, unsigned int cls);

/* ---- deterministic hooks: hold the host at a step of the guest's sequence ---- */

enum hvsim_step {
	HVSIM_STEP_OFFER_SENT,		/**< right after an OFFERCHANNEL */
	HVSIM_STEP_GPADL_CREATED,	/**< after GPADL_CREATED, before OPEN is handled */
	HVSIM_STEP_OPEN_RECEIVED,	/**< OPENCHANNEL received, result not sent */
	HVSIM_STEP_NVSP_INIT,		/**< NVSP INIT received, completion not sent */
	HVSIM_STEP_RNDIS_INIT,		/**< RNDIS INITIALIZE received, not answered */
	HVSIM_STEP_SUBCHAN_REQ,		/**< subchannel request received, not answered */
	HVSIM_STEP_CLOSE_RECEIVED,	/**< CLOSECHANNEL received */
	HVSIM_STEP_VF_SWITCH,		/**< SWITCH_DATA_PATH received */
	HVSIM_STEP_COUNT
};

/** Arm a hook: when @p nic reaches @p step, the host stops processing that
 * NIC's guest messages (others go on) until hvsim_hook_release(). */
int hvsim_hook_arm(struct hvsim *h, unsigned int nic, enum hvsim_step step);
/** Wait until the armed hook has been reached; -ETIMEDOUT after @p ms. */
int hvsim_hook_wait(struct hvsim *h, unsigned int nic, unsigned int ms);
int hvsim_hook_release(struct hvsim *h, unsigned int nic);

/* ---- invariant checker and statistics ---- */

/** Violations found so far (0 = clean). */
unsigned int hvsim_violations(const struct hvsim *h);
/** Copy the checker's report (one line per violation) into @p buf. */
size_t hvsim_report(const struct hvsim *h, char *buf, size_t len);

struct hvsim_queue_stats {
	uint64_t rx_pkts, rx_bytes;	/**< host -> guest, on this channel */
	uint64_t tx_pkts, tx_bytes;	/**< guest -> host, on this channel */
};

struct hvsim_nic_stats {
	uint64_t rx_pkts, rx_bytes, rx_dropped;	/**< host -> guest */
	uint64_t tx_pkts, tx_bytes, tx_bad;	/**< guest -> host */
	uint64_t rescinds, reoffers, released;
	/** CLOCK_MONOTONIC ns: the last rescind command (its RESCIND
	 * messages went out then) and the last RELID_RELEASED read from the
	 * guest; their difference is the host's rescind-to-release time. */
	uint64_t rescind_ns, released_ns;
	uint32_t n_queues;
	struct hvsim_queue_stats q[HVSIM_MAX_QUEUES];
	uint64_t lat_ns_min, lat_ns_avg, lat_ns_max;	/**< generator round trip */
	bool link_up, rss_enabled, vf_active;
	/** SWITCH_DATA_PATH messages from the guest, and frames it sent on
	 * the synthetic path while the data path it chose was the VF. */
	uint64_t vf_switches, tx_while_vf;
	uint32_t packet_filter;
	uint32_t nvsp_version, ndis_version;
	uint64_t rndis_sets;		/**< RNDIS SET requests received */
	uint8_t mac[6];			/**< current address */
	uint8_t perm_mac[6];
	bool mac_locked;
	/** The NIC is offered (or waits to be offered again). */
	bool offered;
	/** Relids of this NIC the guest has not released yet. */
	uint32_t relids_held;
	/** Times the host signalled the guest (its interrupt eventfd) since
	 * it connected, for all its channels. */
	uint64_t guest_signals;
	/** Data requests accepted (tx_pkts frames came in that many: an
	 * aggregating guest sends several per request). */
	uint64_t tx_requests;
	/** Transfer-page packets of frames sent (rx_pkts went out in that
	 * many). */
	uint64_t rx_batches;
	/** The host's iterations (hvsim_poll(), from the host thread or a
	 * face's loop; all NICs), those that found nothing to do, and the
	 * times the loop went to sleep idle. */
	uint64_t host_polls, host_polls_idle, host_sleeps;
	/** Nanoseconds the host spent in iterations that found work: over a
	 * window of its clock (now_ns), the share of time it was busy. */
	uint64_t host_busy_ns;
	/** Guest memory reads outside the arena (GPA-direct packets):
	 * through memory the guest lent, and with process_vm_readv() (all
	 * NICs, since the host started). */
	uint64_t gpa_reads_lent, gpa_reads_peer;
	/** Polls of this NIC's open guest->host rings, and those that found
	 * nothing to read. */
	uint64_t ring_polls, ring_polls_empty;
	/** RSC: units of two or more TCP segments delivered coalesced, the
	 * segments in them, the fragments (receive sections) they took;
	 * rsc_on while the guest has it enabled (IPv4 or IPv6). */
	uint64_t rsc_pkts, rsc_segs, rsc_frags;
	bool rsc_on;
	/** Receive-buffer sections the guest has not completed yet (0
	 * without a receive buffer): what a guest that holds frames keeps
	 * from the host. */
	uint32_t rx_sec_held, rx_sec_count;
};

int hvsim_nic_stats(struct hvsim *h, unsigned int nic, struct hvsim_nic_stats *st);

/**
 * Signal the guest @p count times with nothing written for it (its
 * interrupt eventfd, HVSIM_HELLO_F_SINT): a host that interrupts without
 * cause. Counted in guest_signals.
 *
 * @return 0, -EINVAL.
 */
int hvsim_signal_guest(struct hvsim *h, uint32_t count);

#endif /* HVSIM_H */
