// SPDX-License-Identifier: GPL-2.0
/*
 * layout - where RCUMAP_HASH_INLINE_MAX comes from: the same tables built
 * with their entries inline and out of line (rcumap_hash_kunit_create()),
 * at entry sizes on both sides of the threshold, measured in one run.  A
 * report, not a test.
 *
 * For 8-byte keys and values of E - 8 bytes (an inline entry of E bytes):
 *
 *   hit hot    ns per lookup hit that reads the first word of the value, in
 *              a table of 1,024 keys (every line in cache)
 *   hit cold   the same in a table of 262,144 keys, keys in random order
 *              (the bucket and the element miss the cache)
 *   B/entry    (bytes_used of the full cold table - bytes_used of the empty
 *              one) / keys: hash word, entry or pointer, element, and the
 *              buckets' headers and slab rounding, at one bucket per key
 *   replace    ns per replace in the hot table (typical bucket: one or two
 *              keys)
 *   at bound   ns per replace in a bucket of RCUMAP_HASH_BUCKET_MAX keys
 *   copied     bytes an update writes at the bound: the new bucket (hash
 *              words and entries or pointers) plus, out of line, the new
 *              element
 *
 * Usage: layout [ROUNDS (5)]
 */
#include <linux/bitrev.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/rcumap_hash.h>
#include <linux/rcupdate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define HOT_KEYS	1024
#define COLD_KEYS	262144
#define LOOKUPS		2000000

static const u32 entry_sizes[] = { 32, 64, 96, 128, 192, 256, 512 };

static struct rcumap_hash *make(u32 value_size, u32 max_entries,
				u32 nr_buckets, bool indirect)
{
	struct rcumap_hash_params p = {
		.key_size = sizeof(u64),
		.value_size = value_size,
		.max_entries = max_entries,
		.nr_buckets = nr_buckets,
	};
	struct rcumap_hash *h = rcumap_hash_kunit_create(&p, GFP_KERNEL,
							 indirect);

	if (IS_ERR(h))
		abort();
	return h;
}

static void fill(struct rcumap_hash *h, const u64 *keys, u32 n, u32 vs)
{
	u8 *value = calloc(1, vs + 8);
	u32 i;

	for (i = 0; i < n; i++) {
		memcpy(value, &keys[i], 8);
		if (rcumap_hash_update(h, &keys[i], value, RCUMAP_NOEXIST,
				       GFP_KERNEL))
			abort();
	}
	free(value);
}

/* ns per lookup hit of @keys[@order[i % n]], reading the value's word. */
static double lookups(struct rcumap_hash *h, const u64 *keys,
		      const u32 *order, u32 n)
{
	double t0 = now_seconds();
	u64 sink = 0;
	u32 i;

	rcu_read_lock();
	for (i = 0; i < LOOKUPS; i++) {
		const u64 *v = rcumap_hash_lookup(h, &keys[order[i % n]]);

		sink += v ? *v : 1;
	}
	rcu_read_unlock();
	if (sink == 42)
		abort();
	return (now_seconds() - t0) * 1e9 / LOOKUPS;
}

static double replaces(struct rcumap_hash *h, const u64 *keys, u32 n,
		       u32 vs, u32 ops)
{
	u8 *value = calloc(1, vs + 8);
	double t0 = now_seconds();
	u32 i;

	for (i = 0; i < ops; i++) {
		value[0] = i;
		if (rcumap_hash_update(h, &keys[i % n], value, RCUMAP_EXIST,
				       GFP_KERNEL))
			abort();
	}
	free(value);
	return (now_seconds() - t0) * 1e9 / ops;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, u32 n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

enum { HIT_HOT, HIT_COLD, REPLACE, AT_BOUND, NR_MEASURES };

int main(int argc, char **argv)
{
	u32 rounds = argc > 1 ? atoi(argv[1]) : 5;
	u64 *keys = malloc(COLD_KEYS * sizeof(*keys));
	u32 *order = malloc(COLD_KEYS * sizeof(*order));
	u64 bound[RCUMAP_HASH_BUCKET_MAX], rng = 0x9e3779b97f4a7c15ULL, key;
	size_t e;

	native_init();
	for (e = 0; e < COLD_KEYS; e++) {
		keys[e] = mix64(e, 1);
		order[e] = e;
	}
	for (e = COLD_KEYS - 1; e > 0; e--) {
		u32 j = rnd_below(&rng, e + 1), t = order[e];

		order[e] = order[j];
		order[j] = t;
	}
	printf("8-byte keys; an inline entry of E bytes holds the key and an\n"
	       "(E - 8)-byte value.  ns per operation, median of %u rounds;\n"
	       "RCUMAP_HASH_INLINE_MAX is %u.\n\n", rounds,
	       RCUMAP_HASH_INLINE_MAX);
	printf("%5s %-8s %8s %8s %8s %8s %9s %8s\n", "E", "layout", "hit hot",
	       "hit cold", "B/entry", "replace", "at bound", "copied");
	for (e = 0; e < ARRAY_SIZE(entry_sizes); e++) {
		u32 vs = entry_sizes[e] - 8, ind, r, m, nb = 0;

		for (ind = 0; ind < 2; ind++) {
			struct rcumap_hash *hot = make(vs, HOT_KEYS, 0, ind);
			struct rcumap_hash *cold = make(vs, COLD_KEYS, 0, ind);
			struct rcumap_hash *worst = make(vs, 4096, 64, ind);
			double (*ns)[NR_MEASURES] = calloc(rounds, sizeof(*ns));
			double med[NR_MEASURES];
			size_t empty = rcumap_hash_bytes_used(cold), copied;

			fill(hot, keys, HOT_KEYS, vs);
			fill(cold, keys, COLD_KEYS, vs);
			/* A bucket at the bound: keys that fall in bucket 0. */
			for (key = 1, nb = 0; nb < RCUMAP_HASH_BUCKET_MAX; key++)
				if (!(bitrev32(rcumap_hash_key_pos(worst, &key)) & 63))
					bound[nb++] = key;
			fill(worst, bound, nb, vs);
			for (r = 0; r < rounds; r++) {
				ns[r][HIT_HOT] = lookups(hot, keys, order, HOT_KEYS);
				ns[r][HIT_COLD] = lookups(cold, keys, order,
							  COLD_KEYS);
				ns[r][REPLACE] = replaces(hot, keys, HOT_KEYS, vs,
							  200000);
				ns[r][AT_BOUND] = replaces(worst, bound, nb, vs,
							   50000);
				rcu_barrier();
			}
			for (m = 0; m < NR_MEASURES; m++) {
				double v[64];

				for (r = 0; r < rounds && r < 64; r++)
					v[r] = ns[r][m];
				med[m] = median(v, r);
			}
			/* Hash words and entries (or pointers), plus the element. */
			copied = RCUMAP_HASH_BUCKET_MAX *
				 (4 + (ind ? sizeof(void *) : entry_sizes[e])) +
				 (ind ? 8 + vs : 0);
			printf("%5u %-8s %8.1f %8.1f %8.1f %8.1f %9.1f %8zu\n",
			       entry_sizes[e], ind ? "indirect" : "inline",
			       med[HIT_HOT], med[HIT_COLD],
			       (double)(rcumap_hash_bytes_used(cold) - empty) /
			       COLD_KEYS, med[REPLACE], med[AT_BOUND], copied);
			fflush(stdout);
			rcumap_hash_destroy(hot);
			rcumap_hash_destroy(cold);
			rcumap_hash_destroy(worst);
			native_barrier();
			free(ns);
		}
	}
	free(keys);
	free(order);
	native_exit();
	return 0;
}
