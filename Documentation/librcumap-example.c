// SPDX-License-Identifier: GPL-2.0
/* A hash map from C: create, update, lookup, walk, batch (librcumap(3)). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <rcumap/rcumap.h>

int main(void)
{
	__u64 key, next, value, keys[4], values[4], token, sum = 0;
	LIBRCUMAP_OPTS(rcumap_batch_opts, opts);
	__u32 count, walked = 0, i;
	void *in = NULL;
	int fd, err = 0;

	fd = rcumap_map_create(RCUMAP_MAP_HASH, sizeof(key), sizeof(value), 64, NULL);
	if (fd < 0)
		return fprintf(stderr, "create: %s\n", strerror(-fd)), 1;
	for (key = 1; key <= 10 && !err; key++) {
		value = key * key;
		err = rcumap_map_update_elem(fd, &key, &value, RCUMAP_UPDATE_NOEXIST);
	}
	key = 7;
	if (err || rcumap_map_lookup_elem(fd, &key, &value))
		return perror("update, lookup"), 1;
	printf("key 7: value %llu\n", (unsigned long long)value);
	/* Every key once, in the map's order, whatever else changes it. */
	for (err = rcumap_map_get_next_key_ordered(fd, NULL, &next); !err;
	     err = rcumap_map_get_next_key_ordered(fd, &key, &next)) {
		key = next;
		walked++;
	}
	/* Up to 4 entries a call; the token says where the next one starts. */
	do {
		count = 4;
		err = rcumap_map_lookup_batch(fd, in, &token, keys, values, &count, &opts);
		for (i = 0; i < count; i++)
			sum += values[i];
		in = &token;
	} while (!err);
	printf("walked %u keys; values add up to %llu\n", walked, (unsigned long long)sum);
	close(fd);
	return err == -ENOENT && walked == 10 && sum == 385 ? 0 : 1;
}
