// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the rcumap per-CPU hash table, through its public API
 * (include/linux/rcumap_hash_percpu.h) only.
 *
 * Suites:
 *  rcumap_percpu_hash       - modes and errnos, the all-CPUs layout, values
 *                             of different CPUs independent, areas kept for
 *                             readers and freed after them, walks.
 *  rcumap_percpu_hash_fault - allocation failures injected with fail-nth
 *                             leave the table unchanged.
 *  rcumap_percpu_hash_stress - readers hold areas while writers replace and
 *                             delete them: no area changes under a reader.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/rcumap_hash_percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "fail_nth.h"
#include "stress.h"

static unsigned int percpu_stress_ms = 2000;
module_param(percpu_stress_ms, uint, 0444);
MODULE_PARM_DESC(percpu_stress_ms, "Run time of the rcumap_percpu_hash_stress case in ms (default 2000)");

/* Most tests: u32 keys, 12-byte values (so 4 bytes of padding per CPU). */
#define PCPU_VALUE_SIZE	12
#define PCPU_STRIDE	16

static struct rcumap_percpu_hash *new_pcpu(struct kunit *test, u32 key_size,
					   u32 value_size, u32 max_entries,
					   u32 nr_buckets)
{
	struct rcumap_hash_params p = {
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.nr_buckets = nr_buckets,
	};
	struct rcumap_percpu_hash *ph = rcumap_percpu_hash_create(&p, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ph);
	return ph;
}

/*
 * Per-CPU areas alive once every pending free has run.  kmemleak never
 * reports a per-CPU object, so leaks are caught by this count instead.
 */
static long settled_areas(void)
{
	rcumap_hash_barrier();
	return rcumap_percpu_hash_nr_areas();
}

static void *new_values(struct kunit *test, struct rcumap_percpu_hash *ph)
{
	void *v = kunit_kzalloc(test, rcumap_percpu_hash_values_size(ph),
				GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	return v;
}

/* The byte pattern of CPU slot @idx of key @key, version @ver. */
static u8 pattern(u32 key, u32 idx, u32 ver, u32 byte)
{
	return (u8)(key * 31 + idx * 7 + ver * 13 + byte + 1);
}

/*
 * Fill @values with @key's pattern for every CPU slot; the padding gets
 * 0xff, which the table must not store.
 */
static void fill_values(u8 *values, u32 key, u32 ver)
{
	u32 idx, b;

	for (idx = 0; idx < num_possible_cpus(); idx++)
		for (b = 0; b < PCPU_STRIDE; b++)
			values[idx * PCPU_STRIDE + b] =
				b < PCPU_VALUE_SIZE ? pattern(key, idx, ver, b) :
						      0xff;
}

/* True if @values is what fill_values() wrote, with zeroed padding. */
static bool values_match(const u8 *values, u32 key, u32 ver)
{
	u32 idx, b;

	for (idx = 0; idx < num_possible_cpus(); idx++)
		for (b = 0; b < PCPU_STRIDE; b++)
			if (values[idx * PCPU_STRIDE + b] !=
			    (b < PCPU_VALUE_SIZE ? pattern(key, idx, ver, b) : 0))
				return false;
	return true;
}

static int pcpu_update(struct rcumap_percpu_hash *ph, u32 key, u32 ver,
		       u8 *values, u32 mode)
{
	fill_values(values, key, ver);
	return rcumap_percpu_hash_update(ph, &key, values, mode, GFP_KERNEL);
}

struct bad_pcpu_case {
	const char *name;
	struct rcumap_hash_params p;
	int err;
};

static void dummy_free(void *priv, const void *key, void *value)
{
}

static const struct bad_pcpu_case bad_pcpu_cases[] = {
	{ "value size 0", { .key_size = 4, .value_size = 0, .max_entries = 8 },
	  -EINVAL },
	/* BPF's limit: the value rounded up to 8 at most 32 KiB, -E2BIG. */
	{ "value size too big", { .key_size = 4,
	  .value_size = RCUMAP_PERCPU_HASH_MAX_VALUE_SIZE + 1, .max_entries = 8 },
	  -E2BIG },
	{ "value size U32_MAX", { .key_size = 4, .value_size = U32_MAX,
	  .max_entries = 8 }, -E2BIG },
	{ "key size too big", { .key_size = RCUMAP_PERCPU_HASH_MAX_KEY_SIZE + 1,
	  .value_size = 8, .max_entries = 8 }, -E2BIG },
	{ "free callback given", { .key_size = 4, .value_size = 8,
	  .max_entries = 8, .free_value = dummy_free }, -EINVAL },
	{ "key size 0", { .key_size = 0, .value_size = 8, .max_entries = 8 },
	  -EINVAL },
	{ "max_entries 0", { .key_size = 4, .value_size = 8, .max_entries = 0 },
	  -EINVAL },
	{ "unknown flag", { .key_size = 4, .value_size = 8, .max_entries = 8,
	  .flags = 1U << 31 }, -EINVAL },
};

static void bad_pcpu_desc(const struct bad_pcpu_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_pcpu, bad_pcpu_cases, bad_pcpu_desc);

static void percpu_create_rejects_bad_params(struct kunit *test)
{
	const struct bad_pcpu_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, PTR_ERR(rcumap_percpu_hash_create(&c->p,
								GFP_KERNEL)),
			c->err);
}

