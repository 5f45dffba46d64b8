/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Linked whole into applications by hvnet.pc (hvnet-libs.pc). Under
 * --as-needed the linker keeps a shared library only when a regular
 * object refers to it, and an application refers to nothing of net_hvnet:
 * this reference keeps the net plugin (and the bus plugin it needs) in the
 * NEEDED list. In a static link the driver archives, linked whole before
 * this, already define the symbol, and the shared plugins are dropped.
 */

extern const char net_hvnet_pmd_info[];

__attribute__((used)) const char *const hvnet_keep_net_hvnet =
	net_hvnet_pmd_info;
