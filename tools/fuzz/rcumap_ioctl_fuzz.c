// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_ioctl_fuzz - a random, seeded fuzzer of the /dev/rcumap ioctls.
 *
 *   rcumap_ioctl_fuzz [-t SECONDS] [-n OPS] [-s SEED] [-j THREADS]
 *                     [-d DEVICE] [-v]
 *   rcumap_ioctl_fuzz --as-uid UID [-d DEVICE]
 *   rcumap_ioctl_fuzz --charge-check MAPS [-d DEVICE]
 *
 * Threads run random ioctls on a shared table of file slots: some files
 * hold a hash map or a process table of a random shape, some hold nothing.
 * Every struct has a random size (short, exact, long with a zero or a
 * non-zero tail, huge), random flags (the defined ones often: CREATE's
 * RESIZE and SHRINK, the ordered walks of GET_NEXT_KEY and BATCH_LOOKUP)
 * and reserved fields, RESIZE to any bucket count, and pointers
 * that are good, NULL, unmapped, read-only, straddling the end of a page,
 * in the kernel's half or not canonical; counts and batch sizes go up to
 * 2^32 - 1.  Some files are read-only (opened O_RDONLY, or made by
 * DUP_RDONLY, which puts its new file in a slot), where every ioctl that
 * writes must fail with EPERM; BUCKET_STATS walks histograms with any
 * cursor, budget and counter count.  A batch that got past its struct
 * must leave an out_count no larger than its count (it was garbage
 * before).  Threads close, dup2() over and reopen slots while other
 * threads are inside ioctls on them, and a forked child running a long
 * batch is killed now and then.  Every ioctl must return 0 or an errno
 * that include/uapi/linux/rcumap.h allows for it; anything else counts as
 * a failure.  At the end every surviving map, and a fresh one, must still
 * work: a create/update/lookup round trip, and a positional and an ordered
 * batch walk of each quiet hash map must both find its count of keys.
 *
 * -v prints, at the end, the slowest call of each ioctl (and of close())
 * on each map type, with its parameters and the shape of the map the file
 * holds after it (another thread may have replaced it by then): what made
 * a run outlast its -t.
 *
 * The run is bounded by time (-t, default 10 s) or by operations per
 * thread (-n).  It is seeded (-s, default from the clock) and prints the
 * seed first: with -j 1 and -n, a seed gives the same run every time;
 * with more threads each thread's choices are still the seed's, their
 * interleaving is not.
 *
 * --as-uid UID drops to that uid and checks that opening the device fails
 * with EACCES (the default mode is 0600).
 *
 * --charge-check MAPS, run inside a memory cgroup (v2) of its own, makes
 * MAPS one-bucket hash maps holding one key with a 4 KiB value, twice:
 * by one UPDATE, and by UPDATE, UPDATE of a second key, DELETE of it
 * (which rebuilds the bucket).  Same maps, so the cgroup must be charged
 * about the same for both; it fails if the second is charged less than
 * half as much.
 *
 * The last line is "fuzz: PASS ..." or "fuzz: FAIL ..."; the exit code is
 * 0 or 1.  Includes only the UAPI header and libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/rcumap.h>

#define PAGE		4096UL
#define NR_SLOTS	8
#define MAX_THREADS	32
#define ARENA_SIZE	(4UL << 20)	/* each thread's good memory */
#define IDS_KEPT	16

#define U64_PTR(p)	((__u64)(uintptr_t)(p))
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static const char *device = "/dev/rcumap";
static bool verbose;

/* ---- Random numbers ------------------------------------------------ */

struct rnd {
	uint64_t s;
};