/* The largest sizes are taken, and work: a 32 KiB value on every CPU. */
static void percpu_largest_sizes(struct kunit *test)
{
	static const struct { u32 ks, vs; } c[] = {
		{ 4, RCUMAP_PERCPU_HASH_MAX_VALUE_SIZE },
		{ 4, RCUMAP_PERCPU_HASH_MAX_VALUE_SIZE - 7 },
		{ RCUMAP_PERCPU_HASH_MAX_KEY_SIZE, 1 },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct rcumap_percpu_hash *ph = new_pcpu(test, c[i].ks, c[i].vs,
							 2, 0);
		size_t size = rcumap_percpu_hash_values_size(ph);
		u8 *key = kvzalloc(c[i].ks, GFP_KERNEL);
		u8 *v = kvmalloc(size, GFP_KERNEL), *out = kvzalloc(size, GFP_KERNEL);

		KUNIT_EXPECT_EQ(test, size, (size_t)num_possible_cpus() *
				round_up(c[i].vs, 8));
		if (key && v && out) {
			memset(v, 0x3c, size);
			KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_update(ph, key, v,
									RCUMAP_NOEXIST,
									GFP_KERNEL), 0);
			KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_and_delete(ph, key,
										   out), 0);
			/* Padding comes back zeroed. */
			KUNIT_EXPECT_EQ(test, out[c[i].vs - 1], 0x3c);
			KUNIT_EXPECT_EQ(test, out[size - 1],
					c[i].vs % 8 ? 0 : 0x3c);
		} else {
			KUNIT_FAIL(test, "no memory for the buffers");
		}
		kvfree(key);
		kvfree(v);
		kvfree(out);
		rcumap_percpu_hash_destroy(ph);
	}
}

/*
 * Keys long enough that the inner table keeps them out of line (with the
 * area pointer, more than RCUMAP_HASH_INLINE_MAX bytes): its free callback
 * then sees the key and the pointer in the element it is about to free.
 * Inserts, replaces, deletes, lookup_and_delete, walks and a resize: every
 * area is freed once its key has left, the rest at destroy, none twice
 * (the count of areas settles where it started; kmemleak sees no element
 * left behind).
 */
#define BIG_PKEY	256

static void make_pkey(u8 *key, u32 id)
{
	memset(key, 0x5a, BIG_PKEY);
	memcpy(key, &id, sizeof(id));
}

/* Key @id, long, at version @ver on every CPU, with @mode; @key is scratch. */
static int pkey_update(struct rcumap_percpu_hash *ph, u8 *key, u32 id,
		       u32 ver, u8 *v, u32 mode)
{
	make_pkey(key, id);
	fill_values(v, id, ver);
	return rcumap_percpu_hash_update(ph, key, v, mode, GFP_KERNEL);
}

static void percpu_indirect_keys_free_every_area(struct kunit *test)
{
	long base = settled_areas();
	struct rcumap_percpu_hash *ph = new_pcpu(test, BIG_PKEY, PCPU_VALUE_SIZE,
						 64, 2);
	u8 *v = new_values(test, ph);
	u8 *key = kunit_kzalloc(test, BIG_PKEY, GFP_KERNEL);
	u8 *next = kunit_kzalloc(test, BIG_PKEY, GFP_KERNEL);
	const struct rcumap_hash *inner = rcumap_percpu_hash_table(ph);
	u32 id, n = 0;
	bool started = false;

	KUNIT_ASSERT_NOT_NULL(test, key);
	KUNIT_ASSERT_NOT_NULL(test, next);
	KUNIT_EXPECT_TRUE(test, rcumap_hash_kunit_indirect(inner));
	for (id = 0; id < 32; id++)
		KUNIT_ASSERT_EQ(test, pkey_update(ph, key, id, 1, v,
						  RCUMAP_NOEXIST), 0);
	/* 16 replaced, 8 deleted, 4 taken with their values. */
	for (id = 0; id < 16; id++)
		KUNIT_ASSERT_EQ(test, pkey_update(ph, key, id, 2, v,
						  RCUMAP_EXIST), 0);
	for (id = 16; id < 24; id++) {
		make_pkey(key, id);
		KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_delete(ph, key), 0);
	}
	for (id = 24; id < 28; id++) {
		make_pkey(key, id);
		KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_and_delete(ph, key,
									   v), 0);
		KUNIT_EXPECT_TRUE(test, values_match(v, id, 1));
	}
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_resize(ph, 16), 0);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_resize(ph, 2), 0);
	while (!rcumap_percpu_hash_walk_after(ph, started ? next : NULL, next,
					      v)) {
		started = true;
		memcpy(&id, next, sizeof(id));
		make_pkey(key, id);
		KUNIT_EXPECT_EQ(test, memcmp(key, next, BIG_PKEY), 0);
		KUNIT_EXPECT_TRUE(test, id < 16 || (id >= 28 && id < 32));
		KUNIT_EXPECT_TRUE(test, values_match(v, id, id < 16 ? 2 : 1));
		KUNIT_ASSERT_LE(test, ++n, 20U);
	}
	KUNIT_EXPECT_EQ(test, n, 20U);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_areas() - base, 20L);
	rcumap_percpu_hash_destroy(ph);
	KUNIT_EXPECT_EQ(test, settled_areas(), base);
}

