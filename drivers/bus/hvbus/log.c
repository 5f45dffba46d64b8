/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The bus's log type, in a file of its own below every other: each file
 * logs, and none has to reach up into the bus glue (hvbus.c) for it.
 */

#include "hvbus_private.h"

RTE_LOG_REGISTER_DEFAULT(hvbus_logtype, NOTICE);
