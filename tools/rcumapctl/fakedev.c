// SPDX-License-Identifier: GPL-2.0
/*
 * fakedev.c - a stand-in for /dev/rcumap in user space, for test.sh only.
 *
 * Linked into a test build of rcumapctl with -Wl,--wrap=ioctl, it answers
 * the ioctls of include/uapi/linux/rcumap.h on any open file (test.sh uses
 * -d /dev/null), so that the tool's sessions, walks and output can be
 * tested on a host without the module.  It follows the header's contract
 * closely enough for that and no further: one map, a linear search, the
 * "dump" cursor is a slot index, the order of ordered walks is that of an
 * FNV-1a hash of the key (then its bytes), and a map made with
 * RCUMAP_CREATE_RESIZE doubles its bucket count at once when it holds more
 * than two keys a bucket (with SHRINK, halves it, down to the count it was
 * made with, below one key per eight buckets); a key's bucket, for
 * BUCKET_STATS, is its FNV-1a hash modulo the bucket count.  A PERCPU_HASH map has
 * FAKE_NR_CPUS possible CPUs (RCUMAP_FAKE_CPUS overrides it, 1 to 64); an
 * LRU_HASH map, when full, evicts the key looked up least recently (keys
 * never looked up first, oldest insert first), an exact LRU where the
 * kernel's is a CLOCK approximation.  It proves nothing about the kernel's
 * device; the guest run does that.
 *
 * The map lives in one region: private memory, or, if RCUMAP_FAKE_STATE
 * names a file, that file mapped shared, so that the processes of "serve"
 * and "-s" see one map as they would through a shared file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/rcumap.h>

#define REGION_SIZE	(64UL << 20)
#define FAKE_NR_CPUS	4

static struct fake_map {
	bool made;
	struct rcumap_create c;
	uint64_t next_id;
	uint32_t count;
	uint32_t min_buckets;	/* what SHRINK goes down to */
	uint32_t nr_cpus;	/* possible CPUs, for INFO */
	uint32_t stride;	/* bytes of a value buffer */
	uint64_t tick;		/* LRU: the clock of last_used */
	/* Offsets in the region of the per-slot arrays. */
	size_t keys, values, used, ids;
} *m;

static uint8_t *region(size_t offset)
{
	return (uint8_t *)m + offset;
}

static int attach(void)
{
	const char *path = getenv("RCUMAP_FAKE_STATE");
	void *p;
	int fd;

	if (m)
		return 0;
	if (!path) {
		p = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, REGION_SIZE))
			return EIO;
		p = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		close(fd);
	}
	if (p == MAP_FAILED)
		return ENOMEM;
	m = p;
	return 0;
}

#define used_at(i)	((bool *)region(m->used))[i]
#define id_at(i)	((uint64_t *)region(m->ids))[i]
/*
 * LRU maps use the id of a slot for recency: bit 63 and the tick of the
 * last LOOKUP, or the tick of the insert if it was never looked up.
 */
#define LRU_LOOKED_UP	(1ULL << 63)

static uint8_t *key_at(uint32_t i)
{
	return region(m->keys) + (size_t)i * m->c.key_size;
}

static uint8_t *value_at(uint32_t i)
{
	return region(m->values) + (size_t)i * m->stride;
}

static bool is_hash_like(uint32_t type)
{
	return type == RCUMAP_MAP_HASH || type == RCUMAP_MAP_PERCPU_HASH ||
	       type == RCUMAP_MAP_LRU_HASH;
}

/* A value buffer in, padding and all: keep what the kernel would. */
static void value_in(uint32_t i, const uint8_t *src)
{
	uint32_t vs = m->c.value_size, pad = ((vs + 7) & ~7U) - vs;
	uint8_t *dst = value_at(i);

	if (m->c.map_type != RCUMAP_MAP_PERCPU_HASH) {
		memcpy(dst, src, vs);
		return;
	}
	for (uint32_t c = 0; c < m->nr_cpus; c++) {
		memcpy(dst, src, vs);
		memset(dst + vs, 0, pad);
		dst += vs + pad;
		src += vs + pad;
	}
}

