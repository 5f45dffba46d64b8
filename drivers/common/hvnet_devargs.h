/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * Device arguments from one table per driver. Each key is one row of an
 * X-macro list, written once with its default, its accepted range and a
 * short help text; the same rows yield
 *  - the table hvnet_devargs_parse() fills the driver's settings from,
 *  - the error message naming the key and its accepted range, and
 *  - the RTE_PMD_REGISTER_PARAM_STRING literal (HVNET_DEVARG_*_PARAM).
 *
 * A driver writes its rows as
 *
 *     #define XX_DEVARGS(U32, NAME) \
 *         U32(ring_size, 4096, 1024, 65536, 1024, "bytes per ring") \
 *         NAME(vf, "ethdev name", "the port to take over")
 *
 * where every key is also a field of its settings struct (a uint32_t for
 * U32, a char array for NAME, a struct hvnet_devarg_list for LIST: a
 * repeatable key whose values are kept in order, rows written
 * LIST(key, "what", "help")); then, with HVNET_DEVARGS_STRUCT defined as
 * that struct, XX_DEVARGS(HVNET_DEVARG_U32_ROW, HVNET_DEVARG_NAME_ROW)
 * initialises the table and
 * XX_DEVARGS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM) is the
 * parameter string. Numbers in the rows must be plain decimal literals:
 * they are printed into the parameter string as written. A value with
 * ',' or '=' in it goes in brackets, key=[a,b=c].
 *
 * Header-only so that the bus and the PMD, linked into one process as
 * separate plugins, each carry their own copy.
 */

#ifndef HVNET_DEVARGS_H
#define HVNET_DEVARGS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_log.h>

enum hvnet_devarg_kind {
	HVNET_DEVARG_U32,	/**< unsigned number in [min, max] */
	HVNET_DEVARG_NAME,	/**< string of 1 .. size - 1 characters */
	HVNET_DEVARG_LIST,	/**< repeatable string, kept in order */
};

#define HVNET_DEVARG_LIST_MAX	16u
#define HVNET_DEVARG_LIST_LEN	256u

/** The values of a LIST key, in the order given. */
struct hvnet_devarg_list {
	unsigned int n;
	char v[HVNET_DEVARG_LIST_MAX][HVNET_DEVARG_LIST_LEN];
};

/** One key: where its value goes and what values it accepts. */
struct hvnet_devarg {
	const char *key;
	enum hvnet_devarg_kind kind;
	uint32_t def;		/**< U32: the value when the key is absent */
	uint32_t min, max;	/**< U32: accepted range, inclusive */
	uint32_t step;		/**< U32: value must be a multiple (0, 1: any) */
	size_t offset;		/**< of the field in the settings struct */
	size_t size;		/**< of that field */
	const char *help;	/**< unit or meaning, for the error text */
};

/** What hvnet_devargs_parse() works on, and whom its messages name. */
struct hvnet_devargs_spec {
	const char *who;		/**< message prefix: "hvnet", "hvbus" */
	int logtype;			/**< rte_log type for the errors */
	const struct hvnet_devarg *rows;
	unsigned int n_rows;
};

/* Table rows; HVNET_DEVARGS_STRUCT names the settings struct. */
#define HVNET_DEVARG_U32_ROW(key, def, min, max, step, help)		\
	{ #key, HVNET_DEVARG_U32, def, min, max, step,			\
	  offsetof(HVNET_DEVARGS_STRUCT, key),				\
	  sizeof(((HVNET_DEVARGS_STRUCT *)0)->key), help },
#define HVNET_DEVARG_NAME_ROW(key, what, help)				\
	{ #key, HVNET_DEVARG_NAME, 0, 0, 0, 0,				\
	  offsetof(HVNET_DEVARGS_STRUCT, key),				\
	  sizeof(((HVNET_DEVARGS_STRUCT *)0)->key), help },
#define HVNET_DEVARG_LIST_ROW(key, what, help)				\
	{ #key, HVNET_DEVARG_LIST, 0, 0, 0, 0,				\
	  offsetof(HVNET_DEVARGS_STRUCT, key),				\
	  sizeof(((HVNET_DEVARGS_STRUCT *)0)->key), help },

/* Parameter-string pieces: adjacent literals, so the whole list is one. */
#define HVNET_DEVARG_U32_PARAM(key, def, min, max, step, help)		\
	#key "=<" #min "-" #max "> "
#define HVNET_DEVARG_NAME_PARAM(key, what, help)			\
	#key "=<" what "> "
#define HVNET_DEVARG_LIST_PARAM(key, what, help)			\
	#key "=<" what "> "

