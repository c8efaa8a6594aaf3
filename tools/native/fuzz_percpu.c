// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/hash_percpu.c: the input picks a table shape,
 * then is read as a sequence of operations on the per-CPU hash table, each
 * checked against a plain array holding, per key, the values of every
 * possible CPU in BPF's layout (each padded with zeroes to the stride).
 * Besides whole updates, one CPU's value is written in place through the
 * per-CPU area, as an in-kernel user does.  Allocation failures are part
 * of the input.
 *
 * Input: shape byte (key and value size), capacity byte (max_entries; its
 * top bit makes entries indirect), buckets byte, seed byte, then per
 * operation an opcode byte, a key byte and an argument byte.
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/rcumap_hash_percpu.h>
#include <linux/rcupdate.h>

/*
 * The destroy of a per-CPU table waits in its work for an rcu_barrier()
 * (its values' areas are freed by callbacks), some 10 ms with liburcu:
 * reclaim often, so that no one input waits for thousands of them.
 */
#define NATIVE_FUZZ_RECLAIM	64

#include "fuzz.h"

#define NR_IDS		32
#define MAX_VALUE	40
#define MAX_VALUES	(MAX_VALUE * 64)

static const u32 key_sizes[8] = { 1, 2, 4, 5, 8, 12, 16, 33 };
static const u32 value_sizes[8] = { 1, 2, 4, 8, 13, 16, 24, MAX_VALUE };
static const u32 bucket_counts[8] = { 0, 1, 2, 4, 8, 16, 64, 256 };

struct model {
	bool present[NR_IDS];
	u8 values[NR_IDS][MAX_VALUES];
	u32 count;
};

static u32 key_size, value_size, stride, values_size, max_entries;

/* Every CPU's value of @id from @arg, padding included (not zero). */
static void make_values(u8 *values, u32 id, u8 arg)
{
	u32 i;

	for (i = 0; i < values_size; i++)
		values[i] = (u8)(arg + i * 13 + id * 7) | 1;
}

/* What the table keeps of @values: the padding zeroed. */
static void keep_values(u8 *dst, const u8 *values)
{
	u32 off;

	memcpy(dst, values, values_size);
	for (off = 0; off < values_size; off += stride)
		memset(dst + off + value_size, 0, stride - value_size);
}

static int pcpu_get_next_key(const void *map, const void *key, void *next)
{
	return rcumap_percpu_hash_get_next_key(map, key, next);
}

static int pcpu_walk(const void *map, u64 *pos, void *key, void *values)
{
	return rcumap_percpu_hash_walk(map, pos, key, values);
}

static const struct fuzz_walks pcpu_walks = {
	.get_next_key = pcpu_get_next_key,
	.walk = pcpu_walk,
};

static void check_all(struct rcumap_percpu_hash *ph, const struct model *m)
{
	const struct fuzz_model fm = {
		.nr_ids = NR_IDS, .count = m->count, .key_size = key_size,
		.present = m->present, .values = &m->values[0][0],
		.stride = MAX_VALUES, .value_size = values_size,
	};
	u8 values[MAX_VALUES];

	CHECK(rcumap_percpu_hash_count(ph) == m->count);
	fuzz_check_walks(&pcpu_walks, ph, &fm, values);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	native_fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct model m;
	struct rcumap_hash_params p = { 0 };
	struct rcumap_percpu_hash *ph;
	size_t i;

	if (size < 4)
		return 0;
	key_size = key_sizes[data[0] & 7];
	value_size = value_sizes[(data[0] >> 3) & 7];
	stride = ALIGN(value_size, 8);
	max_entries = 1 + (data[1] & 63);
	p.key_size = key_size;
	p.value_size = value_size;
	p.max_entries = max_entries;
	p.nr_buckets = bucket_counts[data[2] & 7];
	/* Now and then, a bad flag. */
	p.flags = (data[2] & 0xf8) == 0xf8 ? 1U << 2 : 0;
	native_random_seed(data[3]);

	ph = rcumap_percpu_hash_create(&p, GFP_KERNEL);
	if (p.flags) {
		CHECK(IS_ERR(ph));
		return 0;
	}
	CHECK(!IS_ERR(ph));
	values_size = rcumap_percpu_hash_values_size(ph);
	CHECK(values_size == stride * num_possible_cpus());
	CHECK(values_size <= MAX_VALUES);
	memset(&m, 0, sizeof(m));

	for (i = 4; i + 3 <= size; i += 3) {
		u8 op = data[i], id = data[i + 1] % NR_IDS, arg = data[i + 2];
		u8 key[64], values[MAX_VALUES], got[MAX_VALUES];
		bool may_fail = false;
		int err, want;
		u32 mode;

		fuzz_make_key(key, key_size, id);
		if (op & 0x80) {
			native_fail_alloc_nth(1 + (arg & 3));
			may_fail = true;
		}
		switch (op % 8) {
		case 0: case 1: case 2: case 3:
			mode = op % 8 == 3 ? 3 + (arg & 7) : op % 8;
			make_values(values, id, arg);
			err = rcumap_percpu_hash_update(ph, key, values, mode,
							GFP_KERNEL);
			want = fuzz_update_want(mode, m.present[id],
						m.count == max_entries);
			if (err == -ENOMEM && may_fail &&
			    (want == 0 || want == -E2BIG))
				break;
			CHECK(err == want);
			if (!err) {
				m.count += !m.present[id];
				m.present[id] = true;
				keep_values(m.values[id], values);
			}
			break;
		case 4:
			err = rcumap_percpu_hash_delete(ph, key);
			CHECK(err == (m.present[id] ? 0 : -ENOENT));
			m.count -= m.present[id];
			m.present[id] = false;
			break;
		case 5:
			err = rcumap_percpu_hash_lookup_and_delete(ph, key, got);
			CHECK(err == (m.present[id] ? 0 : -ENOENT));
			CHECK(err || !memcmp(got, m.values[id], values_size));
			m.count -= m.present[id];
			m.present[id] = false;
			break;
		case 6: {
			/* One CPU's value written in place, then read back. */
			unsigned int cpu = arg % num_possible_cpus();
			void __percpu *pv;

			make_values(values, id, arg);
			rcu_read_lock();
			pv = rcumap_percpu_hash_lookup(ph, key);
			CHECK(!pv == !m.present[id]);
			if (pv) {
				memcpy(per_cpu_ptr(pv, cpu), values, value_size);
				memcpy(m.values[id] + cpu * stride, values,
				       value_size);
			}
			rcu_read_unlock();
			err = rcumap_percpu_hash_lookup_copy(ph, key, got);
			CHECK(err == (m.present[id] ? 0 : -ENOENT));
			CHECK(err || !memcmp(got, m.values[id], values_size));
			break;
		}
		default:
			if (arg & 0x40) {
				err = rcumap_percpu_hash_resize(ph,
								1U << (arg & 7));
				CHECK(!err || (err == -ENOMEM && may_fail));
			}
			check_all(ph, &m);
			break;
		}
		native_fail_alloc_nth(0);
	}
	check_all(ph, &m);
	rcumap_percpu_hash_destroy(ph);
	native_fuzz_reclaim();
	return 0;
}