static void percpu_update_modes(struct kunit *test)
{
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, PCPU_VALUE_SIZE, 4, 0);
	u8 *v = new_values(test, ph);
	u32 key = 7;

	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_values_size(ph),
			(size_t)num_possible_cpus() * PCPU_STRIDE);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_value_size(ph),
			(u32)PCPU_VALUE_SIZE);
	KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 1, v, RCUMAP_EXIST), -ENOENT);
	KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 1, v, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 1, v, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 2, v, RCUMAP_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v), 0);
	KUNIT_EXPECT_TRUE(test, values_match(v, key, 1));
	KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 3, v, RCUMAP_EXIST), 0);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v), 0);
	KUNIT_EXPECT_TRUE(test, values_match(v, key, 3));
	KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 4, v, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v), 0);
	KUNIT_EXPECT_TRUE(test, values_match(v, key, 4));
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 1U);

	/* Full: a new key fails, a present one can still be replaced. */
	for (key = 100; key < 103; key++)
		KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 0, v, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 0, v, RCUMAP_ANY), -E2BIG);
	key = 7;
	KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 5, v, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 4U);

	/* NULL values: every CPU's value zeroed. */
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_update(ph, &key, NULL,
							RCUMAP_EXIST,
							GFP_KERNEL), 0);
	memset(v, 0xaa, rcumap_percpu_hash_values_size(ph));
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(v, 0,
					   rcumap_percpu_hash_values_size(ph)));
	rcumap_percpu_hash_destroy(ph);
}

/* Updates from atomic context allocate the area without sleeping. */
static void percpu_update_in_atomic_context(struct kunit *test)
{
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, PCPU_VALUE_SIZE, 64, 0);
	u8 *v = new_values(test, ph);
	u32 key, inserted = 0;

	for (key = 0; key < 32; key++) {
		fill_values(v, key, 1);
		local_bh_disable();
		inserted += !rcumap_percpu_hash_update(ph, &key, v, RCUMAP_ANY,
						       GFP_ATOMIC);
		local_bh_enable();
	}
	KUNIT_EXPECT_EQ(test, inserted, 32U);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 32U);
	for (key = 0; key < 32; key++) {
		KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v), 0);
		KUNIT_EXPECT_TRUE(test, values_match(v, key, 1));
	}
	rcumap_percpu_hash_destroy(ph);
}

static void percpu_delete_and_lookup_and_delete(struct kunit *test)
{
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, PCPU_VALUE_SIZE, 16, 2);
	u8 *v = new_values(test, ph);
	u32 key;

	for (key = 0; key < 8; key++)
		KUNIT_ASSERT_EQ(test, pcpu_update(ph, key, 1, v, RCUMAP_NOEXIST), 0);
	key = 3;
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_delete(ph, &key), 0);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_delete(ph, &key), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v), -ENOENT);
	key = 5;
	memset(v, 0, rcumap_percpu_hash_values_size(ph));
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_and_delete(ph, &key, v), 0);
	KUNIT_EXPECT_TRUE(test, values_match(v, key, 1));
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_and_delete(ph, &key, v),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 6U);
	for (key = 0; key < 8; key++) {
		int err = rcumap_percpu_hash_lookup_copy(ph, &key, v);

		KUNIT_EXPECT_EQ(test, err, key == 3 || key == 5 ? -ENOENT : 0);
		if (!err)
			KUNIT_EXPECT_TRUE(test, values_match(v, key, 1));
	}
	rcumap_percpu_hash_destroy(ph);
}

/* ---- Values of different CPUs are independent ------------------------ */

#define PCPU_ADDS	20000

struct adder {
	struct rcumap_percpu_hash *ph;
	struct completion *go;
	struct task_struct *task;
	u32 cpu;
	u32 wrong_cpu;
	u32 missing;
};

/*
 * Bound to one CPU: add cpu + 1 to this CPU's counter PCPU_ADDS times, each
 * time looking the area up afresh, all CPUs at once.  No add may be lost,
 * and none may land on another CPU's counter.
 */
static int adder_fn(void *arg)
{
	struct adder *a = arg;
	u32 key = 1, i;

	wait_for_completion(a->go);
	for (i = 0; i < PCPU_ADDS; i++) {
		u64 __percpu *cnt;

		rcu_read_lock();
		cnt = rcumap_percpu_hash_lookup(a->ph, &key);
		if (cnt) {
			this_cpu_add(*cnt, a->cpu + 1);
			a->wrong_cpu += raw_smp_processor_id() != a->cpu;
		} else {
			a->missing++;
		}
		rcu_read_unlock();
		if (!(i % 1024))
			cond_resched();
	}
	/* Parked so that the test can read the counts and stop us. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void percpu_values_independent_per_cpu(struct kunit *test)
{
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, sizeof(u64), 4, 0);
	struct adder *a = kunit_kcalloc(test, nr_cpu_ids, sizeof(*a), GFP_KERNEL);
	u64 *v = new_values(test, ph);
	DECLARE_COMPLETION_ONSTACK(go);
	u32 key = 1, idx = 0, started = 0;
	unsigned long deadline;
	u64 __percpu *cnt;
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, rcumap_percpu_hash_update(ph, &key, NULL,
							RCUMAP_NOEXIST,
							GFP_KERNEL), 0);
	for_each_online_cpu(cpu) {
		a[cpu].ph = ph;
		a[cpu].go = &go;
		a[cpu].cpu = cpu;
		a[cpu].task = kthread_create_on_cpu(adder_fn, &a[cpu], cpu,
						    "rcumap_pcpu/%u");
		if (IS_ERR(a[cpu].task)) {
			a[cpu].task = NULL;
			continue;
		}
		wake_up_process(a[cpu].task);
		started++;
	}
	complete_all(&go);
	/* Each adder parks when done: poll until every add is counted. */
	for (deadline = jiffies + 60 * HZ; time_before(jiffies, deadline);) {
		u64 sum = 0, want = 0;

		KUNIT_ASSERT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v), 0);
		for_each_online_cpu(cpu)
			if (a[cpu].task)
				want += (u64)(cpu + 1) * PCPU_ADDS;
		idx = 0;
		for_each_possible_cpu(cpu)
			sum += v[idx++];
		if (sum >= want)
			break;
		schedule_timeout_interruptible(HZ / 50);
	}
	for_each_online_cpu(cpu)
		if (a[cpu].task)
			kthread_stop(a[cpu].task);
	KUNIT_EXPECT_EQ(test, started, num_online_cpus());

	/* Slot idx of the copy is the idx-th possible CPU. */
	idx = 0;
	for_each_possible_cpu(cpu) {
		u64 want = cpu_online(cpu) && a[cpu].task ?
			   (u64)(cpu + 1) * PCPU_ADDS : 0;

		KUNIT_EXPECT_EQ_MSG(test, v[idx], want, "CPU %d", cpu);
		idx++;
		if (cpu_online(cpu)) {
			KUNIT_EXPECT_EQ(test, a[cpu].wrong_cpu, 0U);
			KUNIT_EXPECT_EQ(test, a[cpu].missing, 0U);
		}
	}

	/* The per-CPU pointer shows the same values. */
	rcu_read_lock();
	cnt = rcumap_percpu_hash_lookup(ph, &key);
	KUNIT_EXPECT_NOT_NULL(test, (void __force *)cnt);
	idx = 0;
	for_each_possible_cpu(cpu) {
		if (cnt)
			KUNIT_EXPECT_EQ(test, *per_cpu_ptr(cnt, cpu), v[idx]);
		idx++;
	}
	rcu_read_unlock();
	rcumap_percpu_hash_destroy(ph);
}

