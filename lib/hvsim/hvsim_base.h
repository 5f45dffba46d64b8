/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Layer 0 of the hvsim core: what every other layer uses and that uses
 * nothing of hvsim's but the public header - the log and the violation
 * report (log.c). Nothing here knows channels, messages or the host.
 */

#ifndef HVSIM_BASE_H
#define HVSIM_BASE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvsim.h"

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

#endif /* HVSIM_BASE_H */
