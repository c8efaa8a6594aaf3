// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_demo: a tour of the hash table API, printed to the kernel log.
 * Loaded by "make run"; it creates a table, exercises every operation,
 * lets readers race a writer for a moment and reports what happened.
 */
#define pr_fmt(fmt) "rcumap_demo: " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/rcumap_hash.h>

#define DEMO_KEY_SIZE	16

struct demo_race {
	struct rcumap_hash *h;
	atomic_long_t lookups;
	atomic_long_t hits;
};

static void demo_key(char *key, const char *word)
{
	memset(key, 0, DEMO_KEY_SIZE);
	strscpy(key, word, DEMO_KEY_SIZE);
}

static int demo_reader(void *arg)
{
	struct demo_race *r = arg;
	char key[DEMO_KEY_SIZE];
	long n = 0, hits = 0;

	demo_key(key, "counter");
	while (!kthread_should_stop()) {
		u64 *v;

		rcu_read_lock();
		v = rcumap_hash_lookup(r->h, key);
		if (v)
			hits++;
		rcu_read_unlock();
		if (!(++n % 256))
			cond_resched();
	}
	atomic_long_add(n, &r->lookups);
	atomic_long_add(hits, &r->hits);
	return 0;
}

static int __init rcumap_demo_init(void)
{
	static const char * const words[] = {
		"read", "copy", "update", "grace", "period", "bucket",
	};
	struct rcumap_hash_params params = {
		.key_size = DEMO_KEY_SIZE,
		.value_size = sizeof(u64),
		.max_entries = 64,
	};
	struct task_struct *readers[2];
	char key[DEMO_KEY_SIZE], next[DEMO_KEY_SIZE];
	struct demo_race race = {};
	struct rcumap_hash *h;
	u64 value, updates = 0;
	unsigned long end;
	int i, err;

	h = rcumap_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(h))
		return PTR_ERR(h);
	pr_info("created a table: %u-byte keys, %u-byte values, max %u entries\n",
		rcumap_hash_key_size(h), rcumap_hash_value_size(h),
		rcumap_hash_max_entries(h));

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		demo_key(key, words[i]);
		value = strlen(words[i]);
		err = rcumap_hash_update(h, key, &value, RCUMAP_NOEXIST, GFP_KERNEL);
		pr_info("insert %-8s -> %llu: %d\n", words[i], value, err);
	}
	demo_key(key, "grace");
	value = 0;
	pr_info("insert grace again with NOEXIST: %d (-EEXIST is %d)\n",
		rcumap_hash_update(h, key, &value, RCUMAP_NOEXIST, GFP_KERNEL),
		-EEXIST);
	value = 99;
	pr_info("update grace -> 99 with EXIST: %d\n",
		rcumap_hash_update(h, key, &value, RCUMAP_EXIST, GFP_KERNEL));
	value = 0;
	err = rcumap_hash_lookup_copy(h, key, &value);
	pr_info("lookup grace: %d, value %llu\n", err, value);
	demo_key(key, "copy");
	pr_info("delete copy: %d, again: %d\n", rcumap_hash_delete(h, key),
		rcumap_hash_delete(h, key));
	pr_info("count: %u\n", rcumap_hash_count(h));

	pr_info("walk with get_next_key:\n");
	for (err = rcumap_hash_get_next_key(h, NULL, next); !err;
	     err = rcumap_hash_get_next_key(h, key, next)) {
		memcpy(key, next, DEMO_KEY_SIZE);
		if (!rcumap_hash_lookup_copy(h, key, &value))
			pr_info("  %-8s = %llu\n", key, value);
	}

	/* Two lock-free readers against one writer for half a second. */
	race.h = h;
	demo_key(key, "counter");
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = kthread_run(demo_reader, &race, "rcumap_demo/%d", i);
		if (IS_ERR(readers[i])) {
			while (i--)
				kthread_stop(readers[i]);
			rcumap_hash_destroy(h);
			return PTR_ERR(readers[i]);
		}
	}
	end = jiffies + msecs_to_jiffies(500);
	while (time_before(jiffies, end)) {
		value = ++updates;
		if (updates % 2)
			err = rcumap_hash_update(h, key, &value, RCUMAP_ANY,
						 GFP_KERNEL);
		else
			err = rcumap_hash_delete(h, key);
		if (err)
			pr_err("writer: unexpected %d\n", err);
		cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(readers); i++)
		kthread_stop(readers[i]);
	pr_info("race: %llu updates while 2 readers did %ld lookups (%ld hits)\n",
		updates, atomic_long_read(&race.lookups),
		atomic_long_read(&race.hits));

	rcumap_hash_destroy(h);
	pr_info("destroyed the table; done\n");
	return 0;
}

static void __exit rcumap_demo_exit(void)
{
}

module_init(rcumap_demo_init);
module_exit(rcumap_demo_exit);

MODULE_DESCRIPTION("A short tour of the rcumap hash table");
MODULE_LICENSE("GPL");