/*
 * A reader that holds an area keeps reading its values, unchanged, while
 * the key is replaced and then deleted; the table meanwhile shows the new
 * state.
 */
static void percpu_reader_keeps_old_area(struct kunit *test)
{
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, PCPU_VALUE_SIZE, 8, 1);
	u8 *v = new_values(test, ph), *seen = new_values(test, ph);
	u32 key = 9, idx;
	void __percpu *old, *cur;
	int cpu;

	KUNIT_ASSERT_EQ(test, pcpu_update(ph, key, 1, v, RCUMAP_ANY), 0);
	rcu_read_lock();
	old = rcumap_percpu_hash_lookup(ph, &key);
	KUNIT_ASSERT_NOT_NULL(test, (void __force *)old);
	fill_values(v, key, 2);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_update(ph, &key, v, RCUMAP_EXIST,
							GFP_ATOMIC), 0);
	cur = rcumap_percpu_hash_lookup(ph, &key);
	KUNIT_EXPECT_PTR_NE(test, (void __force *)cur, (void __force *)old);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_delete(ph, &key), 0);
	KUNIT_EXPECT_NULL(test, (void __force *)rcumap_percpu_hash_lookup(ph, &key));
	idx = 0;
	for_each_possible_cpu(cpu) {
		memcpy(seen + idx * PCPU_STRIDE, per_cpu_ptr(old, cpu),
		       PCPU_VALUE_SIZE);
		memset(seen + idx * PCPU_STRIDE + PCPU_VALUE_SIZE, 0,
		       PCPU_STRIDE - PCPU_VALUE_SIZE);
		idx++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, values_match(seen, key, 1));
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 0U);
	rcumap_percpu_hash_destroy(ph);
}

/*
 * Thousands of replaces, deletes and lookup_and_deletes, then a destroy of
 * a non-empty table: every area that left the table is freed after its
 * grace period (rcu_barrier() waits for the retired buckets' callbacks),
 * and after the destroy's (rcumap_hash_barrier()) no area is left.  The
 * count of live areas stands in for kmemleak, which never reports per-CPU
 * objects.
 */
static void percpu_replace_and_delete_free_every_area(struct kunit *test)
{
	long base = settled_areas();
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, PCPU_VALUE_SIZE, 64, 8);
	u8 *v = new_values(test, ph);
	u32 ver[64] = {}, i, key;

	for (i = 0; i < 4000; i++) {
		key = (i * 7) % 64;
		switch (i % 4) {
		case 0:
		case 1:
			KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, i, v,
							  RCUMAP_ANY), 0);
			ver[key] = i;
			break;
		case 2:
			rcumap_percpu_hash_delete(ph, &key);
			break;
		default:
			if (!rcumap_percpu_hash_lookup_and_delete(ph, &key, v))
				KUNIT_EXPECT_TRUE(test, values_match(v, key,
								     ver[key]));
			break;
		}
		if (!(i % 256))
			cond_resched();
	}
	for (key = 0; key < 64; key++)
		KUNIT_EXPECT_EQ(test, pcpu_update(ph, key, 0, v, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 64U);
	KUNIT_EXPECT_GE(test, rcumap_percpu_hash_bytes_used(ph),
			64 * rcumap_percpu_hash_values_size(ph));
	/* Every replaced and deleted area freed after its grace period. */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_areas() - base, 64L);
	rcumap_percpu_hash_destroy(ph);
	KUNIT_EXPECT_EQ(test, settled_areas(), base);
}

