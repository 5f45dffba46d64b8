/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What the scheduler did to this process's threads, for bench_release:
 * per-thread run-queue wait and involuntary context switches from /proc,
 * and pinning every thread of the process to chosen CPUs.
 *
 *   /proc/self/task/TID/schedstat   ns on CPU, ns runnable waiting for one
 *                                   (wake-up latency included), slices
 *   /proc/self/task/TID/status      nonvoluntary_ctxt_switches: times the
 *                                   thread lost its CPU while runnable
 */

#ifndef HVBUS_BENCH_SCHED_H
#define HVBUS_BENCH_SCHED_H

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

/* Nanoseconds @tid spent runnable without a CPU; 0 if unreadable. */
static uint64_t
sched_runq_ns(int tid)
{
	unsigned long long run, wait;
	char path[64];
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) == 2)
		v = wait;
	fclose(f);
	return v;
}

/* One "Key:\tvalue" line of /proc/self/task/TID/status, as text. */
static int
sched_status_field(int tid, const char *key, char *val, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int rc = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		snprintf(val, len, "%s", line + klen + 1 +
			 strspn(line + klen + 1, " \t"));
		val[strcspn(val, "\n")] = '\0';
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

/* Times @tid was switched out while runnable (preempted). */
static uint64_t
sched_invol_switches(int tid)
{
	char v[32];

	if (sched_status_field(tid, "nonvoluntary_ctxt_switches", v,
			       sizeof(v)) < 0)
		return 0;
	return strtoull(v, NULL, 10);
}

/* The process's threads: tid and name, at most @max. */
struct sched_thread {
	int tid;
	char name[32];
	char cpus[32];		/* Cpus_allowed_list, once read */
};

static unsigned int
sched_threads(struct sched_thread *t, unsigned int max)
{
	char path[300];
	struct dirent *e;
	unsigned int n = 0;
	DIR *d;
	FILE *f;

	d = opendir("/proc/self/task");
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		if (e->d_name[0] == '.')
			continue;
		t[n].tid = atoi(e->d_name);
		t[n].name[0] = '\0';
		t[n].cpus[0] = '\0';
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = fopen(path, "r");
		if (f != NULL) {
			if (fgets(t[n].name, sizeof(t[n].name), f) != NULL)
				t[n].name[strcspn(t[n].name, "\n")] = '\0';
			fclose(f);
		}
		n++;
	}
	closedir(d);
	return n;
}

/*
 * Every thread of the process on @other_cpu, thread @lcore_tid alone on
 * @lcore_cpu; with @any, every thread (the lcore too) on every CPU the
 * process may use. Fills @t with each thread's resulting CPU list.
 * Returns the number of threads, or -errno.
 */
static int
sched_place(struct sched_thread *t, unsigned int max, int lcore_tid,
	    unsigned int lcore_cpu, unsigned int other_cpu, bool any)
{
	cpu_set_t all, one, mine;
	unsigned int n, i;
	int rc;

	if (sched_getaffinity(0, sizeof(all), &all) < 0)
		return -errno;
	/* What the process may use: the union of its threads' masks. */
	n = sched_threads(t, max);
	for (i = 0; i < n; i++) {
		CPU_ZERO(&mine);
		if (sched_getaffinity(t[i].tid, sizeof(mine), &mine) == 0)
			CPU_OR(&all, &all, &mine);
	}
	for (i = 0; i < n; i++) {
		CPU_ZERO(&one);
		CPU_SET(t[i].tid == lcore_tid ? lcore_cpu : other_cpu, &one);
		rc = sched_setaffinity(t[i].tid, sizeof(cpu_set_t),
				       any ? &all : &one);
		if (rc < 0 && errno != ESRCH)
			return -errno;
	}
	for (i = 0; i < n; i++)
		sched_status_field(t[i].tid, "Cpus_allowed_list", t[i].cpus,
				   sizeof(t[i].cpus));
	return (int)n;
}

#endif /* HVBUS_BENCH_SCHED_H */
