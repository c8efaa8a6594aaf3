// SPDX-License-Identifier: GPL-2.0
/*
 * open_as - open a file read-write as another user, for the device
 * permission tests in the guest (tools/pkg/guest.sh), which has no
 * /etc/passwd, no su and no libc: a static binary that takes numbers.
 *
 *   open_as UID GID[,SUPPLEMENTARY_GID...] FILE
 *
 * Drops every group and capability (setgroups(), setresgid(), setresuid()
 * as root), then open(FILE, O_RDWR).  Prints "open_as: uid U gid G: ok" or
 * the errno's name, and exits 0 if the open worked, 1 on EACCES, 2 on any
 * other error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS 16

static unsigned int parse_id(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 0xfffffffeUL) {
		fprintf(stderr, "open_as: bad id '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	gid_t groups[MAX_GROUPS];
	size_t ngroups = 0;
	char *list, *tok, *save;
	uid_t uid;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: open_as UID GID[,GID...] FILE\n");
		return 2;
	}
	uid = parse_id(argv[1]);
	list = strdup(argv[2]);
	if (!list)
		return 2;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (ngroups == MAX_GROUPS) {
			fprintf(stderr, "open_as: more than %d groups\n",
				MAX_GROUPS);
			return 2;
		}
		groups[ngroups++] = parse_id(tok);
	}
	if (!ngroups) {
		fprintf(stderr, "open_as: no gid\n");
		return 2;
	}
	/* Supplementary groups first: setgroups() needs the privilege. */
	if (setgroups(ngroups - 1, groups + 1) ||
	    setresgid(groups[0], groups[0], groups[0]) ||
	    setresuid(uid, uid, uid)) {
		fprintf(stderr, "open_as: cannot become uid %u: %s\n", uid,
			strerror(errno));
		return 2;
	}
	fd = open(argv[3], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		printf("open_as: uid %u gid %s: %s: %s\n", uid, argv[2],
		       argv[3], strerrorname_np(err));
		return err == EACCES ? 1 : 2;
	}
	printf("open_as: uid %u gid %s: %s: ok\n", uid, argv[2], argv[3]);
	close(fd);
	return 0;
}