#define HVNET_DEVARGS_LOG(spec, fmt, ...)				\
	rte_log(RTE_LOG_ERR, (spec)->logtype, "%s: devarg " fmt "\n",	\
		(spec)->who, ##__VA_ARGS__)

static inline const struct hvnet_devarg *
hvnet_devargs_find(const struct hvnet_devargs_spec *spec, const char *key)
{
	unsigned int i;

	for (i = 0; i < spec->n_rows; i++)
		if (strcmp(spec->rows[i].key, key) == 0)
			return &spec->rows[i];
	return NULL;
}

/** Every key's default into @p out. */
static inline void
hvnet_devargs_defaults(const struct hvnet_devargs_spec *spec, void *out)
{
	const struct hvnet_devarg *r;
	unsigned int i;

	for (i = 0; i < spec->n_rows; i++) {
		r = &spec->rows[i];
		if (r->kind == HVNET_DEVARG_U32)
			*(uint32_t *)RTE_PTR_ADD(out, r->offset) = r->def;
		else
			memset(RTE_PTR_ADD(out, r->offset), 0, r->size);
	}
}

/* The accepted values of a U32 key, as the error messages state them. */
static inline void
hvnet_devargs_range(const struct hvnet_devarg *r, char *buf, size_t len)
{
	if (r->step > 1)
		snprintf(buf, len, "%u..%u, a multiple of %u (%s)",
			 r->min, r->max, r->step, r->help);
	else
		snprintf(buf, len, "%u..%u (%s)", r->min, r->max, r->help);
}

static inline int
hvnet_devargs_u32(const struct hvnet_devargs_spec *spec,
		  const struct hvnet_devarg *r, const char *value, void *out)
{
	unsigned long long v;
	char range[160];
	char *end;

	hvnet_devargs_range(r, range, sizeof(range));
	errno = 0;
	v = value != NULL ? strtoull(value, &end, 0) : 0;
	if (value == NULL || errno != 0 || end == value || *end != '\0' ||
	    value[0] == '-' || value[0] == '+' || value[0] == ' ') {
		HVNET_DEVARGS_LOG(spec, "%s=%s: not a number; accepted %s",
				  r->key, value != NULL ? value : "",
				  range);
		return -EINVAL;
	}
	if (v < r->min || v > r->max) {
		HVNET_DEVARGS_LOG(spec, "%s=%s: out of range; accepted %s",
				  r->key, value, range);
		return -ERANGE;
	}
	if (r->step > 1 && v % r->step != 0) {
		HVNET_DEVARGS_LOG(spec, "%s=%s: not a multiple of %u; "
				  "accepted %s", r->key, value, r->step, range);
		return -EINVAL;
	}
	*(uint32_t *)RTE_PTR_ADD(out, r->offset) = (uint32_t)v;
	return 0;
}

static inline int
hvnet_devargs_name(const struct hvnet_devargs_spec *spec,
		   const struct hvnet_devarg *r, const char *value, void *out)
{
	size_t len = value != NULL ? strlen(value) : 0;

	if (len == 0 || len >= r->size) {
		HVNET_DEVARGS_LOG(spec, "%s=%s: accepted 1..%zu characters "
				  "(%s)", r->key, value != NULL ? value : "",
				  r->size - 1, r->help);
		return -EINVAL;
	}
	memcpy(RTE_PTR_ADD(out, r->offset), value, len + 1);
	return 0;
}

/* "a, b, c": the known keys, for the unknown-key message. */
static inline void
hvnet_devargs_keys(const struct hvnet_devargs_spec *spec, char *buf,
		   size_t len)
{
	size_t used = 0;
	unsigned int i;
	int n;

	buf[0] = '\0';
	for (i = 0; i < spec->n_rows && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
			     spec->rows[i].key);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static inline int
hvnet_devargs_list(const struct hvnet_devargs_spec *spec,
		   const struct hvnet_devarg *r, const char *value, void *out)
{
	struct hvnet_devarg_list *l = RTE_PTR_ADD(out, r->offset);
	size_t len = value != NULL ? strlen(value) : 0;

	if (len == 0 || len >= HVNET_DEVARG_LIST_LEN) {
		HVNET_DEVARGS_LOG(spec, "%s=%s: accepted 1..%u characters "
				  "(%s)", r->key, value != NULL ? value : "",
				  HVNET_DEVARG_LIST_LEN - 1, r->help);
		return -EINVAL;
	}
	if (l->n == HVNET_DEVARG_LIST_MAX) {
		HVNET_DEVARGS_LOG(spec, "%s: at most %u values", r->key,
				  HVNET_DEVARG_LIST_MAX);
		return -EINVAL;
	}
	memcpy(l->v[l->n++], value, len + 1);
	return 0;
}

/* One key=value; @p seen has a bit per row given already. */
static inline int
hvnet_devargs_one(const struct hvnet_devargs_spec *spec, const char *key,
		  const char *value, void *out, uint64_t *seen)
{
	const struct hvnet_devarg *r = hvnet_devargs_find(spec, key);
	char keys[512];
	uint64_t bit;

	if (r == NULL) {
		hvnet_devargs_keys(spec, keys, sizeof(keys));
		HVNET_DEVARGS_LOG(spec, "%s: unknown key (keys: %s)", key,
				  keys);
		return -EINVAL;
	}
	bit = 1ull << (r - spec->rows);
	if (r->kind != HVNET_DEVARG_LIST && (*seen & bit) != 0) {
		HVNET_DEVARGS_LOG(spec, "%s given more than once", key);
		return -EINVAL;
	}
	*seen |= bit;
	if (r->kind == HVNET_DEVARG_U32)
		return hvnet_devargs_u32(spec, r, value, out);
	if (r->kind == HVNET_DEVARG_NAME)
		return hvnet_devargs_name(spec, r, value, out);
	return hvnet_devargs_list(spec, r, value, out);
}

/*
 * Apply the pairs of @p s whose value is bracketed or whose key is a LIST,
 * in order, and cut them out of @p s: DPDK 22.11's rte_kvargs refuses '='
 * inside brackets, and a LIST's order matters. The rest is left for
 * rte_kvargs.
 */
static inline int
hvnet_devargs_take(const struct hvnet_devargs_spec *spec, char *s,
		   void *out, uint64_t *seen)
{
	const struct hvnet_devarg *r;
	char *p = s, *o = s, *eq, *val, *end;
	bool take;
	int rc;

	while (*p != '\0') {
		eq = strpbrk(p, "=,");
		val = eq != NULL && *eq == '=' ? eq + 1 : NULL;
		if (val != NULL && *val == '[') {
			end = strchr(val, ']');
			if (end == NULL || (end[1] != ',' && end[1] != '\0')) {
				HVNET_DEVARGS_LOG(spec, "%.*s=[...: no closing "
						  "] before the next key",
						  (int)(eq - p), p);
				return -EINVAL;
			}
			end++;
		} else {
			end = p + strcspn(p, ",");
		}
		take = val != NULL && *val == '[';
		if (val != NULL && !take) {
			*eq = '\0';
			r = hvnet_devargs_find(spec, p);
			*eq = '=';
			take = r != NULL && r->kind == HVNET_DEVARG_LIST;
		}
		if (!take) {
			/* Kept for rte_kvargs, with its separator. */
			if (*end == ',')
				end++;
			memmove(o, p, (size_t)(end - p));
			o += end - p;
			p = end;
			continue;
		}
		*eq = '\0';
		if (*val == '[') {
			val++;
			end[-1] = '\0';
		}
		if (*end == ',')
			*end++ = '\0';
		rc = hvnet_devargs_one(spec, p, val, out, seen);
		if (rc != 0)
			return rc;
		p = end;
	}
	*o = '\0';
	if (o > s && o[-1] == ',')
		o[-1] = '\0';
	return 0;
}

/**
 * Fill @p out (the settings struct of @p spec) from the devargs string
 * @p args ("key=value,..."; NULL or "" for all defaults). Every key not
 * given keeps its default. A bad string, an unknown or repeated key, or a
 * value outside its range is logged, naming the key and what it accepts,
 * and fails the whole call; @p out then holds no half-applied set but the
 * defaults. A table has at most 64 rows.
 *
 * @return 0, -EINVAL, -ENOMEM, or -ERANGE for a number outside its range.
 */
static inline int
hvnet_devargs_parse(const struct hvnet_devargs_spec *spec, const char *args,
		    void *out)
{
	struct rte_kvargs *kv;
	uint64_t seen = 0;
	char keys[512];
	unsigned int i;
	char *rest;
	int rc;

	hvnet_devargs_defaults(spec, out);
	if (args == NULL || args[0] == '\0')
		return 0;
	if (spec->n_rows > 64)
		return -EINVAL;
	rest = strdup(args);
	if (rest == NULL)
		return -ENOMEM;
	rc = hvnet_devargs_take(spec, rest, out, &seen);
	if (rc != 0 || rest[0] == '\0')
		goto out;
	/* No key list here: an unknown key gets a message naming it. */
	kv = rte_kvargs_parse(rest, NULL);
	if (kv == NULL) {
		hvnet_devargs_keys(spec, keys, sizeof(keys));
		HVNET_DEVARGS_LOG(spec, "string \"%s\" is not key=value,... "
				  "(keys: %s)", args, keys);
		rc = -EINVAL;
		goto out;
	}
	for (i = 0; i < kv->count && rc == 0; i++)
		rc = hvnet_devargs_one(spec, kv->pairs[i].key,
				       kv->pairs[i].value, out, &seen);
	rte_kvargs_free(kv);
out:
	free(rest);
	if (rc != 0)
		hvnet_devargs_defaults(spec, out);
	return rc;
}

#endif /* HVNET_DEVARGS_H */
