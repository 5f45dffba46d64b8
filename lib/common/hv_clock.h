/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * Clock helpers shared by the drivers, hvsim and the tools: one monotonic
 * time source in nanoseconds, and absolute deadlines for the timed waits of
 * pthread (whose clock the caller names: CLOCK_REALTIME for a default
 * condition variable, CLOCK_MONOTONIC for one set up with
 * pthread_condattr_setclock()).
 */

#ifndef HV_CLOCK_H
#define HV_CLOCK_H

#include <stdint.h>
#include <time.h>

#define HV_NS_PER_SEC	1000000000ull
#define HV_NS_PER_MS	1000000ull

/** CLOCK_MONOTONIC in nanoseconds: for intervals, never for dates. */
static inline uint64_t
hv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * HV_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/** CLOCK_MONOTONIC in milliseconds, for polling loops with a deadline. */
static inline uint64_t
hv_now_ms(void)
{
	return hv_now_ns() / HV_NS_PER_MS;
}

/** The time @p ms milliseconds from now on @p clock, as an absolute
 * timespec for pthread_cond_timedwait() and friends. */
static inline void
hv_deadline_ts(clockid_t clock, unsigned int ms, struct timespec *ts)
{
	clock_gettime(clock, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

#endif /* HV_CLOCK_H */
