/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What a host tells the world: log lines through the configured callback
 * (standard error when there is none) and the checker's violation report.
 * Errors and violations share a line budget per host, so that a guest
 * looping on a bad message cannot flood the log; the report keeps every
 * violation (up to its size cap) whatever the budget says.
 */

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_base.h"

/* Error and violation lines logged per host before going quiet (unless
 * the level is HVSIM_LOG_DEBUG).
 */
#define HVSIM_ERR_LINES		500
/* Report size cap: a guest looping on a bad message must not eat memory. */
#define HVSIM_REPORT_MAX	(256 * 1024)
/* Longest line handed to the callback. */
#define HVSIM_LINE_MAX		512

static void
hvsim_log_stderr(void *arg, enum hvsim_log_level level, const char *name,
		 const char *msg)
{
	(void)arg;
	(void)level;
	fprintf(stderr, "hvsim[%s]: %s\n", name, msg);
}

void
hvsim_log_init(struct hvsim_log *lg, const struct hvsim_config *cfg)
{
	memset(lg, 0, sizeof(*lg));
	lg->name = cfg->name != NULL ? cfg->name : "hvsim";
	lg->fn = cfg->log_fn != NULL ? cfg->log_fn : hvsim_log_stderr;
	lg->arg = cfg->log_arg;
	lg->level = cfg->log_level != 0 ? cfg->log_level : HVSIM_LOG_NOTICE;
	lg->checker_off = cfg->checker_off;
	pthread_mutex_init(&lg->lock, NULL);
}

void
hvsim_log_fini(struct hvsim_log *lg)
{
	free(lg->report);
	lg->report = NULL;
	pthread_mutex_destroy(&lg->lock);
}

bool
hvsim_log_on(const struct hvsim_log *lg, enum hvsim_log_level level)
{
	return level <= lg->level;
}

static void
hvsim_log_emit(struct hvsim_log *lg, enum hvsim_log_level level,
	       const char *prefix, const char *fmt, va_list ap)
{
	char line[HVSIM_LINE_MAX];
	size_t n = strlen(prefix);

	memcpy(line, prefix, n + 1);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	lg->fn(lg->arg, level, lg->name, line);
}

/* One line at @p level, whatever the configured level. */
static void __attribute__((format(printf, 3, 4)))
hvsim_log_line(struct hvsim_log *lg, enum hvsim_log_level level,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvsim_log_emit(lg, level, "", fmt, ap);
	va_end(ap);
}

void
hvsim_log_vmsg(struct hvsim_log *lg, enum hvsim_log_level level,
	       const char *fmt, va_list ap)
{
	if (hvsim_log_on(lg, level))
		hvsim_log_emit(lg, level, "", fmt, ap);
}

void
hvsim_log_msg(struct hvsim_log *lg, enum hvsim_log_level level,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvsim_log_vmsg(lg, level, fmt, ap);
	va_end(ap);
}

/* True while errors may still be logged; says once when they stop. */
static bool
hvsim_log_budget(struct hvsim_log *lg)
{
	unsigned int n;

	if (hvsim_log_on(lg, HVSIM_LOG_DEBUG))
		return true;
	n = __atomic_fetch_add(&lg->err_lines, 1, __ATOMIC_RELAXED);
	if (n < HVSIM_ERR_LINES)
		return true;
	if (n == HVSIM_ERR_LINES)
		hvsim_log_msg(lg, HVSIM_LOG_WARNING, "further errors not "
			      "logged (the checker report keeps the "
			      "violations)");
	return false;
}

void
hvsim_log_error(struct hvsim_log *lg, const char *fmt, ...)
{
	va_list ap;

	if (!hvsim_log_budget(lg))
		return;
	va_start(ap, fmt);
	hvsim_log_emit(lg, HVSIM_LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}

/* Append @p line to the report, growing it up to its cap. */
static void
hvsim_report_add(struct hvsim_log *lg, const char *line)
{
	size_t n = strlen(line);

	pthread_mutex_lock(&lg->lock);
	lg->violations++;
	if (lg->report_len + n + 2 > lg->report_cap &&
	    lg->report_cap < HVSIM_REPORT_MAX) {
		size_t cap = lg->report_cap ? lg->report_cap * 2 : 4096;
		char *p;

		while (cap < lg->report_len + n + 2)
			cap *= 2;
		p = realloc(lg->report, cap);
		if (p != NULL) {
			lg->report = p;
			lg->report_cap = cap;
		}
	}
	if (lg->report_len + n + 2 <= lg->report_cap) {
		memcpy(lg->report + lg->report_len, line, n);
		lg->report_len += n;
		lg->report[lg->report_len++] = '\n';
		lg->report[lg->report_len] = '\0';
	}
	pthread_mutex_unlock(&lg->lock);
}

void
hvsim_log_violation(struct hvsim_log *lg, const char *fmt, ...)
{
	char line[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (hvsim_log_budget(lg))
		hvsim_log_line(lg, HVSIM_LOG_ERR, "VIOLATION: %s", line);
	if (!lg->checker_off)
		hvsim_report_add(lg, line);
}

unsigned int
hvsim_log_violations(struct hvsim_log *lg)
{
	unsigned int v;

	pthread_mutex_lock(&lg->lock);
	v = lg->violations;
	pthread_mutex_unlock(&lg->lock);
	return v;
}

size_t
hvsim_log_report(struct hvsim_log *lg, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&lg->lock);
	n = lg->report_len;
	if (buf != NULL && len > 0) {
		size_t k = n < len - 1 ? n : len - 1;

		if (k > 0)
			memcpy(buf, lg->report, k);
		buf[k] = '\0';
	}
	pthread_mutex_unlock(&lg->lock);
	return n;
}