/* Every walk returns every key once, with every CPU's values. */
static void percpu_walks_return_every_key_once(struct kunit *test)
{
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, PCPU_VALUE_SIZE, 64, 4);
	u8 *v = new_values(test, ph);
	u8 *seen = kunit_kzalloc(test, 64, GFP_KERNEL);
	u32 key, n, *prev;
	u64 pos = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (key = 0; key < 40; key++)
		KUNIT_ASSERT_EQ(test, pcpu_update(ph, key, 3, v, RCUMAP_ANY), 0);

	n = 0;
	while (!rcumap_percpu_hash_walk(ph, &pos, &key, v)) {
		KUNIT_ASSERT_LT(test, key, 40U);
		KUNIT_EXPECT_TRUE(test, values_match(v, key, 3));
		seen[key]++;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 40U);

	n = 0;
	prev = NULL;
	while (!rcumap_percpu_hash_walk_after(ph, prev, &key, v)) {
		KUNIT_ASSERT_LT(test, key, 40U);
		KUNIT_EXPECT_TRUE(test, values_match(v, key, 3));
		seen[key]++;
		n++;
		prev = &key;
	}
	KUNIT_EXPECT_EQ(test, n, 40U);

	n = 0;
	for (err = rcumap_percpu_hash_get_next_key(ph, NULL, &key); !err;
	     err = rcumap_percpu_hash_get_next_key(ph, &key, &key)) {
		KUNIT_ASSERT_LT(test, key, 40U);
		seen[key]++;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 40U);

	n = 0;
	for (err = rcumap_percpu_hash_walk_after(ph, NULL, &key, NULL); !err;
	     err = rcumap_percpu_hash_walk_after(ph, &key, &key, NULL)) {
		KUNIT_ASSERT_LT(test, key, 40U);
		seen[key]++;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 40U);
	for (key = 0; key < 40; key++)
		KUNIT_EXPECT_EQ_MSG(test, seen[key], 4, "key %u", key);
	rcumap_percpu_hash_destroy(ph);
}

/*
 * Resizes, explicit and automatic, move buckets only: every key keeps its
 * area (the same pointer) and every CPU's value, and no area is freed.
 */
static void percpu_resize_keeps_every_area(struct kunit *test)
{
	struct rcumap_hash_params p = {
		.key_size = 4,
		.value_size = PCPU_VALUE_SIZE,
		.max_entries = 512,
		.flags = RCUMAP_HASH_F_RESIZE | RCUMAP_HASH_F_SHRINK,
	};
	long base = settled_areas();
	struct rcumap_percpu_hash *ph = rcumap_percpu_hash_create(&p, GFP_KERNEL);
	void __percpu **area;
	u8 *v;
	u32 key, step;
	/* 16 buckets hold 400 keys within the bound; fewer may not. */
	static const u32 sizes[] = { 16, 512, 32, 64 };

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ph);
	v = new_values(test, ph);
	area = kunit_kcalloc(test, 400, sizeof(*area), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, area);
	/* 400 keys in a table that starts with 64 buckets: it grows itself. */
	for (key = 0; key < 400; key++)
		KUNIT_ASSERT_EQ(test, pcpu_update(ph, key, 1, v, RCUMAP_NOEXIST), 0);
	/*
	 * Let the worker finish growing.  Only inserts and deletes queue it,
	 * so from here on the explicit resizes below are the only ones, and
	 * a 16-bucket table holding 400 keys stays at 16 buckets until checked.
	 */
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_buckets(ph), 256U);
	rcu_read_lock();
	for (key = 0; key < 400; key++)
		area[key] = rcumap_percpu_hash_lookup(ph, &key);
	rcu_read_unlock();
	for (step = 0; step <= ARRAY_SIZE(sizes); step++) {
		if (step) {
			u32 buckets = sizes[step - 1];

			KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_resize(ph, buckets), 0);
			KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_buckets(ph),
					buckets);
		}
		KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 400U);
		for (key = 0; key < 400; key++) {
			void __percpu *now;
			int err = rcumap_percpu_hash_lookup_copy(ph, &key, v);

			KUNIT_EXPECT_EQ(test, err, 0);
			KUNIT_EXPECT_TRUE(test, values_match(v, key, 1));
			rcu_read_lock();
			now = rcumap_percpu_hash_lookup(ph, &key);
			rcu_read_unlock();
			KUNIT_EXPECT_PTR_EQ(test, (void __force *)now,
					    (void __force *)area[key]);
		}
	}
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_resize(ph, 0), -EINVAL);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_areas() - base, 400L);
	rcumap_percpu_hash_destroy(ph);
	KUNIT_EXPECT_EQ(test, settled_areas(), base);
}

static void percpu_accessors(struct kunit *test)
{
	struct rcumap_percpu_hash *ph = new_pcpu(test, 8, 4, 100, 16);

	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_key_size(ph), 8U);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_value_size(ph), 4U);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_values_size(ph),
			(size_t)num_possible_cpus() * 8);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_max_entries(ph), 100U);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_buckets(ph), 16U);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 0U);
	rcumap_percpu_hash_destroy(ph);
}

static struct kunit_case rcumap_percpu_hash_cases[] = {
	KUNIT_CASE_PARAM(percpu_create_rejects_bad_params, bad_pcpu_gen_params),
	KUNIT_CASE(percpu_update_modes),
	KUNIT_CASE(percpu_update_in_atomic_context),
	KUNIT_CASE(percpu_delete_and_lookup_and_delete),
	KUNIT_CASE(percpu_values_independent_per_cpu),
	KUNIT_CASE(percpu_reader_keeps_old_area),
	KUNIT_CASE(percpu_replace_and_delete_free_every_area),
	KUNIT_CASE(percpu_walks_return_every_key_once),
	KUNIT_CASE(percpu_resize_keeps_every_area),
	KUNIT_CASE(percpu_accessors),
	KUNIT_CASE(percpu_largest_sizes),
	KUNIT_CASE(percpu_indirect_keys_free_every_area),
	{}
};

