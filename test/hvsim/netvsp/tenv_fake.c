/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* Test environment over the fake core: one NIC, everything synchronous. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv_clock.h"
#include "fake_core.h"
#include "tenv.h"

const char tenv_name[] = "fake-core";
const bool tenv_checks_gpa = true;

struct tenv {
	struct fc *f;
	struct nvg_io io;
};

struct tenv *
tenv_create(unsigned int n, const struct hvsim_nic_config *cfg)
{
	struct tenv *e;

	if (n != 1)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->f = fc_create(cfg, 64u << 20);
	if (e->f == NULL) {
		free(e);
		return NULL;
	}
	fc_nvg_io(e->f, &e->io);
	return e;
}

int
tenv_destroy(struct tenv *e)
{
	fc_destroy(e->f);
	free(e);
	return 0;
}

const struct nvg_io *
tenv_io(struct tenv *e, unsigned int nic)
{
	return nic == 0 ? &e->io : NULL;
}

int
tenv_set_link(struct tenv *e, unsigned int nic, bool up)
{
	return hvsim_netvsp_ops.set_link(fc_dev(e->f), up);
}

int
tenv_vf(struct tenv *e, unsigned int nic, bool add, uint32_t serial)
{
	return hvsim_netvsp_ops.vf(fc_dev(e->f), add, serial);
}

int
tenv_stats(struct tenv *e, unsigned int nic, struct hvsim_nic_stats *st)
{
	hvsim_netvsp_ops.stats(fc_dev(e->f), st);
	return 0;
}

int
tenv_proto_errors(struct tenv *e)
{
	return (int)fc_proto_errors(e->f);
}

int
tenv_rescind_primary(struct tenv *e, unsigned int nic)
{
	return nic == 0 ? fc_close(e->f, 0) : -ENODEV;
}

int
tenv_set_room(struct tenv *e, uint32_t bytes)
{
	fc_set_room(e->f, bytes ? bytes : 1u << 20);
	return 0;
}

int
tenv_hook(struct tenv *e, unsigned int nic, enum hvsim_step step, bool on)
{
	fc_hook(e->f, (int)step, on);
	return 0;
}

void
tenv_idle(struct tenv *e, unsigned int ms)
{
	uint64_t end = hv_now_ms() + ms;

	do
		fc_pump(e->f);
	while (hv_now_ms() < end);
}
