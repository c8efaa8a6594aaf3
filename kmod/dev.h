/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the files of /dev/rcumap (kmod/dev.c, kmod/ioctl.c) and
 * the module's set-up (kmod/main.c), never seen by the maps.
 */
#ifndef _RCUMAP_DEV_H
#define _RCUMAP_DEV_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <asm/barrier.h>

struct file;
struct rcumap_hash;
struct rcumap_lru_hash;
struct rcumap_map_ops;
struct rcumap_percpu_hash;
struct rcumap_ptab;

/**
 * struct rcumap_file - The map of one open file of /dev/rcumap, and of the
 *	read-only files RCUMAP_IOC_DUP_RDONLY made from it.
 * @users: The files that hold this struct: 1 at open(), one more for each
 *	file DUP_RDONLY makes; the release() of the last one frees the map
 *	and this struct (rcumap_file_put()).
 * @create_lock: Serialises RCUMAP_IOC_CREATE on this file; nothing else
 *	takes it.
 * @map_type: 0 until RCUMAP_IOC_CREATE has made the map, then its
 *	enum rcumap_map_type, for good.  Written once under @create_lock with
 *	smp_store_release(), after every field below; read with
 *	smp_load_acquire() by rcumap_file_map_type().
 * @key_size: Bytes per key (0 for a process table).
 * @value_size: Bytes per value (a process table does not know it); for a
 *	per-CPU hash, per CPU.
 * @value_stride: Bytes of a value as user space passes it: @value_size,
 *	or for a per-CPU hash every possible CPU's value, each padded to a
 *	multiple of 8 bytes (rcumap_percpu_hash_values_size()).
 * @create_flags: The enum rcumap_create_flags of CREATE (0 for a process
 *	table), for RCUMAP_IOC_INFO.
 * @del_lock: Serialises the deletes that use @del_key; nothing else
 *	takes it.
 * @del_key: A hash-like map's keys of more than 256 bytes pass through
 *	this buffer of its key size on their way to a delete, which so never
 *	needs memory (shorter ones pass through the stack): made by CREATE,
 *	used under @del_lock, freed with the map.  %NULL for short keys.
 * @ops: What the map's type does for the ioctls (kmod/ioctl.c), picked by
 *	CREATE from @map_type, so that no ioctl has to switch on it.
 * @keys: The table that holds a hash-like map's keys: the map itself if
 *	@map_type is %RCUMAP_MAP_HASH, else the inner table of @percpu or
 *	@lru; %NULL for a process table.  Ioctls call it directly for what
 *	every hash-like type does alike (delete, resize, bucket stats).
 * @ptab: The map, if @map_type is %RCUMAP_MAP_PTAB.
 * @percpu: The map, if @map_type is %RCUMAP_MAP_PERCPU_HASH.
 * @lru: The map, if @map_type is %RCUMAP_MAP_LRU_HASH.
 *
 * Lives in file->private_data of every file that holds it, from open()
 * to the last of their release()s.  An ioctl holds a reference to its
 * file, so that file's release() never runs under it, and the map it
 * found stays alive until the ioctl returns.  Only the file open() made
 * can have write access, so only it can CREATE: DUP_RDONLY needs a map,
 * and its files are read-only, so the fields below are set before any
 * other file shares them.
 */
struct rcumap_file {
	refcount_t users;
	struct mutex create_lock;	/* serialises CREATE */
	u32 map_type;
	u32 key_size;
	u32 value_size;
	u32 value_stride;
	u32 create_flags;
	struct mutex del_lock;		/* serialises uses of @del_key */
	void *del_key;
	const struct rcumap_map_ops *ops;
	struct rcumap_hash *keys;
	union {
		struct rcumap_ptab *ptab;
		struct rcumap_percpu_hash *percpu;
		struct rcumap_lru_hash *lru;
	};
};

/* The type of @rf's map, or 0 before RCUMAP_IOC_CREATE. */
static inline u32 rcumap_file_map_type(const struct rcumap_file *rf)
{
	/*
	 * Pairs with the smp_store_release() in CREATE: a caller that sees
	 * a type also sees the map pointer, ops and sizes written before it.
	 */
	return smp_load_acquire(&rf->map_type);
}

long rcumap_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);
void rcumap_file_destroy_map(struct rcumap_file *rf);
struct file *rcumap_file_open_rdonly(struct rcumap_file *rf);
int rcumap_dev_init(void);
void rcumap_dev_exit(void);

#endif /* _RCUMAP_DEV_H */