static struct kunit_suite rcumap_percpu_hash_suite = {
	.name = "rcumap_percpu_hash",
	.test_cases = rcumap_percpu_hash_cases,
};

/* ---- Allocation failures ------------------------------------------- */

/*
 * The per-CPU allocator has no fault-injection point of its own in 6.1:
 * what fails is the slab or page allocations of the update (the inner
 * table's new bucket, and the per-CPU allocator's own metadata or pages
 * when it needs a new chunk).
 */
#define PCPU_FAULT_KEYS	12

/* Keys 0..PCPU_FAULT_KEYS-1 at version 1, nothing else. */
static void expect_unchanged(struct kunit *test, struct rcumap_percpu_hash *ph,
			     u8 *v, u32 nth)
{
	u32 key;

	KUNIT_EXPECT_EQ_MSG(test, rcumap_percpu_hash_count(ph),
			    (u32)PCPU_FAULT_KEYS, "nth=%u", nth);
	for (key = 0; key <= PCPU_FAULT_KEYS; key++) {
		int err = rcumap_percpu_hash_lookup_copy(ph, &key, v);

		KUNIT_EXPECT_EQ_MSG(test, err,
				    key < PCPU_FAULT_KEYS ? 0 : -ENOENT,
				    "key %u, nth=%u", key, nth);
		if (!err)
			KUNIT_EXPECT_TRUE_MSG(test, values_match(v, key, 1),
					      "key %u, nth=%u", key, nth);
	}
}

/*
 * Sweep fail-nth over an insert or a replace (nth = 1, 2, ... until the
 * update no longer reaches an injected failure).  A failed update must
 * leave every key and every CPU's value as they were, and must not leak
 * the area it allocated (kmemleak); a successful one is undone.
 */
static void pcpu_fault_sweep(struct kunit *test, bool insert)
{
	long base = settled_areas();
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, PCPU_VALUE_SIZE, 64, 2);
	u8 *v = new_values(test, ph);
	u32 key, nth, failures = 0;
	int err;

	for (key = 0; key < PCPU_FAULT_KEYS; key++)
		KUNIT_ASSERT_EQ(test, pcpu_update(ph, key, 1, v, RCUMAP_NOEXIST), 0);
	key = insert ? PCPU_FAULT_KEYS : PCPU_FAULT_KEYS / 2;
	for (nth = 1; nth < 1000; nth++) {
		fill_values(v, key, 2);
		fail_nth_arm(nth);
		err = rcumap_percpu_hash_update(ph, &key, v, insert ?
						RCUMAP_NOEXIST : RCUMAP_EXIST,
						GFP_KERNEL);
		if (!fail_nth_fired()) {
			KUNIT_EXPECT_EQ(test, err, 0);
			break;
		}
		if (err) {
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			failures++;
		} else if (insert) {
			KUNIT_ASSERT_EQ(test, rcumap_percpu_hash_delete(ph, &key), 0);
		} else {
			KUNIT_ASSERT_EQ(test, pcpu_update(ph, key, 1, v,
							  RCUMAP_EXIST), 0);
		}
		expect_unchanged(test, ph, v, nth);
	}
	KUNIT_EXPECT_LT(test, nth, 1000U);
	KUNIT_EXPECT_GT_MSG(test, failures, 0U, "no allocation failed: %s",
			    "is failslab's ignore-gfp-wait N?");
	/* The update that got through is there. */
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v), 0);
	KUNIT_EXPECT_TRUE(test, values_match(v, key, 2));
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_areas() - base,
			(long)PCPU_FAULT_KEYS + insert);
	rcumap_percpu_hash_destroy(ph);
	KUNIT_EXPECT_EQ(test, settled_areas(), base);
}

static void percpu_insert_alloc_failure_changes_nothing(struct kunit *test)
{
	pcpu_fault_sweep(test, true);
}

static void percpu_replace_alloc_failure_changes_nothing(struct kunit *test)
{
	pcpu_fault_sweep(test, false);
}

/* Delete and lookup_and_delete succeed with every allocation failing. */
static void percpu_delete_never_fails_for_memory(struct kunit *test)
{
	long base = settled_areas();
	struct rcumap_percpu_hash *ph = new_pcpu(test, 4, PCPU_VALUE_SIZE, 16, 1);
	u8 *v = new_values(test, ph);
	u32 key;

	for (key = 0; key < 8; key++)
		KUNIT_ASSERT_EQ(test, pcpu_update(ph, key, 1, v, RCUMAP_ANY), 0);
	for (key = 0; key < 8; key += 2) {
		int err;

		fail_nth_arm(1);
		if (key % 4)
			err = rcumap_percpu_hash_delete(ph, &key);
		else
			err = rcumap_percpu_hash_lookup_and_delete(ph, &key, v);
		KUNIT_EXPECT_TRUE(test, fail_nth_fired());
		KUNIT_EXPECT_EQ(test, err, 0);
		if (!(key % 4))
			KUNIT_EXPECT_TRUE(test, values_match(v, key, 1));
	}
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 4U);
	for (key = 0; key < 8; key++)
		KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_copy(ph, &key, v),
				key % 2 ? 0 : -ENOENT);
	rcumap_percpu_hash_destroy(ph);
	KUNIT_EXPECT_EQ(test, settled_areas(), base);
}

/*
 * The same with keys that the inner table keeps out of line: an update
 * allocates the area, the element and the bucket, and any of them may
 * fail, leaving every key and value as they were and no area or element
 * behind.  A delete that finds no memory leaves a dead entry, whose
 * element and area go when the bucket is rebuilt or at destroy.
 */
