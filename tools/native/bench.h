/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps the native benchmarks compare, behind one small interface each:
 * u64 keys and values for the hash tables, objects with an id for the
 * process tables.  Every operation takes its own locks (or RCU read lock),
 * as a caller would.  rcumap's own maps are in bench.c; the peers are in
 * bench_tables.c.
 */
#ifndef _NATIVE_BENCH_H
#define _NATIVE_BENCH_H

#include <stdbool.h>
#include <linux/jhash.h>
#include <linux/types.h>

struct kv_impl {
	const char *name;
	void *(*create)(u32 nr_buckets, u32 max_entries);
	void (*destroy)(void *map);
	bool (*lookup)(void *map, u64 key, u64 *value);
	void (*update)(void *map, u64 key, u64 value);
	void (*remove)(void *map, u64 key);
};

extern const struct kv_impl kv_mutex, kv_rwlock, kv_lfht;

/* The hash every table uses for a u64 key: rcumap's own for 8 bytes. */
static inline u32 bench_hash(u64 key, u32 seed)
{
	return jhash_2words((u32)key, (u32)(key >> 32), seed);
}

/* An object in a process table; ids are the table's. */
struct id_impl {
	const char *name;
	void *(*create)(u32 capacity);
	/* Destroy an empty table. */
	void (*destroy)(void *table);
	/* Insert a new object with @payload; false if the table is full. */
	bool (*insert)(void *table, u64 payload, u64 *id);
	/* Read the payload of @id's object; false if there is none. */
	bool (*lookup)(void *table, u64 id, u64 *payload);
	/* Remove and free @id's object; false if there is none. */
	bool (*remove)(void *table, u64 id);
};

extern const struct id_impl id_mutex;

#endif /* _NATIVE_BENCH_H */
