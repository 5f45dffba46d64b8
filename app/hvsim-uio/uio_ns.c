/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The private mount namespace the uio face and its guest run in. Nothing
 * here is visible outside: the namespace is private (no propagation) and
 * dies with its last process, taking every mount with it.
 *
 * - /sys/bus becomes a tmpfs (sysfs refuses mkdir of a new bus) with
 *   every real bus bound back, plus an empty vmbus/devices for the face;
 * - /dev becomes an overlay with a tmpfs upper layer over the real /dev,
 *   so /dev/uioN is private; the overlay hides /dev's submounts, so each
 *   (pts, shm, hugepages, mqueue ...) is bound back;
 * - /var/run/dpdk gets a tmpfs, so EAL runtime files vanish with us.
 * /sys/class/net is left alone on purpose: DPDK's vdev_netvsc scans it
 * and would try to attach to a netvsc-looking interface there.
 */

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvsim_uio_app.h"

#define NS_MAX_SUBMOUNTS	32
#define NS_SCRATCH		"/sys/bus/.hvsim-uio"

static int
ns_fail(const char *what, const char *path)
{
	int err = errno;

	fprintf(stderr, "hvsim-uio: %s %s: %s\n", what, path, strerror(err));
	return -err;
}

static int
ns_bind_from_fd(int fd, const char *name, const char *dst)
{
	char src[PATH_MAX];

	snprintf(src, sizeof(src), "/proc/self/fd/%d%s%s", fd,
		 name != NULL ? "/" : "", name != NULL ? name : "");
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ns_fail("bind mount onto", dst);
	return 0;
}

static int
ns_sys_bus(void)
{
	char dst[PATH_MAX];
	struct dirent *de;
	int fd, rc = 0;
	DIR *d;

	/* Keep the real /sys/bus reachable through a descriptor while the
	 * tmpfs covers it: no directory outside is needed to park it.
	 */
	fd = open("/sys/bus", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ns_fail("open", "/sys/bus");
	if (mount("tmpfs", "/sys/bus", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0755") < 0) {
		rc = ns_fail("tmpfs on", "/sys/bus");
		close(fd);
		return rc;
	}
	d = fdopendir(dup(fd));
	if (d == NULL) {
		rc = ns_fail("list", "/sys/bus");
		close(fd);
		return rc;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		/* A real vmbus (on Hyper-V) is replaced by the face's. */
		if (de->d_name[0] == '.' || strcmp(de->d_name, "vmbus") == 0)
			continue;
		snprintf(dst, sizeof(dst), "/sys/bus/%s", de->d_name);
		if (mkdir(dst, 0755) < 0)
			rc = ns_fail("mkdir", dst);
		else
			rc = ns_bind_from_fd(fd, de->d_name, dst);
	}
	closedir(d);
	close(fd);
	if (rc == 0 && (mkdir("/sys/bus/vmbus", 0755) < 0 ||
			mkdir("/sys/bus/vmbus/devices", 0755) < 0 ||
			mkdir("/sys/bus/vmbus/drivers", 0755) < 0))
		rc = ns_fail("mkdir", "/sys/bus/vmbus");
	return rc;
}

/* Is @p path strictly below @p dir? */
static bool
ns_below(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	return strncmp(path, dir, l) == 0 && path[l] == '/';
}

/* Mount points strictly below /dev, outermost only (a recursive bind of
 * one carries those below it), from mountinfo.
 */
static unsigned int
ns_dev_submounts(char (*mp)[PATH_MAX], unsigned int max)
{
	static char all[NS_MAX_SUBMOUNTS * 2][PATH_MAX];
	char line[4096];
	unsigned int n_all = 0, n = 0, i, j;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return 0;
	while (n_all < NS_MAX_SUBMOUNTS * 2 &&
	       fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", all[n_all]) == 1 &&
		    ns_below(all[n_all], "/dev"))
			n_all++;
	}
	fclose(f);
	for (i = 0; i < n_all && n < max; i++) {
		bool skip = false;

		for (j = 0; j < n_all && !skip; j++)
			skip = ns_below(all[i], all[j]) ||
				(j < i && strcmp(all[i], all[j]) == 0);
		if (!skip)
			memcpy(mp[n++], all[i], PATH_MAX);
	}
	return n;
}

static int
ns_dev(void)
{
	static char mp[NS_MAX_SUBMOUNTS][PATH_MAX];
	int fds[NS_MAX_SUBMOUNTS];
	unsigned int n, i;
	int rc = 0;

	if (mkdir(NS_SCRATCH, 0700) < 0 ||
	    mkdir(NS_SCRATCH "/upper", 0755) < 0 ||
	    mkdir(NS_SCRATCH "/work", 0700) < 0)
		return ns_fail("mkdir", NS_SCRATCH);
	n = ns_dev_submounts(mp, NS_MAX_SUBMOUNTS);
	for (i = 0; i < n; i++) {
		fds[i] = open(mp[i], O_PATH | O_CLOEXEC);
		if (fds[i] < 0)
			fprintf(stderr, "hvsim-uio: warning: %s not kept: %s\n",
				mp[i], strerror(errno));
	}
	if (mount("overlay", "/dev", "overlay", MS_NOSUID,
		  "lowerdir=/dev,upperdir=" NS_SCRATCH "/upper,workdir="
		  NS_SCRATCH "/work") < 0)
		rc = ns_fail("overlay on", "/dev");
	for (i = 0; i < n; i++) {
		if (rc == 0 && fds[i] >= 0)
			rc = ns_bind_from_fd(fds[i], NULL, mp[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return rc;
}

static int
ns_dpdk_runtime(void)
{
	const char *dir = "/var/run/dpdk";

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return ns_fail("mkdir", dir);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
		return ns_fail("tmpfs on", dir);
	return 0;
}

int
hvsim_uio_ns_enter(void)
{
	if (unshare(CLONE_NEWNS) < 0) {
		int err = errno;

		fprintf(stderr, "hvsim-uio: cannot create a mount namespace "
			"(unshare: %s): needs root or CAP_SYS_ADMIN\n",
			strerror(err));
		return -err;
	}
	/* Private before anything else: no mount below leaks out. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ns_fail("make private", "/");
	if (ns_sys_bus() < 0 || ns_dev() < 0 || ns_dpdk_runtime() < 0)
		return -EIO;
	return 0;
}