static void percpu_indirect_keys_alloc_failures(struct kunit *test)
{
	long base = settled_areas();
	struct rcumap_percpu_hash *ph = new_pcpu(test, BIG_PKEY, PCPU_VALUE_SIZE,
						 64, 2);
	u8 *v = new_values(test, ph);
	u8 *key = kunit_kzalloc(test, BIG_PKEY, GFP_KERNEL);
	u32 id, nth, failures = 0, mode, ver;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, key);
	for (id = 0; id < PCPU_FAULT_KEYS; id++)
		KUNIT_ASSERT_EQ(test, pkey_update(ph, key, id, 1, v,
						  RCUMAP_NOEXIST), 0);
	for (mode = RCUMAP_NOEXIST; mode <= RCUMAP_EXIST; mode++) {
		id = mode == RCUMAP_NOEXIST ? PCPU_FAULT_KEYS : 3;
		for (nth = 1; nth < 1000; nth++) {
			fail_nth_arm(nth);
			err = pkey_update(ph, key, id, 2, v, mode);
			if (!fail_nth_fired()) {
				KUNIT_EXPECT_EQ(test, err, 0);
				break;
			}
			if (err) {
				KUNIT_EXPECT_EQ(test, err, -ENOMEM);
				failures++;
				continue;
			}
			/* Undo what got through despite the failure. */
			if (mode == RCUMAP_NOEXIST)
				KUNIT_ASSERT_EQ(test,
						rcumap_percpu_hash_delete(ph, key), 0);
			else
				KUNIT_ASSERT_EQ(test, pkey_update(ph, key, id, 1,
								  v, mode), 0);
		}
		KUNIT_EXPECT_LT(test, nth, 1000U);
		/* Undo the update that got through, for the next sweep. */
		if (mode == RCUMAP_NOEXIST)
			KUNIT_ASSERT_EQ(test, rcumap_percpu_hash_delete(ph, key), 0);
		for (id = 0; id <= PCPU_FAULT_KEYS; id++) {
			make_pkey(key, id);
			err = rcumap_percpu_hash_lookup_copy(ph, key, v);
			KUNIT_EXPECT_EQ(test, err,
					id < PCPU_FAULT_KEYS ? 0 : -ENOENT);
			ver = mode == RCUMAP_EXIST && id == 3 ? 2 : 1;
			if (!err)
				KUNIT_EXPECT_TRUE(test, values_match(v, id, ver));
		}
	}
	KUNIT_EXPECT_GE_MSG(test, failures, 2U, "no allocation failed: %s",
			    "is failslab's ignore-gfp-wait N?");
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_areas() - base,
			(long)PCPU_FAULT_KEYS);
	/* Dead entries: their element and area stay until destroy. */
	for (id = 0; id < 4; id++) {
		make_pkey(key, id);
		fail_nth_arm(1);
		KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_delete(ph, key), 0);
		KUNIT_EXPECT_TRUE(test, fail_nth_fired());
	}
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph),
			(u32)PCPU_FAULT_KEYS - 4);
	rcumap_percpu_hash_destroy(ph);
	KUNIT_EXPECT_EQ(test, settled_areas(), base);
}

/*
 * Sweep fail-nth over create: every injected failure gives -ENOMEM and
 * leaks nothing, the table finally created works, and destroying NULL
 * does nothing.
 */
static void percpu_create_alloc_failure_is_clean(struct kunit *test)
{
	struct rcumap_hash_params p = {
		.key_size = sizeof(u32),
		.value_size = PCPU_VALUE_SIZE,
		.max_entries = 16,
	};
	long base = settled_areas();
	struct rcumap_percpu_hash *ph = NULL;
	u32 nth, failures = 0, key = 1;
	void *values;

	for (nth = 1; nth < 100; nth++) {
		fail_nth_arm(nth);
		ph = rcumap_percpu_hash_create(&p, GFP_KERNEL);
		if (!fail_nth_fired())
			break;
		if (IS_ERR(ph)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(ph), -ENOMEM);
			failures++;
		} else {
			rcumap_percpu_hash_destroy(ph);
		}
		ph = NULL;
	}
	KUNIT_EXPECT_GT(test, failures, 0U);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ph);
	values = new_values(test, ph);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_update(ph, &key, values,
							RCUMAP_NOEXIST,
							GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_count(ph), 1U);
	rcumap_percpu_hash_destroy(ph);
	rcumap_percpu_hash_destroy(NULL);
	KUNIT_EXPECT_EQ(test, settled_areas(), base);
}

static struct kunit_case rcumap_percpu_hash_fault_cases[] = {
	KUNIT_CASE(percpu_insert_alloc_failure_changes_nothing),
	KUNIT_CASE(percpu_replace_alloc_failure_changes_nothing),
	KUNIT_CASE(percpu_delete_never_fails_for_memory),
	KUNIT_CASE(percpu_indirect_keys_alloc_failures),
	KUNIT_CASE(percpu_create_alloc_failure_is_clean),
	{}
};

static struct kunit_suite rcumap_percpu_hash_fault_suite = {
	.name = "rcumap_percpu_hash_fault",
	.init = fail_nth_suite_init,
	.test_cases = rcumap_percpu_hash_fault_cases,
};

/* ---- Concurrency ----------------------------------------------------- */

/*
 * Writers replace and delete their own keys (key % nr_writers == writer)
 * with all-CPU values that name the key and a version in every CPU's
 * slot; readers hold an area under RCU, read every CPU's value twice with
 * a pause between, and check that both reads agree and name the key.  An
 * area freed before the reader's grace period ended would soon be handed
 * to the next update (same size) and change under the reader: KASAN does
 * not watch per-CPU memory, this does.
 */
