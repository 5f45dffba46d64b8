/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Minimal assertion helpers shared by every test program. A failed check
 * prints where and why, counts the failure and lets the test go on, so one
 * run reports every broken expectation; check_exit() turns the count into
 * the process exit status meson reads.
 */

#ifndef HVNET_TEST_CHECK_H
#define HVNET_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned int check_failures;
static unsigned int check_count;

#define CHECK(cond, ...) do {						\
	check_count++;							\
	if (!(cond)) {							\
		check_failures++;					\
		fprintf(stderr, "%s:%d: CHECK(%s) failed: ",		\
			__FILE__, __LINE__, #cond);			\
		fprintf(stderr, " " __VA_ARGS__);			\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long check_a_ = (long long)(a);				\
	long long check_b_ = (long long)(b);				\
	CHECK(check_a_ == check_b_, "%s = %lld, %s = %lld",		\
	      #a, check_a_, #b, check_b_);				\
} while (0)

/* Fatal variant for preconditions the rest of a test depends on. */
#define REQUIRE(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: REQUIRE(%s) failed: ",		\
			__FILE__, __LINE__, #cond);			\
		fprintf(stderr, " " __VA_ARGS__);			\
		fputc('\n', stderr);					\
		exit(1);						\
	}								\
} while (0)

static inline int
check_exit(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif /* HVNET_TEST_CHECK_H */
