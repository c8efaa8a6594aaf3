// SPDX-License-Identifier: GPL-2.0
/*
 * worst - what the bucket bound leaves a caller who picks the worst
 * geometry and keys: the cost of a lookup (hit and miss), a replace and
 * an insert + delete in a bucket at the bound, beside the same operations
 * in a table at its default geometry (one bucket per entry of
 * max_entries), measured in the same run.  A report, not a test: it
 * prints nanoseconds per operation and the ratio worst / typical.
 *
 * The worst bucket is made the way a caller who can walk the table could
 * make it: keys are kept only if they fall in bucket 0 (which
 * rcumap_hash_key_pos() tells, as the walk order would), until the bucket
 * holds RCUMAP_HASH_BUCKET_MAX keys; the table has the fewest buckets its
 * max_entries allows.
 *
 * When the entries go out of line by their size (more than
 * RCUMAP_HASH_INLINE_MAX bytes), a third column measures the worst bucket
 * with them forced inline (rcumap_hash_kunit_create()), the layout every
 * table had before: an update there copies its 63 neighbours' values.
 *
 * Usage: worst [VALUE_SIZE (8)] [ROUNDS (7)]
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

#define MAX_ENTRIES	4096

enum op { OP_HIT, OP_MISS, OP_REPLACE, OP_CHURN, NR_OPS };

static const char *const op_names[NR_OPS] = {
	"lookup hit", "lookup miss", "replace", "insert+delete",
};

struct geometry {
	struct rcumap_hash *h;
	u64 present[RCUMAP_HASH_BUCKET_MAX];	/* keys in the table */
	u64 absent[RCUMAP_HASH_BUCKET_MAX];	/* keys not in it, same bucket */
	u32 nr;
};

/* Is @key in bucket 0 of @h's table of @nr_buckets buckets? */
static bool in_bucket0(const struct rcumap_hash *h, u64 key, u32 nr_buckets)
{
	return !(bitrev32(rcumap_hash_key_pos(h, &key)) & (nr_buckets - 1));
}

/* Geometries: the default one, the worst one, the worst one inline. */
enum { TYPICAL, WORST, WORST_INLINE, NR_GEOMETRIES };

static void setup(struct geometry *g, int geometry, u32 value_size)
{
	bool worst = geometry != TYPICAL;
	struct rcumap_hash_params p = {
		.key_size = sizeof(u64),
		.value_size = value_size,
		.max_entries = MAX_ENTRIES,
		.nr_buckets = worst ? rcumap_hash_buckets_for(MAX_ENTRIES) : 0,
	};
	u32 buckets, np = 0, na = 0;
	u8 *value = calloc(1, value_size + 1);
	u64 key;

	g->h = geometry == WORST_INLINE ?
	       rcumap_hash_kunit_create(&p, GFP_KERNEL, false) :
	       rcumap_hash_create(&p, GFP_KERNEL);
	if (IS_ERR(g->h) || !value)
		abort();
	buckets = rcumap_hash_nr_buckets(g->h);
	for (key = 1; np < RCUMAP_HASH_BUCKET_MAX || na < RCUMAP_HASH_BUCKET_MAX;
	     key++) {
		if (worst && !in_bucket0(g->h, key, buckets))
			continue;
		if (np < RCUMAP_HASH_BUCKET_MAX) {
			g->present[np++] = key;
			if (rcumap_hash_update(g->h, &key, value, RCUMAP_NOEXIST,
					       GFP_KERNEL))
				abort();
		} else {
			g->absent[na++] = key;
		}
	}
	/* In the typical table, the rest of max_entries / 2 at random. */
	for (key = 1ULL << 40; !worst && rcumap_hash_count(g->h) < MAX_ENTRIES / 2;
	     key++)
		if (rcumap_hash_update(g->h, &key, value, RCUMAP_NOEXIST,
				       GFP_KERNEL))
			abort();
	g->nr = np;
	free(value);
}