#define PSTRESS_KEYS	256

struct pstress_value {
	u32 key;
	u32 version;
	u64 check;
};

struct pstress {
	struct rcumap_percpu_hash *ph;
	u32 nr_writers;
	struct stress_errors err;
	atomic_long_t reads;
	atomic_long_t writes;
};

struct pstress_thread {
	struct pstress *s;
	u32 id;
	bool writer;
};

static u64 pstress_check(u32 key, u32 version, u32 idx)
{
	return ((u64)key << 40) ^ ((u64)version << 8) ^ idx ^ 0x5bd1e995;
}

static void pstress_read(struct pstress *s, struct rnd_state *rnd)
{
	u32 key = prandom_u32_state(rnd) % PSTRESS_KEYS, idx = 0;
	struct pstress_value first, again;
	struct pstress_value __percpu *pv;
	int cpu;

	rcu_read_lock();
	pv = rcumap_percpu_hash_lookup(s->ph, &key);
	if (pv) {
		for_each_possible_cpu(cpu) {
			first = *per_cpu_ptr(pv, cpu);
			if (first.key != key ||
			    first.check != pstress_check(key, first.version, idx))
				stress_fail(&s->err, "key %u CPU %d: wrong value",
					    key, cpu);
			udelay(2);
			again = *per_cpu_ptr(pv, cpu);
			if (memcmp(&first, &again, sizeof(first)))
				stress_fail(&s->err, "key %u CPU %d: value changed under a reader",
					    key, cpu);
			idx++;
		}
		atomic_long_inc(&s->reads);
	}
	rcu_read_unlock();
}

static void pstress_write(struct pstress *s, u32 writer, void *buf,
			  struct rnd_state *rnd)
{
	u32 key = prandom_u32_state(rnd) % (PSTRESS_KEYS / s->nr_writers) *
		  s->nr_writers + writer;
	u32 version = prandom_u32_state(rnd), idx;
	struct pstress_value *v = buf;
	int err;

	for (idx = 0; idx < num_possible_cpus(); idx++) {
		v[idx].key = key;
		v[idx].version = version;
		v[idx].check = pstress_check(key, version, idx);
	}
	if (prandom_u32_state(rnd) % 4) {
		err = rcumap_percpu_hash_update(s->ph, &key, buf, RCUMAP_ANY,
						GFP_KERNEL);
		if (err)
			stress_fail(&s->err, "update of key %u: %d", key, err);
	} else if (!rcumap_percpu_hash_lookup_and_delete(s->ph, &key, buf)) {
		for (idx = 0; idx < num_possible_cpus(); idx++)
			if (v[idx].key != key ||
			    v[idx].check != pstress_check(key, v[idx].version, idx))
				stress_fail(&s->err, "lookup_and_delete of %u: wrong value",
					    key);
	}
	atomic_long_inc(&s->writes);
}

static int pstress_fn(void *arg)
{
	struct pstress_thread *t = arg;
	struct rnd_state rnd;
	void *buf = NULL;

	prandom_seed_state(&rnd, 0xabcdefULL * (t->id + 1));
	if (t->writer) {
		buf = kmalloc(rcumap_percpu_hash_values_size(t->s->ph), GFP_KERNEL);
		if (!buf)
			stress_fail(&t->s->err, "no memory for writer %u",
				    t->id);
	}
	while (!kthread_should_stop()) {
		if (t->writer && buf)
			pstress_write(t->s, t->id, buf, &rnd);
		else if (!t->writer)
			pstress_read(t->s, &rnd);
		cond_resched();
	}
	kfree(buf);
	return 0;
}

static void percpu_readers_keep_areas_until_grace_period(struct kunit *test)
{
	const u32 nr = 2 * num_online_cpus();
	long base = settled_areas();
	struct pstress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct pstress_thread *t = kunit_kcalloc(test, nr, sizeof(*t), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	s->ph = new_pcpu(test, 4, sizeof(struct pstress_value), PSTRESS_KEYS, 32);
	s->nr_writers = nr / 2;
	for (i = 0; i < nr; i++) {
		t[i].s = s;
		t[i].writer = i % 2 == 0;
		t[i].id = i / 2;
	}
	stress_run(test, &(struct stress_run){
		.name = "rcumap_pst", .fn = pstress_fn,
		.args = t, .size = sizeof(*t), .nr = nr,
		.ms = percpu_stress_ms, .bind = true, .err = &s->err,
	});
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->reads), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->writes), 0L);
	kunit_info(test, "%ld writes, %ld reads\n",
		   atomic_long_read(&s->writes), atomic_long_read(&s->reads));
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_nr_areas() - base,
			(long)rcumap_percpu_hash_count(s->ph));
	rcumap_percpu_hash_destroy(s->ph);
	KUNIT_EXPECT_EQ(test, settled_areas(), base);
}

static struct kunit_case rcumap_percpu_hash_stress_cases[] = {
	KUNIT_CASE(percpu_readers_keep_areas_until_grace_period),
	{}
};

static struct kunit_suite rcumap_percpu_hash_stress_suite = {
	.name = "rcumap_percpu_hash_stress",
	.test_cases = rcumap_percpu_hash_stress_cases,
};

kunit_test_suites(&rcumap_percpu_hash_suite, &rcumap_percpu_hash_fault_suite,
		  &rcumap_percpu_hash_stress_suite);