/* splitmix64: small, fast, good enough, and the same everywhere. */
static uint64_t rnd64(struct rnd *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number below @n (0 if @n is 0). */
static uint64_t below(struct rnd *r, uint64_t n)
{
	return n ? rnd64(r) % n : 0;
}

static bool one_in(struct rnd *r, unsigned int n)
{
	return below(r, n) == 0;
}

static uint64_t pick(struct rnd *r, const uint64_t *v, size_t n)
{
	return v[below(r, n)];
}

#define PICK(r, ...)							\
	pick((r), (const uint64_t[]){ __VA_ARGS__ },			\
	     sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

/* ---- Memory the pointers point into ---------------------------------- */

static uint8_t *ro_page;	/* PROT_READ */
static uint8_t *hole;		/* never mapped (unmapped after mmap) */
static uint8_t *edge;		/* a RW page followed by a PROT_NONE page */

static void *map_or_die(size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

static void setup_memory(void)
{
	ro_page = map_or_die(PAGE, PROT_READ | PROT_WRITE);
	memset(ro_page, 0x5a, PAGE);
	mprotect(ro_page, PAGE, PROT_READ);
	hole = map_or_die(4 * PAGE, PROT_NONE);
	munmap(hole, 4 * PAGE);
	edge = map_or_die(2 * PAGE, PROT_READ | PROT_WRITE);
	memset(edge, 0, PAGE);
	mprotect(edge + PAGE, PAGE, PROT_NONE);
}

/* ---- Results --------------------------------------------------------- */

enum op {
	OP_CREATE, OP_INFO, OP_LOOKUP, OP_UPDATE, OP_DELETE,
	OP_LOOKUP_AND_DELETE, OP_GET_NEXT_KEY, OP_BATCH_LOOKUP,
	OP_BATCH_UPDATE, OP_BATCH_DELETE, OP_PTAB_INSERT, OP_PTAB_LOOKUP,
	OP_PTAB_REMOVE, OP_PTAB_NEXT, OP_RESIZE, OP_BUCKET_STATS,
	OP_DUP_RDONLY, OP_LOOKUP_BULK, OP_BATCH_LOOKUP_AND_DELETE, OP_RANDOM,
	NR_OPS
};

static const struct {
	const char *name;
	unsigned long cmd;
	unsigned int size;	/* of the struct */
	unsigned int min;	/* first version */
} ops[NR_OPS] = {
	[OP_CREATE] = { "CREATE", RCUMAP_IOC_CREATE,
			sizeof(struct rcumap_create), 32 },
	[OP_INFO] = { "INFO", RCUMAP_IOC_INFO, sizeof(struct rcumap_info), 40 },
	[OP_LOOKUP] = { "LOOKUP", RCUMAP_IOC_LOOKUP,
			sizeof(struct rcumap_elem), 24 },
	[OP_UPDATE] = { "UPDATE", RCUMAP_IOC_UPDATE,
			sizeof(struct rcumap_elem), 24 },
	[OP_DELETE] = { "DELETE", RCUMAP_IOC_DELETE,
			sizeof(struct rcumap_elem), 24 },
	[OP_LOOKUP_AND_DELETE] = { "LOOKUP_AND_DELETE",
				   RCUMAP_IOC_LOOKUP_AND_DELETE,
				   sizeof(struct rcumap_elem), 24 },
	[OP_GET_NEXT_KEY] = { "GET_NEXT_KEY", RCUMAP_IOC_GET_NEXT_KEY,
			      sizeof(struct rcumap_get_next_key), 24 },
	[OP_BATCH_LOOKUP] = { "BATCH_LOOKUP", RCUMAP_IOC_BATCH_LOOKUP,
			      sizeof(struct rcumap_batch), 48 },
	[OP_BATCH_UPDATE] = { "BATCH_UPDATE", RCUMAP_IOC_BATCH_UPDATE,
			      sizeof(struct rcumap_batch), 48 },
	[OP_BATCH_DELETE] = { "BATCH_DELETE", RCUMAP_IOC_BATCH_DELETE,
			      sizeof(struct rcumap_batch), 48 },
	[OP_PTAB_INSERT] = { "PTAB_INSERT", RCUMAP_IOC_PTAB_INSERT,
			     sizeof(struct rcumap_ptab_insert), 24 },
	[OP_PTAB_LOOKUP] = { "PTAB_LOOKUP", RCUMAP_IOC_PTAB_LOOKUP,
			     sizeof(struct rcumap_ptab_elem), 24 },
	[OP_PTAB_REMOVE] = { "PTAB_REMOVE", RCUMAP_IOC_PTAB_REMOVE,
			     sizeof(struct rcumap_ptab_elem), 24 },
	[OP_PTAB_NEXT] = { "PTAB_NEXT", RCUMAP_IOC_PTAB_NEXT,
			   sizeof(struct rcumap_ptab_next), 32 },
	[OP_RESIZE] = { "RESIZE", RCUMAP_IOC_RESIZE,
			sizeof(struct rcumap_resize), 16 },
	[OP_BUCKET_STATS] = { "BUCKET_STATS", RCUMAP_IOC_BUCKET_STATS,
			      sizeof(struct rcumap_bucket_stats), 40 },
	[OP_DUP_RDONLY] = { "DUP_RDONLY", RCUMAP_IOC_DUP_RDONLY,
			    sizeof(struct rcumap_dup_rdonly), 16 },
	[OP_LOOKUP_BULK] = { "LOOKUP_BULK", RCUMAP_IOC_LOOKUP_BULK,
			     sizeof(struct rcumap_lookup_bulk), 48 },
	[OP_BATCH_LOOKUP_AND_DELETE] = { "BATCH_LOOKUP_AND_DELETE",
					 RCUMAP_IOC_BATCH_LOOKUP_AND_DELETE,
					 sizeof(struct rcumap_batch), 48 },
	[OP_RANDOM] = { "random number", 0, 64, 0 },
};

/* A set of errnos: every one we name is below 128. */
typedef unsigned __int128 errset;
#define E(x)	((errset)1 << (x))
/* Any ioctl: a closed fd, and the common path's errors. */
#define E_COMMON (E(EBADF) | E(EFAULT) | E(EINVAL) | E(E2BIG) | E(EOPNOTSUPP))

/* What include/uapi/linux/rcumap.h allows each op to return. */
static const errset allowed[NR_OPS] = {
	[OP_CREATE] = E_COMMON | E(EBUSY) | E(ENOMEM),
	[OP_INFO] = E_COMMON,
	[OP_BUCKET_STATS] = E_COMMON | E(ENOENT),
	[OP_DUP_RDONLY] = E_COMMON | E(EMFILE) | E(ENFILE) | E(ENOMEM),
	[OP_LOOKUP] = E_COMMON | E(ENOENT) | E(ENOMEM),
	[OP_UPDATE] = E_COMMON | E(EEXIST) | E(ENOENT) | E(ENOSPC) |
		      E(ENOMEM),
	[OP_DELETE] = E_COMMON | E(ENOENT),
	[OP_LOOKUP_AND_DELETE] = E_COMMON | E(ENOENT),
	[OP_GET_NEXT_KEY] = E_COMMON | E(ENOENT) | E(ENOMEM),
	[OP_BATCH_LOOKUP] = E_COMMON | E(ENOENT) | E(ENOMEM) | E(EINTR) |
			    E(EOVERFLOW),
	[OP_BATCH_UPDATE] = E_COMMON | E(EEXIST) | E(ENOENT) | E(ENOSPC) |
			    E(ENOMEM) | E(EINTR) | E(EOVERFLOW),
	[OP_BATCH_DELETE] = E_COMMON | E(ENOENT) | E(EINTR) | E(EOVERFLOW),
	[OP_PTAB_INSERT] = E_COMMON | E(ENOSPC) | E(ENOMEM),
	[OP_PTAB_LOOKUP] = E_COMMON | E(ENOENT) | E(ENOMEM),
	[OP_PTAB_REMOVE] = E_COMMON | E(ENOENT),
	[OP_PTAB_NEXT] = E_COMMON | E(ENOENT) | E(ENOMEM),
	[OP_RESIZE] = E_COMMON | E(ENOMEM) | E(ENOSPC),
	[OP_LOOKUP_BULK] = E_COMMON | E(ENOMEM) | E(EINTR) | E(EOVERFLOW),
	[OP_BATCH_LOOKUP_AND_DELETE] = E_COMMON | E(ENOENT) | E(ENOMEM) |
				       E(EINTR) | E(EOVERFLOW),
	[OP_RANDOM] = E_COMMON | E(ENOTTY),
};

/*
 * The ops that change a map (or make one, or a file), which fail with
 * EPERM on a read-only file; a random number may name one of them.
 */
static const bool op_writes[NR_OPS] = {
	[OP_CREATE] = true, [OP_UPDATE] = true, [OP_DELETE] = true,
	[OP_LOOKUP_AND_DELETE] = true, [OP_BATCH_UPDATE] = true,
	[OP_BATCH_DELETE] = true, [OP_PTAB_INSERT] = true,
	[OP_PTAB_REMOVE] = true, [OP_RESIZE] = true, [OP_DUP_RDONLY] = true,
	[OP_BATCH_LOOKUP_AND_DELETE] = true,
	[OP_RANDOM] = true,
};

static unsigned long counts[NR_OPS][129];	/* [op][0: ok, else errno] */
static unsigned long failures;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&report_lock);
	failures++;
	if (failures <= 20) {
		printf("FAIL: ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		fflush(stdout);
	}
	pthread_mutex_unlock(&report_lock);
}

/* What a PERCPU_HASH map may also return: its value buffer may be large. */
static const errset allowed_percpu[NR_OPS] = {
	[OP_LOOKUP_AND_DELETE] = E(ENOMEM),
};

static bool is_hash_like(__u32 type)
{
	return type == RCUMAP_MAP_HASH || type == RCUMAP_MAP_PERCPU_HASH ||
	       type == RCUMAP_MAP_LRU_HASH;
}

/* The map type of @fd now, or 0. */
static __u32 fd_map_type(int fd)
{
	struct rcumap_info info = { .size = sizeof(info) };

	return ioctl(fd, RCUMAP_IOC_INFO, &info) ? 0 : info.out_map_type;
}

/*
 * Judge the return of one ioctl on @fd.  An errno allowed only for some
 * map type is checked against the type of @fd as it is now (the slot's
 * type is only a hint: other threads dup2() over its file).
 */
static void judge(enum op op, unsigned long cmd, int ret, int err, int fd)
{
	__atomic_fetch_add(&counts[op][ret ? (err > 0 && err < 128 ? err : 128) :
				       0], 1, __ATOMIC_RELAXED);
	if (ret > 0)
		fail("%s (%#lx) returned %d", ops[op].name, cmd, ret);
	else if (ret < 0 && (err >= 128 ||
			     (!(allowed[op] & E(err)) &&
			      !(err == EPERM && op_writes[op]) &&
			      !((allowed_percpu[op] & E(err)) &&
				fd_map_type(fd) == RCUMAP_MAP_PERCPU_HASH))))
		fail("%s (%#lx) failed with %s (%d), not allowed for it",
		     ops[op].name, cmd, strerror(err), err);
}

/* ---- The file slots -------------------------------------------------- */

/*
 * What we last learnt about a slot's file; only hints (other threads
 * change the slot under us), read and written with relaxed atomics.
 */
struct slot {
	int fd;			/* -1: empty */
	__u32 type;		/* 0 unknown or none */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u64 ids[IDS_KEPT];	/* ids PTAB_INSERT returned */
	__u64 cursor;		/* an out_cursor of BATCH_LOOKUP */
};

static struct slot slots[NR_SLOTS];
static int big_maps;		/* maps of the largest sizes alive */
static unsigned long big_made;	/* largest maps made */
static unsigned long children;	/* children killed in a batch */

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Close a file we opened; never one of the standard ones. */
/* ---- Slowest calls (-v) --------------------------------------------- */

/*
 * The slowest call of each op on each map type (0: no map or unknown;
 * the extra op row is close()), with what it was asked and the map's
 * shape after it, so that a slow run says which call made it slow.
 */
#define NR_MAP_TYPES	5

static struct {
	double secs;
	char what[256];
} slowest[NR_OPS + 1][NR_MAP_TYPES];
static pthread_mutex_t slowest_lock = PTHREAD_MUTEX_INITIALIZER;

static double secs_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void note_time(unsigned int op, __u32 type, int fd, const void *raw,
		      int ret, int err, const struct timespec *t0)
{
	struct rcumap_info info = { .size = sizeof(info) };
	double secs = secs_since(t0);
	char what[200];
	int n;

	if (!verbose)
		return;
	if (type >= NR_MAP_TYPES)
		type = 0;
	if (secs <= slowest[op][type].secs)
		return;
	if (op == OP_CREATE) {
		const struct rcumap_create *c = raw;

		type = c->map_type < NR_MAP_TYPES ? c->map_type : 0;
		n = snprintf(what, sizeof(what),
			     "ks %u vs %u max %u buckets %u flags %#x",
			     c->key_size, c->value_size, c->max_entries,
			     c->nr_buckets, c->flags);
	} else if (op == OP_BATCH_LOOKUP || op == OP_BATCH_UPDATE ||
		   op == OP_BATCH_DELETE || op == OP_BATCH_LOOKUP_AND_DELETE) {
		const struct rcumap_batch *b = raw;

		n = snprintf(what, sizeof(what), "count %u flags %#x -> %u",
			     b->count, b->flags, b->out_count);
	} else if (op == OP_RESIZE) {
		const struct rcumap_resize *z = raw;

		n = snprintf(what, sizeof(what), "to %u", z->nr_buckets);
	} else {
		n = snprintf(what, sizeof(what), "-");
	}
	if (op < NR_OPS && !ioctl(fd, RCUMAP_IOC_INFO, &info))
		snprintf(what + n, sizeof(what) - n,
			 "; map ks %u vs %u max %u buckets %u count %u",
			 info.out_key_size, info.out_value_size,
			 info.out_max_entries, info.out_nr_buckets,
			 info.out_count);
	pthread_mutex_lock(&slowest_lock);
	if (secs > slowest[op][type].secs) {
		slowest[op][type].secs = secs;
		snprintf(slowest[op][type].what,
			 sizeof(slowest[op][type].what), "ret %d %s: %s",
			 ret, ret ? strerror(err) : "ok", what);
	}
	pthread_mutex_unlock(&slowest_lock);
}

static void print_slowest(void)
{
	unsigned int op, type;

	for (op = 0; op <= NR_OPS; op++)
		for (type = 0; type < NR_MAP_TYPES; type++)
			if (slowest[op][type].secs >= 0.01)
				printf("fuzz: slowest %s on type %u: %.3f s, %s\n",
				       op < NR_OPS ? ops[op].name : "close",
				       type, slowest[op][type].secs,
				       slowest[op][type].what);
}

static void close_fd(int fd)
{
	struct timespec t0;

	if (fd <= 2)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	close(fd);
	note_time(NR_OPS, 0, fd, NULL, 0, 0, &t0);
}

static void slot_forget(struct slot *s)
{
	STORE(s->type, 0);
	STORE(s->key_size, 0);
	STORE(s->value_size, 0);
	STORE(s->max_entries, 0);
}

/* Put @fd in @s, closing the file that was there. */
static void slot_put(struct slot *s, int fd)
{
	int old = __atomic_exchange_n(&s->fd, fd, __ATOMIC_RELAXED);

	slot_forget(s);
	close_fd(old);
}

/* A new file in @s: mostly read-write, sometimes read-only (no map ever). */
static void slot_open(struct slot *s, bool rdonly)
{
	int fd = open(device, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);

	if (fd < 0) {
		if (errno != EMFILE && errno != ENFILE && errno != ENOMEM)
			fail("open %s: %s", device, strerror(errno));
		return;
	}
	slot_put(s, fd);
}

/* ---- Per thread ------------------------------------------------------ */

struct thread {
	pthread_t tid;
	unsigned int nr;
	struct rnd rnd;
	uint8_t *arena;		/* ARENA_SIZE of good memory */
	unsigned long ops;
	unsigned long max_ops;
};

static volatile int stop;

/*
 * A user pointer for @len bytes the kernel may read or write: mostly good
 * memory of this thread, sometimes every kind of bad.
 */
static __u64 gen_ptr(struct thread *t, uint64_t len)
{
	struct rnd *r = &t->rnd;
	uint64_t off;

	switch (below(r, 20)) {
	case 0:
		return 0;
	case 1:
		return U64_PTR(hole) + below(r, 4 * PAGE);
	case 2:
		return U64_PTR(ro_page) + below(r, PAGE);
	case 3:
		/* Starts in a good page and runs into a PROT_NONE one. */
		return U64_PTR(edge) + PAGE - 1 - below(r, len ? len : 1);
	case 4:
		return PICK(r, 0xffffffff81000000ULL, 0xffff888000000000ULL,
			    0x0000800000000000ULL, 0x8000000000000000ULL,
			    ~0ULL - below(r, 64), 1 + below(r, 65535));
	default:
		/*
		 * Too long for the arena: near its end, so that the kernel
		 * soon runs into the guard page after it.
		 */
		if (len > ARENA_SIZE)
			return U64_PTR(t->arena) + ARENA_SIZE - 1 -
			       below(r, PAGE);
		off = below(r, ARENA_SIZE - len + 1);
		if (!one_in(r, 4))
			off &= ~7ULL;
		return U64_PTR(t->arena) + off;
	}
}

/*
 * Fill the good memory at @p with @len bytes of keys: small random bytes,
 * so that keys repeat and lookups hit.  Bad pointers are left alone.
 */
static void fill_keys(struct thread *t, __u64 p, uint64_t len)
{
	uint8_t *q = (uint8_t *)(uintptr_t)p;
	uint64_t i, a = U64_PTR(t->arena);

	if (len > 65536 || p < a || p - a > ARENA_SIZE - len)
		return;
	for (i = 0; i < len; i++)
		q[i] = (uint8_t)below(&t->rnd, len <= 4 ? 4 : 2);
}

/* A plausible, or not, key or value size for CREATE. */
static __u32 gen_size(struct rnd *r, bool key)
{
	/* Now and then one of the largest, or just past a limit. */
	if (one_in(r, 16))
		return PICK(r, 4112, 256 << 10, RCUMAP_MAX_PERCPU_VALUE_SIZE,
			    RCUMAP_MAX_PERCPU_VALUE_SIZE + 1,
			    RCUMAP_MAX_KEY_VALUE_SIZE - 8,
			    RCUMAP_MAX_KEY_VALUE_SIZE,
			    RCUMAP_MAX_KEY_VALUE_SIZE + 1);
	if (key)
		return PICK(r, 1, 4, 8, 8, 16, 3, 256, 0, 257, rnd64(r));
	return PICK(r, 0, 1, 8, 8, 64, 100, 120, 121, 4096, 4097, rnd64(r));
}

/*
 * The struct of an op, in good memory, with its size field.  Returns the
 * pointer to pass to ioctl(), which is sometimes a bad one.
 */
static void *gen_struct(struct thread *t, enum op op, void *buf, size_t len)
{
	struct rnd *r = &t->rnd;
	size_t size = ops[op].size;
	uint8_t *arg;
	__u32 usize;

	switch (below(r, 16)) {
	case 0:
		usize = ops[op].min ? ops[op].min - 1 - below(r, 4) : 0;
		break;
	case 1:
		usize = size + 8 * (1 + below(r, 64));
		break;
	case 2:
		/* A long struct with a non-zero byte in the tail. */
		usize = size + 1 + below(r, 256);
		((uint8_t *)buf)[size + below(r, usize - size)] = 1;
		break;
	case 3:
		usize = PICK(r, 0, 4, 0xffffffff, 0x80000000, PAGE,
			     rnd64(r));
		break;
	default:
		usize = size;
		break;
	}
	if (usize < len)
		memcpy(buf, &usize, sizeof(usize));
	if (!one_in(r, 25))
		return buf;
	switch (below(r, 4)) {
	case 0:
		return NULL;
	case 1:
		return hole;
	case 2:
		return ro_page;
	default:
		/* The size is readable, the rest of the struct is not. */
		arg = edge + PAGE - (one_in(r, 2) ? 4 : 8);
		memcpy(arg, &usize, sizeof(usize));
		return arg;
	}
}

static void learn(struct slot *s, int fd)
{
	struct rcumap_info info = { .size = sizeof(info) };

	if (ioctl(fd, RCUMAP_IOC_INFO, &info) || LOAD(s->fd) != fd)
		return;
	STORE(s->key_size, info.out_key_size);
	/* What a value buffer takes: every CPU's value, for PERCPU_HASH. */
	STORE(s->value_size, info.out_value_stride);
	STORE(s->max_entries, info.out_max_entries);
	STORE(s->type, info.out_map_type);
}

static unsigned long random_cmd(struct rnd *r)
{
	unsigned long nr = 0x70 + below(r, 0x30);
	unsigned long type = one_in(r, 4) ? below(r, 256) : RCUMAP_TYPE;
	unsigned long dir = below(r, 4), size = below(r, 1 << 14);

	if (one_in(r, 2))
		return _IO(type, nr);
	return (dir << _IOC_DIRSHIFT) | (type << _IOC_TYPESHIFT) |
	       (nr << _IOC_NRSHIFT) | (size << _IOC_SIZESHIFT);
}

/* One random ioctl on a random slot. */
static void do_ioctl(struct thread *t)
{
	struct rnd *r = &t->rnd;
	struct slot *s = &slots[below(r, NR_SLOTS)];
	uint8_t raw[8192] __attribute__((aligned(8)));
	__u32 ks, vs, type;
	unsigned long cmd;
	struct timespec t0;
	enum op op;
	void *arg;
	__u64 count;
	int fd, ret, err;

	/* Mostly a file to work on; sometimes a closed one. */
	if (LOAD(s->fd) < 0 && !one_in(r, 4))
		slot_open(s, one_in(r, 10));
	fd = LOAD(s->fd);
	ks = LOAD(s->key_size);
	vs = LOAD(s->value_size);
	type = LOAD(s->type);
	memset(raw, 0, sizeof(raw));
	if (one_in(r, 20)) {
		op = OP_RANDOM;
	} else if (!type && one_in(r, 2)) {
		op = OP_CREATE;
	} else if (!type || one_in(r, 10)) {
		op = below(r, OP_RANDOM);
	} else if (type == RCUMAP_MAP_PTAB) {
		op = PICK(r, OP_PTAB_INSERT, OP_PTAB_INSERT, OP_PTAB_LOOKUP,
			  OP_PTAB_REMOVE, OP_PTAB_NEXT, OP_INFO);
	} else {
		op = PICK(r, OP_LOOKUP, OP_UPDATE, OP_UPDATE, OP_DELETE,
			  OP_LOOKUP_AND_DELETE, OP_GET_NEXT_KEY,
			  OP_BATCH_LOOKUP, OP_BATCH_UPDATE, OP_BATCH_UPDATE,
			  OP_BATCH_DELETE, OP_INFO, OP_RESIZE,
			  OP_BUCKET_STATS, OP_LOOKUP_BULK,
			  OP_BATCH_LOOKUP_AND_DELETE);
	}
	/* Now and then a read-only file of the map, into some slot. */
	if (type && one_in(r, 50))
		op = OP_DUP_RDONLY;
	/* Sizes: usually the map's, sometimes anything. */
	if (!ks || one_in(r, 8))
		ks = PICK(r, 1, 4, 8, 16, 256);
	if (one_in(r, 8))
		vs = PICK(r, 0, 8, 64, 4096);
	cmd = op == OP_RANDOM ? random_cmd(r) : ops[op].cmd;

	switch (op) {
	case OP_CREATE: {
		struct rcumap_create *c = (void *)raw;
		bool big = t->nr == 0 && one_in(r, 400) &&
			   __atomic_load_n(&big_maps, __ATOMIC_RELAXED) < 1;

		c->map_type = one_in(r, 10) ? rnd64(r) :
			      PICK(r, RCUMAP_MAP_HASH, RCUMAP_MAP_PTAB,
				   RCUMAP_MAP_PERCPU_HASH, RCUMAP_MAP_LRU_HASH);
		c->flags = one_in(r, 20) ? 1U << below(r, 32) :
			   PICK(r, 0, 0, 0, RCUMAP_CREATE_RESIZE,
				RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
				RCUMAP_CREATE_SHRINK);
		c->__reserved = one_in(r, 20) ? rnd64(r) : 0;
		c->key_size = c->map_type == RCUMAP_MAP_PTAB && !one_in(r, 10) ?
			      0 : gen_size(r, true);
		c->value_size = gen_size(r, false);
		if (c->map_type == RCUMAP_MAP_PTAB && !c->value_size)
			c->value_size = one_in(r, 10) ? 0 : 8;
		c->max_entries = PICK(r, 1, 64, 64, 128, 1024, 4096, 100, 63,
				      0, RCUMAP_MAX_ENTRIES + 1,
				      RCUMAP_MAX_CAPACITY * 2, rnd64(r));
		c->nr_buckets = c->map_type == RCUMAP_MAP_PTAB ?
				(one_in(r, 10) ? 1 : 0) :
				PICK(r, 0, 0, 1, 16, 1000,
				     RCUMAP_MAX_BUCKETS + 1, rnd64(r));
		/*
		 * Few elements of a kilobyte or more: a map of 4096 keys of
		 * 4 MiB would take the guest's memory, not test the map.
		 */
		if ((__u64)c->key_size + c->value_size > 4096 &&
		    c->max_entries > 4)
			c->max_entries = 1 + below(r, 4);
		if (big) {
			/* The largest a caller can make: once at a time. */
			c->flags = 0;
			c->__reserved = 0;
			c->key_size = is_hash_like(c->map_type) ? 8 : 0;
			c->value_size = 8;
			c->max_entries = is_hash_like(c->map_type) ?
					 RCUMAP_MAX_ENTRIES :
					 RCUMAP_MAX_CAPACITY;
			c->nr_buckets = 0;
		}
		arg = gen_struct(t, op, raw, sizeof(raw));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = ioctl(fd, cmd, arg);
		err = errno;
		if (arg == raw)
			note_time(op, 0, fd, raw, ret, err, &t0);
		judge(op, cmd, ret, err, fd);
		if (!ret && big) {
			big_made++;	/* thread 0 only */
			__atomic_fetch_add(&big_maps, 1, __ATOMIC_RELAXED);
			/* Keep it a little while: close it soon. */
			if (__atomic_compare_exchange_n(&s->fd, &fd, -1, false,
							__ATOMIC_RELAXED,
							__ATOMIC_RELAXED)) {
				usleep(1000 * below(r, 50));
				close_fd(fd);
			}
			__atomic_fetch_sub(&big_maps, 1, __ATOMIC_RELAXED);
		} else if (!ret) {
			learn(s, fd);
		}
		return;
	}
	case OP_INFO: {
		struct rcumap_info *i = (void *)raw;

		i->flags = one_in(r, 20) ? rnd64(r) : 0;
		i->__reserved = one_in(r, 20) ? rnd64(r) : 0;
		break;
	}
	case OP_RESIZE: {
		struct rcumap_resize *z = (void *)raw;

		z->flags = one_in(r, 20) ? rnd64(r) : 0;
		z->__reserved = one_in(r, 20) ? rnd64(r) : 0;
		/* The largest (32 MiB of buckets) rarely, the rest often. */
		z->nr_buckets = one_in(r, 500) ? RCUMAP_MAX_BUCKETS :
				PICK(r, 1, 2, 3, 16, 64, 100, 1024, 4096,
				     1 + below(r, 1 << 14), 0,
				     RCUMAP_MAX_BUCKETS + 1, rnd64(r));
		break;
	}
	case OP_LOOKUP:
	case OP_UPDATE:
	case OP_DELETE:
	case OP_LOOKUP_AND_DELETE: {
		struct rcumap_elem *e = (void *)raw;

		e->flags = op == OP_UPDATE ? PICK(r, 0, 0, 1, 2, 3, rnd64(r)) :
			   (one_in(r, 20) ? rnd64(r) : 0);
		e->key = gen_ptr(t, ks);
		fill_keys(t, e->key, ks);
		e->value = op == OP_DELETE && !one_in(r, 10) ? 0 :
			   gen_ptr(t, vs);
		break;
	}
	case OP_GET_NEXT_KEY: {
		struct rcumap_get_next_key *g = (void *)raw;

		g->flags = one_in(r, 20) ? rnd64(r) :
			   PICK(r, 0, RCUMAP_WALK_ORDERED);
		g->key = one_in(r, 3) ? 0 : gen_ptr(t, ks);
		fill_keys(t, g->key, ks);
		g->next_key = gen_ptr(t, ks);
		break;
	}
	case OP_BATCH_LOOKUP:
	case OP_BATCH_LOOKUP_AND_DELETE:
	case OP_BATCH_UPDATE:
	case OP_BATCH_DELETE: {
		struct rcumap_batch *b = (void *)raw;
		bool walk = op == OP_BATCH_LOOKUP ||
			    op == OP_BATCH_LOOKUP_AND_DELETE;

		count = PICK(r, 1, 2, 16, 256, 1 + below(r, 4096), 0,
			     0xffffffff, 0x80000000);
		b->count = count;
		if (op == OP_BATCH_UPDATE)
			b->flags = PICK(r, 0, 0, 1, 2, 7);
		else if (walk)
			b->flags = one_in(r, 20) ? 1U << below(r, 32) :
				   PICK(r, 0, RCUMAP_WALK_ORDERED);
		else
			b->flags = one_in(r, 20) ? 1 : 0;
		b->keys = gen_ptr(t, count * ks);
		if (op == OP_BATCH_UPDATE)
			fill_keys(t, b->keys, count * ks);
		b->values = op == OP_BATCH_DELETE && !one_in(r, 10) ? 0 :
			    gen_ptr(t, count * vs);
		if (walk && !b->flags)
			b->cursor = PICK(r, 0, 0, LOAD(s->cursor), rnd64(r),
					 (__u64)below(r, 1 << 20) << 32);
		else
			b->cursor = one_in(r, 20) ? rnd64(r) : 0;
		/* The key an ordered walk resumes after; else mostly 0. */
		if (walk && b->flags == RCUMAP_WALK_ORDERED) {
			b->after_key = one_in(r, 3) ? 0 : gen_ptr(t, ks);
			fill_keys(t, b->after_key, ks);
		} else {
			b->after_key = one_in(r, 20) ? gen_ptr(t, ks) : 0;
		}
		b->out_count = rnd64(r);
		break;
	}
	case OP_LOOKUP_BULK: {
		struct rcumap_lookup_bulk *l = (void *)raw;

		count = PICK(r, 1, 2, 16, 65, 256, 1 + below(r, 4096), 0,
			     0xffffffff, 0x80000000);
		l->count = count;
		l->flags = one_in(r, 20) ? 1U << below(r, 32) : 0;
		l->__reserved = one_in(r, 20) ? rnd64(r) : 0;
		l->keys = gen_ptr(t, count * ks);
		fill_keys(t, l->keys, count * ks);
		l->values = gen_ptr(t, count * vs);
		l->status = gen_ptr(t, count * 4);
		l->out_count = rnd64(r);
		l->out_found = rnd64(r);
		break;
	}
	case OP_PTAB_INSERT: {
		struct rcumap_ptab_insert *p = (void *)raw;

		p->flags = one_in(r, 20) ? rnd64(r) : 0;
		p->value = gen_ptr(t, vs);
		break;
	}
	case OP_PTAB_LOOKUP:
	case OP_PTAB_REMOVE: {
		struct rcumap_ptab_elem *p = (void *)raw;

		p->flags = one_in(r, 20) ? rnd64(r) : 0;
		p->id = one_in(r, 4) ? PICK(r, 0, rnd64(r), (1ULL << 63) - 1,
					    1ULL << 63, ~0ULL) :
			LOAD(s->ids[below(r, IDS_KEPT)]);
		p->value = one_in(r, 4) ? 0 : gen_ptr(t, vs);
		break;
	}
	case OP_PTAB_NEXT: {
		struct rcumap_ptab_next *p = (void *)raw;

		p->flags = one_in(r, 20) ? rnd64(r) : 0;
		p->id = PICK(r, below(r, 64), LOAD(s->ids[below(r, IDS_KEPT)]),
			     rnd64(r));
		p->value = one_in(r, 4) ? 0 : gen_ptr(t, vs);
		break;
	}
	case OP_BUCKET_STATS: {
		struct rcumap_bucket_stats *b = (void *)raw;

		b->flags = one_in(r, 20) ? rnd64(r) : 0;
		b->nr_hist = PICK(r, 1, 2, 8, RCUMAP_STATS_MAX_HIST,
				  RCUMAP_STATS_MAX_HIST, 0,
				  RCUMAP_STATS_MAX_HIST + 1, rnd64(r));
		b->budget = PICK(r, 1, 16, 1024, RCUMAP_STATS_MAX_BUDGET,
				 RCUMAP_STATS_MAX_BUDGET, 0,
				 RCUMAP_STATS_MAX_BUDGET + 1, rnd64(r));
		b->cursor = PICK(r, 0, 0, below(r, 1 << 12),
				 below(r, RCUMAP_MAX_BUCKETS), rnd64(r));
		b->hist = gen_ptr(t, 4 * (uint64_t)(b->nr_hist <=
					RCUMAP_STATS_MAX_HIST ? b->nr_hist : 1));
		break;
	}
	case OP_DUP_RDONLY: {
		struct rcumap_dup_rdonly *d = (void *)raw;

		d->flags = one_in(r, 20) ? rnd64(r) : 0;
		d->__reserved = one_in(r, 20) ? rnd64(r) : 0;
		d->out_fd = -1;
		break;
	}
	case OP_RANDOM:
		for (count = 0; count < 64; count++)
			raw[count] = one_in(r, 2) ? 0 : (uint8_t)rnd64(r);
		break;
	case NR_OPS:
		return;
	}

	arg = gen_struct(t, op, raw, sizeof(raw));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = ioctl(fd, cmd, arg);
	err = errno;
	if (arg == raw && op != OP_RANDOM)
		note_time(op, type, fd, raw, ret, err, &t0);
	judge(op, cmd, ret, err, fd);
	/*
	 * A batch that got past its struct (no EINVAL, E2BIG or EFAULT,
	 * which may come from reading it) wrote out_count, over garbage.
	 */
	if (arg == raw && (op == OP_BATCH_LOOKUP || op == OP_BATCH_UPDATE ||
			   op == OP_BATCH_DELETE ||
			   op == OP_BATCH_LOOKUP_AND_DELETE) &&
	    (!ret || (err != EINVAL && err != E2BIG && err != EFAULT &&
		      err != EBADF)) &&
	    ((struct rcumap_batch *)raw)->out_count >
	    ((struct rcumap_batch *)raw)->count)
		fail("%s: %s with out_count %u above count %u", ops[op].name,
		     ret ? strerror(err) : "success",
		     ((struct rcumap_batch *)raw)->out_count,
		     ((struct rcumap_batch *)raw)->count);
	/* A bulk lookup that got past its struct: out_found <= out_count <= count. */
	if (arg == raw && op == OP_LOOKUP_BULK &&
	    (!ret || (err != EINVAL && err != E2BIG && err != EFAULT &&
		      err != EBADF && err != EOPNOTSUPP))) {
		const struct rcumap_lookup_bulk *l = (void *)raw;

		if (l->out_count > l->count || l->out_found > l->out_count ||
		    (!ret && l->out_count != l->count))
			fail("LOOKUP_BULK: %s with out_count %u, out_found %u of count %u",
			     ret ? strerror(err) : "success", l->out_count,
			     l->out_found, l->count);
	}
	if (ret || arg != raw)
		return;
	if (op == OP_DUP_RDONLY) {
		struct slot *o = &slots[below(r, NR_SLOTS)];
		int nfd = ((struct rcumap_dup_rdonly *)raw)->out_fd;

		if ((fcntl(nfd, F_GETFL) & O_ACCMODE) != O_RDONLY)
			fail("DUP_RDONLY: fd %d is not read-only", nfd);
		slot_put(o, nfd);
		learn(o, nfd);
		return;
	}
	if (op == OP_PTAB_INSERT)
		STORE(s->ids[below(r, IDS_KEPT)],
		      ((struct rcumap_ptab_insert *)raw)->out_id);
	else if (op == OP_BATCH_LOOKUP)
		STORE(s->cursor, ((struct rcumap_batch *)raw)->out_cursor);
}

/* Open, close, dup2 over: the file of a slot changes under the others. */
static void do_file(struct thread *t)
{
	struct rnd *r = &t->rnd;
	struct slot *s = &slots[below(r, NR_SLOTS)];
	struct slot *o = &slots[below(r, NR_SLOTS)];
	int fd, ofd;

	switch (below(r, 3)) {
	case 0:
		slot_open(s, one_in(r, 8));
		break;
	case 1:
		fd = __atomic_exchange_n(&s->fd, -1, __ATOMIC_RELAXED);
		slot_forget(s);
		close_fd(fd);
		break;
	default:
		/* Replace the file behind @o's number by @s's. */
		fd = LOAD(s->fd);
		ofd = LOAD(o->fd);
		if (fd > 2 && ofd > 2 && fd != ofd &&
		    dup3(fd, ofd, O_CLOEXEC) == ofd) {
			STORE(o->type, LOAD(s->type));
			STORE(o->key_size, LOAD(s->key_size));
			STORE(o->value_size, LOAD(s->value_size));
			STORE(o->max_entries, LOAD(s->max_entries));
		}
		break;
	}
}

/*
 * A child that runs one long batch on a map of its own (and on an
 * inherited one), then resizes its map and walks it in order, killed at a
 * random moment: a batch stops at a fatal signal, and the files close
 * under it.
 */
static void do_killed_child(struct thread *t)
{
	struct rnd *r = &t->rnd;
	unsigned int ms = below(r, 30);
	int inherited = LOAD(slots[below(r, NR_SLOTS)].fd);
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		struct rcumap_create c = {
			.size = sizeof(c), .map_type = RCUMAP_MAP_HASH,
			.key_size = 4, .value_size = 4,
			.max_entries = 1 << 20,
		};
		struct rcumap_batch b = {
			.size = sizeof(b), .count = 1 << 20,
			.keys = U64_PTR(t->arena), .values = U64_PTR(t->arena),
		};
		int fd = open(device, O_RDWR);
		uint32_t i, *k = (uint32_t *)t->arena;

		for (i = 0; i < (1 << 20); i++)
			k[i] = i;
		if (fd >= 0 && !ioctl(fd, RCUMAP_IOC_CREATE, &c))
			ioctl(fd, RCUMAP_IOC_BATCH_UPDATE, &b);
		b.count = 1 << 20;
		b.cursor = 0;
		ioctl(inherited, RCUMAP_IOC_BATCH_LOOKUP, &b);
		/* A resize of its own map, then an ordered walk of it. */
		{
			struct rcumap_resize z = {
				.size = sizeof(z), .nr_buckets = 1 << 16,
			};

			ioctl(fd, RCUMAP_IOC_RESIZE, &z);
		}
		b.flags = RCUMAP_WALK_ORDERED;
		b.count = 1 << 20;
		ioctl(fd, RCUMAP_IOC_BATCH_LOOKUP, &b);
		_exit(0);
	}
	usleep(ms * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	children++;	/* thread 0 only */
}

static void *thread_fn(void *arg)
{
	struct thread *t = arg;

	while (!stop && (!t->max_ops || t->ops < t->max_ops)) {
		uint64_t w = below(&t->rnd, 1000);

		if (w < 20)
			do_file(t);
		else if (w < 21 && t->nr == 0)
			do_killed_child(t);
		else
			do_ioctl(t);
		t->ops++;
	}
	return NULL;
}

/* One line per op: how often it succeeded and failed with each errno. */
static void print_counts(enum op op)
{
	char line[1024];
	size_t n;
	int e;

	n = snprintf(line, sizeof(line), "fuzz: %-17s %6lu ok", ops[op].name,
		     counts[op][0]);
	for (e = 1; e <= 128 && n < sizeof(line); e++) {
		const char *name = e < 128 ? strerrorname_np(e) : NULL;

		if (counts[op][e])
			n += snprintf(line + n, sizeof(line) - n, ", %lu %s",
				      counts[op][e], name ? name : "other");
	}
	puts(line);
}

/* ---- The end: every map must still work ------------------------------ */

static int round_trip(int fd, const char *what)
{
	struct rcumap_info info = { .size = sizeof(info) };
	/*
	 * A value buffer: up to 4 MiB, or for a PERCPU_HASH map up to 1024
	 * CPUs of 32 KiB; static, as are the keys of up to 4 MiB.
	 */
	static uint8_t value[1024 * RCUMAP_MAX_PERCPU_VALUE_SIZE];
	static uint8_t out[sizeof(value)];
	static uint8_t key[RCUMAP_MAX_KEY_SIZE], next[RCUMAP_MAX_KEY_SIZE];
	struct rcumap_create c = {
		.size = sizeof(c), .map_type = RCUMAP_MAP_HASH,
		.key_size = 8, .value_size = 16, .max_entries = 64,
	};
	struct rcumap_elem e = { .size = sizeof(e) };
	struct rcumap_get_next_key g = { .size = sizeof(g) };
	struct rcumap_ptab_insert pi = { .size = sizeof(pi) };
	struct rcumap_ptab_elem pe = { .size = sizeof(pe) };
	struct rcumap_ptab_next pn = { .size = sizeof(pn) };
	unsigned int i;

	if (ioctl(fd, RCUMAP_IOC_INFO, &info)) {
		if (errno != EINVAL) {
			fail("%s: INFO: %s", what, strerror(errno));
			return -1;
		}
		/* No map on this file: make one. */
		if (ioctl(fd, RCUMAP_IOC_CREATE, &c) ||
		    ioctl(fd, RCUMAP_IOC_INFO, &info)) {
			fail("%s: CREATE: %s", what, strerror(errno));
			return -1;
		}
	}
	if (info.out_value_stride > sizeof(value)) {
		fail("%s: a value buffer of %u bytes", what,
		     info.out_value_stride);
		return -1;
	}
	for (i = 0; i < sizeof(value); i++)
		value[i] = (uint8_t)(i * 7 + 3);
	/* Per-CPU values: padded with zeroes, as LOOKUP returns them. */
	if (info.out_map_type == RCUMAP_MAP_PERCPU_HASH)
		for (i = 0; i < info.out_value_stride; i++)
			if (i % ((info.out_value_size + 7) & ~7U) >=
			    info.out_value_size)
				value[i] = 0;
	memset(key, 0xa5, sizeof(key));

	if (is_hash_like(info.out_map_type)) {
		e.key = U64_PTR(key);
		e.value = U64_PTR(value);
		if (info.out_count == info.out_max_entries) {
			/* Full: make room by deleting the first key. */
			g.next_key = U64_PTR(next);
			if (ioctl(fd, RCUMAP_IOC_GET_NEXT_KEY, &g)) {
				fail("%s: GET_NEXT_KEY of a full map: %s",
				     what, strerror(errno));
				return -1;
			}
			e.key = U64_PTR(next);
			e.value = 0;
			if (ioctl(fd, RCUMAP_IOC_DELETE, &e)) {
				fail("%s: DELETE: %s", what, strerror(errno));
				return -1;
			}
			e.value = U64_PTR(value);
		}
		if (ioctl(fd, RCUMAP_IOC_UPDATE, &e)) {
			fail("%s: UPDATE (%u of %u keys): %s", what,
			     info.out_count, info.out_max_entries,
			     strerror(errno));
			return -1;
		}
		e.value = U64_PTR(out);
		memset(out, 0, sizeof(out));
		if (ioctl(fd, RCUMAP_IOC_LOOKUP, &e) ||
		    memcmp(out, value, info.out_value_stride)) {
			fail("%s: LOOKUP after UPDATE: %s", what,
			     strerror(errno));
			return -1;
		}
		return 0;
	}

	if (info.out_count == info.out_max_entries) {
		pn.value = 0;
		if (ioctl(fd, RCUMAP_IOC_PTAB_NEXT, &pn)) {
			fail("%s: PTAB_NEXT of a full table: %s", what,
			     strerror(errno));
			return -1;
		}
		pe.id = pn.out_id;
		if (ioctl(fd, RCUMAP_IOC_PTAB_REMOVE, &pe)) {
			fail("%s: PTAB_REMOVE: %s", what, strerror(errno));
			return -1;
		}
	}
	pi.value = U64_PTR(value);
	if (ioctl(fd, RCUMAP_IOC_PTAB_INSERT, &pi)) {
		fail("%s: PTAB_INSERT (%u of %u): %s", what, info.out_count,
		     info.out_max_entries, strerror(errno));
		return -1;
	}
	pe.id = pi.out_id;
	pe.value = U64_PTR(out);
	memset(out, 0, sizeof(out));
	if (ioctl(fd, RCUMAP_IOC_PTAB_LOOKUP, &pe) ||
	    memcmp(out, value, info.out_value_size)) {
		fail("%s: PTAB_LOOKUP after PTAB_INSERT: %s", what,
		     strerror(errno));
		return -1;
	}
	if (ioctl(fd, RCUMAP_IOC_PTAB_REMOVE, &pe)) {
		fail("%s: PTAB_REMOVE after PTAB_INSERT: %s", what,
		     strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A whole batch walk of a quiet hash map must agree with its count, by
 * position or (@ordered) in the map's order, each call resuming after the
 * last key of the one before.  A map made with RCUMAP_CREATE_RESIZE may
 * still be resizing itself, which a positional walk does not survive
 * (the UAPI says so): for it, only the ordered walk must be exact, and
 * the positional one must still end.
 */
static void check_walk(int fd, const char *what, bool ordered)
{
	struct rcumap_info info = { .size = sizeof(info) };
	static uint8_t keys[1 << 20], values[1 << 22];
	static uint8_t after[RCUMAP_MAX_KEY_SIZE];
	struct rcumap_batch b = { .size = sizeof(b) };
	unsigned long found = 0;

	if (ioctl(fd, RCUMAP_IOC_INFO, &info) ||
	    !is_hash_like(info.out_map_type))
		return;
	b.flags = ordered ? RCUMAP_WALK_ORDERED : 0;
	b.keys = U64_PTR(keys);
	b.values = U64_PTR(values);
	for (;;) {
		/* Ordered: small batches, so that there are several calls. */
		b.count = ordered ? 61 : sizeof(keys) / info.out_key_size;
		if (info.out_value_stride &&
		    b.count > sizeof(values) / info.out_value_stride)
			b.count = sizeof(values) / info.out_value_stride;
		if (ioctl(fd, RCUMAP_IOC_BATCH_LOOKUP, &b))
			break;
		found += b.out_count;
		if (ordered) {
			memcpy(after, keys + (size_t)(b.out_count - 1) *
			       info.out_key_size, info.out_key_size);
			b.after_key = U64_PTR(after);
		} else {
			b.cursor = b.out_cursor;
		}
	}
	if (errno != ENOENT ||
	    (found != info.out_count &&
	     (ordered || !(info.out_create_flags & RCUMAP_CREATE_RESIZE))))
		fail("%s: %s batch walk found %lu of %u keys (%s)", what,
		     ordered ? "ordered" : "positional", found, info.out_count,
		     strerror(errno));
}

/*
 * A read-only file at the end: whatever it holds, an ioctl that would
 * change it is EPERM (CREATE on one without a map, UPDATE or PTAB_INSERT
 * on one with), and its map has the keys it had.
 */
static void readonly_check(int fd, const char *what)
{
	struct rcumap_info info = { .size = sizeof(info) }, after = info;
	struct rcumap_create c = {
		.size = sizeof(c), .map_type = RCUMAP_MAP_HASH,
		.key_size = 8, .value_size = 8, .max_entries = 64,
	};
	static uint8_t buf[1 << 16];
	struct rcumap_elem e = {
		.size = sizeof(e), .key = U64_PTR(buf), .value = U64_PTR(buf),
	};
	struct rcumap_ptab_insert pi = {
		.size = sizeof(pi), .value = U64_PTR(buf),
	};
	unsigned long cmd = RCUMAP_IOC_CREATE;
	void *arg = &c;

	memset(buf, 0, sizeof(buf));
	if (!ioctl(fd, RCUMAP_IOC_INFO, &info)) {
		if (info.out_value_stride > sizeof(buf) ||
		    info.out_key_size > sizeof(buf))
			return;
		cmd = is_hash_like(info.out_map_type) ? RCUMAP_IOC_UPDATE :
							RCUMAP_IOC_PTAB_INSERT;
		arg = is_hash_like(info.out_map_type) ? (void *)&e : &pi;
	}
	if (!ioctl(fd, cmd, arg) || errno != EPERM)
		fail("%s: read-only, but %#lx gave %s", what, cmd,
		     strerror(errno));
	if (info.out_map_type &&
	    (ioctl(fd, RCUMAP_IOC_INFO, &after) ||
	     after.out_count != info.out_count))
		fail("%s: read-only, but its count went from %u to %u", what,
		     info.out_count, after.out_count);
}

static void verify(void)
{
	char what[64];
	int fd, i;

	for (i = 0; i < NR_SLOTS; i++) {
		fd = slots[i].fd;
		if (fd < 0)
			continue;
		snprintf(what, sizeof(what), "slot %d (fd %d)", i, fd);
		check_walk(fd, what, false);
		check_walk(fd, what, true);
		if ((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY)
			readonly_check(fd, what);
		else
			round_trip(fd, what);
	}
	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail("open %s at the end: %s", device, strerror(errno));
		return;
	}
	round_trip(fd, "a new file");
	close(fd);
}

/* ---- Privileges ------------------------------------------------------ */

static int as_uid(unsigned int uid)
{
	int fd;

	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid)) {
		printf("as-uid: cannot become uid %u: %s\n", uid,
		       strerror(errno));
		return 1;
	}
	fd = open(device, O_RDWR);
	if (fd >= 0) {
		printf("as-uid: FAIL: uid %u opened %s\n", uid, device);
		return 1;
	}
	if (errno != EACCES) {
		printf("as-uid: FAIL: uid %u: open %s: %s, want EACCES\n", uid,
		       device, strerror(errno));
		return 1;
	}
	fd = open(device, O_RDONLY);
	if (fd >= 0 || errno != EACCES) {
		printf("as-uid: FAIL: uid %u: read-only open: %s\n", uid,
		       fd >= 0 ? "succeeded" : strerror(errno));
		return 1;
	}
	printf("as-uid: PASS: uid %u gets EACCES from %s\n", uid, device);
	return 0;
}

/* ---- Memory cgroup charges ------------------------------------------- */

/* memory.current of the cgroup we run in, or -1. */
static long cgroup_current(void)
{
	char line[512], path[600];
	long v = -1;
	FILE *f;

	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return -1;
	/* cgroup v2: "0::/path" */
	if (!fgets(line, sizeof(line), f) || strncmp(line, "0::", 3)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.current",
		 line + 3);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int charge_elem(int fd, unsigned long ioc, __u64 key, void *value)
{
	struct rcumap_elem e = {
		.size = sizeof(e), .key = U64_PTR(&key), .value = U64_PTR(value),
	};

	return ioctl(fd, ioc, &e);
}

/* The charge of @n maps built one way or the other, per map; -1: error. */
static long charge_of(unsigned int n, bool rebuilt, int *fds)
{
	static uint8_t value[4096];
	long before, after;
	unsigned int i;

	memset(value, 0x5a, sizeof(value));
	sleep(6);		/* let earlier frees and their charges settle */
	before = cgroup_current();
	for (i = 0; i < n; i++) {
		struct rcumap_create c = {
			.size = sizeof(c), .map_type = RCUMAP_MAP_HASH,
			.key_size = 8, .value_size = sizeof(value),
			.max_entries = 2, .nr_buckets = 1,
		};

		fds[i] = open(device, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0 || ioctl(fds[i], RCUMAP_IOC_CREATE, &c) ||
		    charge_elem(fds[i], RCUMAP_IOC_UPDATE, 1, value) ||
		    (rebuilt &&
		     (charge_elem(fds[i], RCUMAP_IOC_UPDATE, 2, value) ||
		      charge_elem(fds[i], RCUMAP_IOC_DELETE, 2, NULL)))) {
			printf("charge-check: map %u: %s\n", i, strerror(errno));
			return -1;
		}
	}
	sleep(12);		/* the replaced buckets go after grace periods */
	after = cgroup_current();
	return (after - before) / (long)n;
}

static int charge_check(unsigned int n)
{
	struct rlimit rl = { n + 64, n + 64 };
	int *fds = calloc(n, sizeof(*fds));
	long plain, rebuilt;
	unsigned int i;

	if (!fds || cgroup_current() < 0) {
		printf("charge-check: not in a cgroup v2 with a memory controller\n");
		return 1;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	plain = charge_of(n, false, fds);
	for (i = 0; i < n; i++)
		close_fd(fds[i]);
	rebuilt = charge_of(n, true, fds);
	for (i = 0; i < n; i++)
		close_fd(fds[i]);
	free(fds);
	printf("charge-check: %s: %u maps of one 4 KiB value; charged %ld bytes a map made by UPDATE, %ld by UPDATE, UPDATE, DELETE\n",
	       plain > 0 && rebuilt >= plain / 2 ? "PASS" : "FAIL", n, plain,
	       rebuilt);
	return plain > 0 && rebuilt >= plain / 2 ? 0 : 1;
}

/* ---- Main ------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: rcumap_ioctl_fuzz [-t SECONDS] [-n OPS] [-s SEED] [-j THREADS] [-d DEVICE] [-v]\n"
		"       rcumap_ioctl_fuzz --as-uid UID [-d DEVICE]\n"
		"       rcumap_ioctl_fuzz --charge-check MAPS [-d DEVICE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int seconds = 10, nr_threads = 4, i;
	unsigned long max_ops = 0, total = 0;
	struct thread threads[MAX_THREADS];
	struct timespec start, now;
	long long uid = -1, charge_maps = -1;
	uint64_t seed = 0;

	for (i = 1; i < (unsigned int)argc; i++) {
		const char *a = argv[i], *v = i + 1 < (unsigned int)argc ?
					       argv[i + 1] : NULL;

		if (!strcmp(a, "-v")) {
			verbose = true;
			continue;
		}
		if (!v)
			usage();
		if (!strcmp(a, "-t"))
			seconds = strtoul(v, NULL, 0);
		else if (!strcmp(a, "-n"))
			max_ops = strtoul(v, NULL, 0);
		else if (!strcmp(a, "-s"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "-j"))
			nr_threads = strtoul(v, NULL, 0);
		else if (!strcmp(a, "-d"))
			device = v;
		else if (!strcmp(a, "--as-uid"))
			uid = strtoll(v, NULL, 0);
		else if (!strcmp(a, "--charge-check"))
			charge_maps = strtoll(v, NULL, 0);
		else
			usage();
		i++;
	}
	if (uid >= 0)
		return as_uid(uid);
	if (charge_maps > 0)
		return charge_check(charge_maps);
	if (!nr_threads || nr_threads > MAX_THREADS)
		usage();

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (!seed)
		seed = (uint64_t)start.tv_nsec * 0x9e3779b97f4a7c15ULL ^
		       (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	printf("fuzz: seed %" PRIu64 ", %u threads, %u s%s\n", seed,
	       nr_threads, seconds, max_ops ? " or the op limit" : "");
	fflush(stdout);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	setup_memory();
	for (i = 0; i < NR_SLOTS; i++) {
		slots[i].fd = -1;
		if (i % 4 != 3)
			slot_open(&slots[i], false);
	}
	for (i = 0; i < nr_threads; i++) {
		struct thread *t = &threads[i];

		memset(t, 0, sizeof(*t));
		t->nr = i;
		t->rnd.s = seed ^ (0x632be59bd9b4e019ULL * (i + 1));
		t->max_ops = max_ops;
		/* The arena, then a guard page. */
		t->arena = map_or_die(ARENA_SIZE + PAGE,
				      PROT_READ | PROT_WRITE);
		mprotect(t->arena + ARENA_SIZE, PAGE, PROT_NONE);
		if (pthread_create(&t->tid, NULL, thread_fn, t)) {
			perror("pthread_create");
			return 2;
		}
	}
	for (;;) {
		usleep(100 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)seconds && seconds)
			break;
		if (max_ops) {
			bool done = true;

			for (i = 0; i < nr_threads; i++)
				done &= __atomic_load_n(&threads[i].ops,
							__ATOMIC_RELAXED) >=
					max_ops;
			if (done)
				break;
		}
	}
	stop = 1;
	for (i = 0; i < nr_threads; i++) {
		pthread_join(threads[i].tid, NULL);
		total += threads[i].ops;
	}

	for (i = 0; i < NR_OPS; i++)
		print_counts(i);
	print_slowest();
	printf("fuzz: %lu maps of the largest size made, %lu children killed in a batch\n",
	       big_made, children);
	verify();
	for (i = 0; i < NR_SLOTS; i++)
		close_fd(slots[i].fd);

	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("fuzz: %s: seed %" PRIu64 ", %lu operations in %ld s, %lu failures\n",
	       failures ? "FAIL" : "PASS", seed, total,
	       (long)(now.tv_sec - start.tv_sec), failures);
	return failures ? 1 : 0;
}