static double run(struct geometry *g, enum op op, u32 value_size)
{
	/* Large values make every write copy kilobytes: fewer of them. */
	const u32 ops = value_size > 64 ? 4000 : 200000;
	u8 *value = calloc(1, value_size + 1), *out = calloc(1, value_size + 1);
	double t0 = now_seconds();
	u64 sink = 0;
	u32 i;

	for (i = 0; i < ops; i++) {
		u32 k = i % g->nr;

		switch (op) {
		case OP_HIT:
			sink += !rcumap_hash_lookup_copy(g->h, &g->present[k], out);
			break;
		case OP_MISS:
			sink += !rcumap_hash_lookup_copy(g->h, &g->absent[k], out);
			break;
		case OP_REPLACE:
			value[0] = i;
			sink += !rcumap_hash_update(g->h, &g->present[k], value,
						    RCUMAP_EXIST, GFP_KERNEL);
			break;
		case OP_CHURN:
			/* Delete one key of the bucket and put it back. */
			sink += !rcumap_hash_delete(g->h, &g->present[k]);
			sink += !rcumap_hash_update(g->h, &g->present[k], value,
						    RCUMAP_NOEXIST, GFP_KERNEL);
			break;
		default:
			break;
		}
	}
	free(value);
	free(out);
	if (sink == 1)
		abort();	/* keep the loop */
	return (now_seconds() - t0) * 1e9 / ops;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	u32 value_size = argc > 1 ? atoi(argv[1]) : 8;
	u32 rounds = argc > 2 ? atoi(argv[2]) : 7, r, o, w, nr_w;
	struct geometry g[NR_GEOMETRIES];
	double (*ns)[NR_OPS][NR_GEOMETRIES] = calloc(rounds, sizeof(*ns));

	native_init();
	setup(&g[TYPICAL], TYPICAL, value_size);
	setup(&g[WORST], WORST, value_size);
	/* The inline column only where the layout differs. */
	nr_w = rcumap_hash_kunit_indirect(g[WORST].h) ? NR_GEOMETRIES : WORST + 1;
	if (nr_w == NR_GEOMETRIES)
		setup(&g[WORST_INLINE], WORST_INLINE, value_size);
	/* Rounds alternate the geometries; the median is reported. */
	for (r = 0; r < rounds; r++)
		for (o = 0; o < NR_OPS; o++)
			for (w = 0; w < nr_w; w++)
				ns[r][o][w] = run(&g[w], o, value_size);
	printf("8-byte keys, %u-byte values (%s), max_entries %u: typical =\n"
	       "default buckets (%u), half full; worst = %u buckets, one of them\n"
	       "holding %u keys (the bound).  ns per operation, median of %u rounds.\n\n",
	       value_size, nr_w == NR_GEOMETRIES ? "out of line" : "inline",
	       MAX_ENTRIES, rcumap_hash_nr_buckets(g[TYPICAL].h),
	       rcumap_hash_nr_buckets(g[WORST].h), RCUMAP_HASH_BUCKET_MAX, rounds);
	printf("%-14s %10s %10s %8s", "operation", "typical", "worst", "ratio");
	if (nr_w == NR_GEOMETRIES)
		printf(" %13s %8s", "worst, inline", "ratio");
	printf("\n");
	for (o = 0; o < NR_OPS; o++) {
		double med[NR_GEOMETRIES];

		for (w = 0; w < nr_w; w++) {
			double v[64];

			for (r = 0; r < rounds && r < 64; r++)
				v[r] = ns[r][o][w];
			qsort(v, r, sizeof(v[0]), cmp_double);
			med[w] = v[r / 2];
		}
		printf("%-14s %10.1f %10.1f %7.1fx", op_names[o], med[TYPICAL],
		       med[WORST], med[WORST] / med[TYPICAL]);
		if (nr_w == NR_GEOMETRIES)
			printf(" %13.1f %7.1fx", med[WORST_INLINE],
			       med[WORST_INLINE] / med[TYPICAL]);
		printf("\n");
	}
	for (w = 0; w < nr_w; w++)
		rcumap_hash_destroy(g[w].h);
	native_barrier();
	free(ns);
	native_exit();
	return 0;
}