/* The slot an LRU insert into a full map takes the place of. */
static int lru_victim(void)
{
	int best = -1;

	for (uint32_t i = 0; i < m->c.max_entries; i++)
		if (used_at(i) && (best < 0 || id_at(i) < id_at(best)))
			best = i;
	return best;
}

static void *uptr(uint64_t p)
{
	return (void *)(uintptr_t)p;
}

static int find_key(const void *key)
{
	for (uint32_t i = 0; i < m->c.max_entries; i++)
		if (used_at(i) && !memcmp(key_at(i), key, m->c.key_size))
			return i;
	return -1;
}

static uint32_t pow2_up(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

#define CREATE_FLAGS	(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK)

static int do_create(struct rcumap_create *c)
{
	if (m->made)
		return EBUSY;
	if ((c->flags & ~CREATE_FLAGS) || c->__reserved)
		return EOPNOTSUPP;
	m->nr_cpus = FAKE_NR_CPUS;
	if (getenv("RCUMAP_FAKE_CPUS")) {
		m->nr_cpus = atoi(getenv("RCUMAP_FAKE_CPUS"));
		if (m->nr_cpus < 1 || m->nr_cpus > 64)
			return EIO;
	}
	if (is_hash_like(c->map_type)) {
		if (c->map_type == RCUMAP_MAP_PERCPU_HASH && !c->value_size)
			return EINVAL;
		if (!c->key_size || !c->max_entries ||
		    c->max_entries > RCUMAP_MAX_ENTRIES ||
		    c->nr_buckets > RCUMAP_MAX_BUCKETS ||
		    (c->flags & CREATE_FLAGS) == RCUMAP_CREATE_SHRINK)
			return EINVAL;
		if (c->map_type == RCUMAP_MAP_LRU_HASH &&
		    c->nr_buckets > pow2_up(c->max_entries))
			return EINVAL;
		/* Too large, after every EINVAL, as the kernel says it. */
		if (c->map_type == RCUMAP_MAP_PERCPU_HASH ?
		    c->key_size > RCUMAP_MAX_KEY_VALUE_SIZE - 8 ||
		    (((uint64_t)c->value_size + 7) & ~7ULL) >
		    RCUMAP_MAX_PERCPU_VALUE_SIZE :
		    c->key_size > RCUMAP_MAX_KEY_SIZE ||
		    (uint64_t)c->key_size + c->value_size >
		    RCUMAP_MAX_KEY_VALUE_SIZE)
			return E2BIG;
		if (!c->nr_buckets)
			c->nr_buckets = c->flags ? 1 : c->max_entries;
		if (c->nr_buckets > RCUMAP_MAX_BUCKETS)
			c->nr_buckets = RCUMAP_MAX_BUCKETS;
		c->nr_buckets = pow2_up(c->nr_buckets);
		m->min_buckets = c->nr_buckets;
	} else if (c->map_type == RCUMAP_MAP_PTAB) {
		if (c->flags || c->key_size || c->nr_buckets || !c->value_size ||
		    c->value_size > RCUMAP_MAX_VALUE_SIZE ||
		    c->max_entries < RCUMAP_MIN_CAPACITY ||
		    c->max_entries > RCUMAP_MAX_CAPACITY ||
		    (c->max_entries & (c->max_entries - 1)))
			return EINVAL;
	} else {
		return EINVAL;
	}
	m->c = *c;
	m->stride = c->map_type == RCUMAP_MAP_PERCPU_HASH ?
		    m->nr_cpus * ((c->value_size + 7) & ~7U) : c->value_size;
	m->keys = sizeof(*m);
	m->values = m->keys + (size_t)c->max_entries * c->key_size;
	m->ids = (m->values + (size_t)c->max_entries * m->stride + 7) & ~7UL;
	m->used = m->ids + (size_t)c->max_entries * sizeof(uint64_t);
	if (m->used + c->max_entries > REGION_SIZE)
		return ENOMEM;
	m->made = true;
	return 0;
}

/* After an insert or a delete: what RESIZE and SHRINK do by themselves. */
static void auto_resize(void)
{
	uint32_t *nb = &m->c.nr_buckets;

	if (!(m->c.flags & RCUMAP_CREATE_RESIZE))
		return;
	while (m->count > 2 * (uint64_t)*nb && *nb < RCUMAP_MAX_BUCKETS)
		*nb *= 2;
	while ((m->c.flags & RCUMAP_CREATE_SHRINK) && *nb > m->min_buckets &&
	       8 * (uint64_t)m->count < *nb)
		*nb /= 2;
}

static uint32_t fnv1a(const uint8_t *p, uint32_t len)
{
	uint32_t h = 2166136261U;

	while (len--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

/* The order of ordered walks: <0, 0, >0 as @a comes before, is, after @b. */
static int order_cmp(const uint8_t *a, const uint8_t *b)
{
	uint32_t ha = fnv1a(a, m->c.key_size), hb = fnv1a(b, m->c.key_size);

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return memcmp(a, b, m->c.key_size);
}

/* The slot of the first key after @after in that order (NULL: first), or -1. */
static int next_in_order(const uint8_t *after)
{
	int best = -1;

	for (uint32_t i = 0; i < m->c.max_entries; i++) {
		if (!used_at(i) || (after && order_cmp(key_at(i), after) <= 0))
			continue;
		if (best < 0 || order_cmp(key_at(i), key_at(best)) < 0)
			best = i;
	}
	return best;
}

/* Entry @i into place @n of a batch's arrays. */
static void batch_put(struct rcumap_batch *b, uint32_t n, int i)
{
	memcpy((uint8_t *)uptr(b->keys) + (size_t)n * m->c.key_size,
	       key_at(i), m->c.key_size);
	if (m->stride)
		memcpy((uint8_t *)uptr(b->values) + (size_t)n * m->stride,
		       value_at(i), m->stride);
}

/* BUCKET_STATS: the keys of each bucket, counted by going over them all. */
static int bucket_stats(struct rcumap_bucket_stats *b)
{
	uint32_t nb = m->c.nr_buckets, end, len, i, j;
	uint32_t hist[RCUMAP_STATS_MAX_HIST] = { 0 };

	if (b->flags)
		return EOPNOTSUPP;
	if (!b->nr_hist || b->nr_hist > RCUMAP_STATS_MAX_HIST || !b->budget ||
	    b->budget > RCUMAP_STATS_MAX_BUDGET)
		return EINVAL;
	if (b->cursor >= nb)
		return ENOENT;
	end = nb - b->cursor < b->budget ? nb : b->cursor + b->budget;
	b->out_longest = 0;
	for (i = b->cursor; i < end; i++) {
		for (len = 0, j = 0; j < m->c.max_entries; j++)
			len += used_at(j) &&
			       (fnv1a(key_at(j), m->c.key_size) & (nb - 1)) == i;
		hist[len < b->nr_hist ? len : b->nr_hist - 1]++;
		if (len > b->out_longest)
			b->out_longest = len;
	}
	memcpy(uptr(b->hist), hist, b->nr_hist * sizeof(*hist));
	b->out_cursor = end;
	b->out_nr_buckets = nb;
	return 0;
}

static int do_hash(unsigned long request, void *arg)
{
	struct rcumap_elem *e = arg;
	struct rcumap_get_next_key *g = arg;
	struct rcumap_batch *b = arg;
	struct rcumap_resize *r = arg;
	/* The largest key the fake's region could hold. */
	static uint8_t after[RCUMAP_MAX_KEY_SIZE];
	int i;

	switch (request) {
	case RCUMAP_IOC_LOOKUP:
	case RCUMAP_IOC_LOOKUP_AND_DELETE:
	case RCUMAP_IOC_DELETE:
		if (e->flags)
			return EOPNOTSUPP;
		i = find_key(uptr(e->key));
		if (i < 0)
			return ENOENT;
		if (request != RCUMAP_IOC_DELETE && m->stride)
			memcpy(uptr(e->value), value_at(i), m->stride);
		if (request == RCUMAP_IOC_LOOKUP &&
		    m->c.map_type == RCUMAP_MAP_LRU_HASH)
			id_at(i) = LRU_LOOKED_UP | ++m->tick;
		if (request != RCUMAP_IOC_LOOKUP) {
			used_at(i) = false;
			m->count--;
			auto_resize();
		}
		return 0;
	case RCUMAP_IOC_LOOKUP_BULK: {
		struct rcumap_lookup_bulk *l = arg;
		const uint8_t *keys = uptr(l->keys);
		__u32 *status = uptr(l->status);
		uint8_t *values = uptr(l->values);

		if (l->flags || l->__reserved)
			return EOPNOTSUPP;
		l->out_count = 0;
		l->out_found = 0;
		for (; l->out_count < l->count; l->out_count++) {
			i = find_key(keys + (size_t)l->out_count * m->c.key_size);
			status[l->out_count] = i < 0 ? ENOENT : 0;
			if (i < 0)
				continue;
			l->out_found++;
			if (m->stride)
				memcpy(values + (size_t)l->out_count * m->stride,
				       value_at(i), m->stride);
			if (m->c.map_type == RCUMAP_MAP_LRU_HASH)
				id_at(i) = LRU_LOOKED_UP | ++m->tick;
		}
		return 0;
	}
	case RCUMAP_IOC_UPDATE:
		if (e->flags > RCUMAP_UPDATE_EXIST)
			return EOPNOTSUPP;
		i = find_key(uptr(e->key));
		if (i >= 0 && e->flags == RCUMAP_UPDATE_NOEXIST)
			return EEXIST;
		if (i < 0 && e->flags == RCUMAP_UPDATE_EXIST)
			return ENOENT;
		if (i < 0) {
			for (i = 0; i < (int)m->c.max_entries && used_at(i); i++)
				;
			if (i == (int)m->c.max_entries &&
			    m->c.map_type == RCUMAP_MAP_LRU_HASH) {
				i = lru_victim();
				used_at(i) = false;
				m->count--;
			}
			if (i == (int)m->c.max_entries)
				return ENOSPC;
			memcpy(key_at(i), uptr(e->key), m->c.key_size);
			used_at(i) = true;
			id_at(i) = ++m->tick;
			m->count++;
			auto_resize();
		}
		if (m->stride)
			value_in(i, uptr(e->value));
		return 0;
	case RCUMAP_IOC_GET_NEXT_KEY:
		if (g->flags & ~RCUMAP_WALK_ORDERED)
			return EOPNOTSUPP;
		if (g->flags) {
			i = next_in_order(g->key ? uptr(g->key) : NULL);
			if (i < 0)
				return ENOENT;
			memcpy(uptr(g->next_key), key_at(i), m->c.key_size);
			return 0;
		}
		i = g->key ? find_key(uptr(g->key)) + 1 : 0;
		for (; i < (int)m->c.max_entries; i++) {
			if (used_at(i)) {
				memcpy(uptr(g->next_key), key_at(i),
				       m->c.key_size);
				return 0;
			}
		}
		return ENOENT;
	case RCUMAP_IOC_BATCH_LOOKUP:
		if (b->flags & ~RCUMAP_WALK_ORDERED)
			return EOPNOTSUPP;
		if (b->flags ? b->cursor : b->after_key)
			return EINVAL;
		b->out_count = 0;
		if (!b->count) {	/* nothing to do, as BPF */
			b->out_cursor = b->cursor;
			return 0;
		}
		if (b->flags) {
			b->out_cursor = 0;
			if (b->after_key)
				memcpy(after, uptr(b->after_key), m->c.key_size);
			while (b->out_count < b->count) {
				i = next_in_order(b->after_key || b->out_count ?
						  after : NULL);
				if (i < 0)
					break;
				batch_put(b, b->out_count++, i);
				memcpy(after, key_at(i), m->c.key_size);
			}
			return b->out_count ? 0 : ENOENT;
		}
		for (i = b->cursor; i < (int)m->c.max_entries &&
		     b->out_count < b->count; i++) {
			if (used_at(i))
				batch_put(b, b->out_count++, i);
		}
		b->out_cursor = i;
		return b->out_count ? 0 : ENOENT;
	case RCUMAP_IOC_RESIZE:
		if (r->flags || r->__reserved)
			return EOPNOTSUPP;
		if (!r->nr_buckets || r->nr_buckets > RCUMAP_MAX_BUCKETS ||
		    (m->c.map_type == RCUMAP_MAP_LRU_HASH &&
		     r->nr_buckets > pow2_up(m->c.max_entries)))
			return EINVAL;
		m->c.nr_buckets = pow2_up(r->nr_buckets);
		return 0;
	case RCUMAP_IOC_BUCKET_STATS:
		return bucket_stats(arg);
	}
	return ENOTTY;
}

static int do_ptab(unsigned long request, void *arg)
{
	struct rcumap_ptab_insert *ins = arg;
	struct rcumap_ptab_elem *e = arg;
	struct rcumap_ptab_next *n = arg;
	uint32_t slot;

	switch (request) {
	case RCUMAP_IOC_PTAB_INSERT:
		if (m->count == m->c.max_entries)
			return ENOSPC;
		/* Slot id % capacity, as the real table: skip taken ones. */
		while (used_at(m->next_id % m->c.max_entries))
			m->next_id++;
		slot = m->next_id % m->c.max_entries;
		used_at(slot) = true;
		id_at(slot) = m->next_id;
		memcpy(value_at(slot), uptr(ins->value), m->c.value_size);
		ins->out_id = m->next_id++;
		m->count++;
		return 0;
	case RCUMAP_IOC_PTAB_LOOKUP:
	case RCUMAP_IOC_PTAB_REMOVE:
		slot = e->id % m->c.max_entries;
		if (!used_at(slot) || id_at(slot) != e->id)
			return ENOENT;
		if (e->value)
			memcpy(uptr(e->value), value_at(slot), m->c.value_size);
		if (request == RCUMAP_IOC_PTAB_REMOVE) {
			used_at(slot) = false;
			m->count--;
		}
		return 0;
	case RCUMAP_IOC_PTAB_NEXT: {
		uint64_t best = UINT64_MAX;
		int found = -1;

		for (slot = 0; slot < m->c.max_entries; slot++) {
			if (used_at(slot) && id_at(slot) >= n->id &&
			    id_at(slot) <= best) {
				best = id_at(slot);
				found = slot;
			}
		}
		if (found < 0)
			return ENOENT;
		n->out_id = best;
		if (n->value)
			memcpy(uptr(n->value), value_at(found), m->c.value_size);
		return 0;
	}
	}
	return ENOTTY;
}

int __wrap_ioctl(int fd, unsigned long request, ...);

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	struct rcumap_info *info;
	va_list ap;
	void *arg;
	int err;

	(void)fd;
	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	err = attach();
	if (err) {
		errno = err;
		return -1;
	}
	if (request == RCUMAP_IOC_CREATE) {
		err = do_create(arg);
	} else if (!m->made) {
		err = EINVAL;
	} else if (request == RCUMAP_IOC_INFO) {
		info = arg;
		info->out_map_type = m->c.map_type;
		info->out_key_size = m->c.key_size;
		info->out_value_size = m->c.value_size;
		info->out_max_entries = m->c.max_entries;
		info->out_nr_buckets = m->c.nr_buckets;
		info->out_count = m->count;
		info->out_create_flags = m->c.flags;
		info->out_bytes_used = 4096;
		/* Only as far as the caller's struct reaches. */
		if (info->size >= offsetof(struct rcumap_info, out_value_stride) +
				  sizeof(info->out_value_stride)) {
			info->out_nr_cpus = m->nr_cpus;
			info->out_value_stride = m->stride;
		}
		err = 0;
	} else if (is_hash_like(m->c.map_type)) {
		err = do_hash(request, arg);
	} else {
		err = do_ptab(request, arg);
	}
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
