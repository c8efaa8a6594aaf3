// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_ubench: the same map operations from user space through
 * /dev/rcumap and through the raw bpf(2) syscall on a BPF_MAP_TYPE_HASH
 * of the same key size, value size and max_entries, in one run.
 *
 *   rcumap_ubench [-k KEY_SIZE] [-v VALUE_SIZE] [-n ENTRIES] [-t 1,2,...]
 *                 [-m MS] [-r ROUNDS] [-b BATCH] [-o op,op,...]
 *
 * Operations (each measured for both maps, one after the other, in every
 * round, so that a ratio compares measurements taken moments apart):
 *   lookup        lookups of random present keys
 *   update        replace the value of one of the thread's own keys
 *   delete        delete the thread's own keys one by one
 *   insert        insert them back (NOEXIST)
 *   batch-lookup  walk the whole map, BATCH entries per call
 *   batch-update  replace the values of the thread's own keys, BATCH
 *                 elements per call
 *   lookup-bulk   lookups of BATCH random present keys at a time: one
 *                 RCUMAP_IOC_LOOKUP_BULK for "ioctl"; BATCH bpf(2) calls
 *                 for "bpf", which has no lookup of given keys (compare
 *                 "ioctl" with "lookup" for single ioctls)
 * Threads, one per CPU and pinned to it, are released together and run
 * to a deadline; a thread's keys are those whose index mod threads is its
 * number.  delete stops early when a thread has deleted all of its keys.
 *
 * Output on stdout, the format of rcumap_bench.ko (impl is "ioctl" or
 * "bpf", ops for the batch operations are elements):
 *   RCUMAP_BENCH,user,op,impl,entries,threads,round,ops,ns,ops_per_sec,errors
 * Progress goes to stderr.  Exits 1 if any operation failed unexpectedly.
 *
 * Needs libc, the UAPI headers and librcumap (tools/lib/rcumap), which the
 * "ioctl" side calls as a program would: no libbpf.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <rcumap/rcumap.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64
#define MAX_LIST	16

#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

enum impl { IMPL_IOCTL, IMPL_BPF, NR_IMPLS };
static const char *const impl_names[NR_IMPLS] = { "ioctl", "bpf" };

enum op {
	OP_LOOKUP, OP_UPDATE, OP_DELETE, OP_INSERT, OP_BATCH_LOOKUP,
	OP_BATCH_UPDATE, OP_LOOKUP_BULK, NR_OPS
};
static const char *const op_names[NR_OPS] = {
	"lookup", "update", "delete", "insert", "batch-lookup", "batch-update",
	"lookup-bulk"
};

/* Parameters. */
static unsigned int key_size = 8, value_size = 8, entries = 65536;
static unsigned int ms = 500, rounds = 1, batch = 128;
static unsigned int thread_counts[MAX_LIST], nr_thread_counts;
static bool op_enabled[NR_OPS];

/* The maps. */
static int map_fd[NR_IMPLS];

struct thread {
	pthread_t tid;
	unsigned int index;
	unsigned int cpu;
	uint64_t rng;
	uint64_t ops;
	uint64_t ns;
	uint64_t errors;
	uint32_t deleted;	/* own keys the last delete run took out */
	unsigned char *keys;	/* batch * key_size */
	unsigned char *values;	/* batch * value_size */
	__u32 *status;		/* batch: of lookup-bulk */
} __attribute__((aligned(64)));

static struct {
	enum impl impl;
	enum op op;
	unsigned int nr_threads;
	uint64_t start_ns;
	uint64_t deadline_ns;
	pthread_barrier_t barrier;
} run;

static struct thread threads[MAX_THREADS];
static int cpus[MAX_THREADS], nr_cpus;

static void die(const char *what)
{
	fprintf(stderr, "rcumap_ubench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(uint32_t r, uint32_t n)
{
	return (uint32_t)(((uint64_t)r * n) >> 32);
}

/* Key @index: the index as a u64 (u32 for shorter keys), then zeros. */
static void make_key(unsigned char *key, uint32_t index)
{
	uint64_t v64 = index;
	uint32_t v32 = index;

	memset(key, 0, key_size);
	if (key_size >= 8)
		memcpy(key, &v64, 8);
	else
		memcpy(key, &v32, 4);
}

/* ---- bpf(2) ------------------------------------------------------------ */

static long sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

static int bpf_create(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = entries;
	return sys_bpf(BPF_MAP_CREATE, &attr, offsetofend(union bpf_attr,
							   map_extra));
}

/* As libbpf does: the attr only as far as the command's last field. */
static int bpf_elem(int cmd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, offsetofend(union bpf_attr, flags));
	attr.map_fd = map_fd[IMPL_BPF];
	attr.key = (uintptr_t)key;
	attr.value = (uintptr_t)value;
	attr.flags = flags;
	return sys_bpf(cmd, &attr, offsetofend(union bpf_attr, flags));
}

static int bpf_batch(int cmd, void *in, void *out, void *keys, void *values,
		     uint32_t *count, uint64_t elem_flags)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, offsetofend(union bpf_attr, batch));
	attr.batch.map_fd = map_fd[IMPL_BPF];
	attr.batch.in_batch = (uintptr_t)in;
	attr.batch.out_batch = (uintptr_t)out;
	attr.batch.keys = (uintptr_t)keys;
	attr.batch.values = (uintptr_t)values;
	attr.batch.count = *count;
	attr.batch.elem_flags = elem_flags;
	err = sys_bpf(cmd, &attr, offsetofend(union bpf_attr, batch));
	*count = attr.batch.count;
	return err;
}

/* ---- The operations, for either map ------------------------------------ */

/* The /dev/rcumap side is librcumap's calls. */
static int do_lookup(enum impl impl, const void *key, void *value)
{
	if (impl == IMPL_BPF)
		return bpf_elem(BPF_MAP_LOOKUP_ELEM, key, value, 0);
	return rcumap_map_lookup_elem(map_fd[IMPL_IOCTL], key, value);
}

static int do_update(enum impl impl, const void *key, void *value,
		     uint32_t mode)
{
	/* RCUMAP_UPDATE_* and BPF_ANY/NOEXIST/EXIST have the same values. */
	if (impl == IMPL_BPF)
		return bpf_elem(BPF_MAP_UPDATE_ELEM, key, value, mode);
	return rcumap_map_update_elem(map_fd[IMPL_IOCTL], key, value, mode);
}

static int do_delete(enum impl impl, const void *key)
{
	if (impl == IMPL_BPF)
		return bpf_elem(BPF_MAP_DELETE_ELEM, key, NULL, 0);
	return rcumap_map_delete_elem(map_fd[IMPL_IOCTL], key);
}

/*
 * One call of a batch lookup from *@cursor: up to @count entries.
 * Return: the number of entries, or -1 once the walk is over.
 */
static int do_batch_lookup(enum impl impl, uint64_t *cursor, bool *started,
			   void *keys, void *values, uint32_t count)
{
	if (impl == IMPL_BPF) {
		uint64_t out = 0;
		int err;

		err = bpf_batch(BPF_MAP_LOOKUP_BATCH, *started ? cursor : NULL,
				&out, keys, values, &count, 0);
		*started = true;
		*cursor = out;
		if (err && errno != ENOENT)
			return -2;
		if (err && !count)
			return -1;
		return count;
	} else {
		/* The positional walk: the token is the cursor. */
		int err = rcumap_map_lookup_batch(map_fd[IMPL_IOCTL], cursor,
						  cursor, keys, values, &count,
						  NULL);

		if (err && err != -ENOENT)
			return -2;
		if (err && !count)
			return -1;
		return count;
	}
}

static int do_batch_update(enum impl impl, void *keys, void *values,
			   uint32_t count)
{
	if (impl == IMPL_BPF) {
		uint32_t n = count;

		if (bpf_batch(BPF_MAP_UPDATE_BATCH, NULL, NULL, keys, values,
			      &n, BPF_ANY) || n != count)
			return -1;
		return 0;
	} else {
		LIBRCUMAP_OPTS(rcumap_batch_opts, opts,
			       .elem_flags = RCUMAP_UPDATE_ANY);
		uint32_t n = count;

		if (rcumap_map_update_batch(map_fd[IMPL_IOCTL], keys, values,
					    &n, &opts) || n != count)
			return -1;
		return 0;
	}
}

/* ---- Threads -------------------------------------------------------------- */

/* Number of keys thread @t owns, and its @i-th one. */
static uint32_t owned(const struct thread *t)
{
	return (entries - t->index + run.nr_threads - 1) / run.nr_threads;
}

static uint32_t own_key(const struct thread *t, uint32_t i)
{
	return i * run.nr_threads + t->index;
}

static bool expired(void)
{
	return now_ns() >= run.deadline_ns;
}

static void work(struct thread *t)
{
	enum impl impl = run.impl;
	unsigned char *key = t->keys, *value = t->values;
	uint32_t i, n, mine = owned(t);
	uint64_t cursor;
	bool started;
	int got;

	switch (run.op) {
	case OP_LOOKUP:
		do {
			for (i = 0; i < 16; i++) {
				make_key(key, below(rnd(&t->rng), entries));
				if (do_lookup(impl, key, value))
					t->errors++;
			}
			t->ops += 16;
		} while (!expired());
		break;
	case OP_UPDATE:
		do {
			for (i = 0; i < 16; i++) {
				make_key(key, own_key(t, below(rnd(&t->rng),
							       mine)));
				if (do_update(impl, key, value, BPF_ANY))
					t->errors++;
			}
			t->ops += 16;
		} while (!expired());
		break;
	case OP_DELETE:
		/* The keys deleted are inserted back by OP_INSERT. */
		for (i = 0; i < mine && !(i % 16 == 0 && expired()); i++) {
			make_key(key, own_key(t, i));
			if (do_delete(impl, key))
				t->errors++;
			t->ops++;
		}
		t->deleted = i;
		break;
	case OP_INSERT:
		/* Every key the delete run took out, however long it takes. */
		for (i = 0; i < t->deleted; i++) {
			make_key(key, own_key(t, i));
			if (do_update(impl, key, value, BPF_NOEXIST))
				t->errors++;
			t->ops++;
		}
		break;
	case OP_BATCH_LOOKUP:
		do {
			cursor = 0;
			started = false;
			while ((got = do_batch_lookup(impl, &cursor, &started,
						      t->keys, t->values,
						      batch)) >= 0)
				t->ops += got;
			if (got == -2) {
				t->errors++;
				break;
			}
		} while (!expired());
		break;
	case OP_LOOKUP_BULK:
		do {
			__u32 count = batch, found = 0;

			for (i = 0; i < batch; i++)
				make_key(t->keys + (size_t)i * key_size,
					 below(rnd(&t->rng), entries));
			if (impl == IMPL_BPF) {
				for (i = 0; i < batch; i++)
					found += !do_lookup(impl, t->keys +
							    (size_t)i * key_size,
							    t->values);
			} else if (rcumap_map_lookup_bulk(map_fd[IMPL_IOCTL],
							  t->keys, t->values,
							  t->status, &count,
							  &found, NULL)) {
				found = 0;
			}
			/* Every key is present: a miss is an error. */
			t->errors += batch - found;
			t->ops += batch;
		} while (!expired());
		break;
	case OP_BATCH_UPDATE:
		do {
			uint32_t first = below(rnd(&t->rng), mine);

			n = 0;
			for (i = 0; i < batch; i++) {
				make_key(t->keys + (size_t)n * key_size,
					 own_key(t, (first + i) % mine));
				n++;
			}
			if (do_batch_update(impl, t->keys, t->values, n))
				t->errors++;
			t->ops += n;
		} while (!expired());
		break;
	default:
		break;
	}
}

static void *thread_fn(void *arg)
{
	struct thread *t = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	pthread_barrier_wait(&run.barrier);
	/* The main thread set start_ns and deadline_ns before the barrier. */
	work(t);
	t->ns = now_ns() - run.start_ns;
	return NULL;
}

/* One measurement; prints its line and returns its error count. */
static uint64_t measure(enum impl impl, enum op op, unsigned int n,
			unsigned int round)
{
	uint64_t ops = 0, ns = 0, errors = 0;
	double rate = 0;
	unsigned int i;

	run.impl = impl;
	run.op = op;
	run.nr_threads = n;
	pthread_barrier_init(&run.barrier, NULL, n + 1);
	for (i = 0; i < n; i++) {
		struct thread *t = &threads[i];

		t->index = i;
		t->cpu = cpus[i % nr_cpus];
		t->ops = t->ns = t->errors = 0;
		memset(t->values, 0x5a, (size_t)batch * value_size);
		if (pthread_create(&t->tid, NULL, thread_fn, t))
			die("pthread_create");
	}
	run.start_ns = now_ns();
	run.deadline_ns = run.start_ns + (uint64_t)ms * 1000000;
	pthread_barrier_wait(&run.barrier);
	for (i = 0; i < n; i++) {
		struct thread *t = &threads[i];

		pthread_join(t->tid, NULL);
		ops += t->ops;
		errors += t->errors;
		if (t->ns > ns)
			ns = t->ns;
		if (t->ns)
			rate += (double)t->ops * 1e9 / t->ns;
	}
	pthread_barrier_destroy(&run.barrier);
	printf("RCUMAP_BENCH,user,%s,%s,%u,%u,%u,%llu,%llu,%.0f,%llu\n",
	       op_names[op], impl_names[impl], entries, n, round,
	       (unsigned long long)ops, (unsigned long long)ns, rate,
	       (unsigned long long)errors);
	fflush(stdout);
	return errors;
}

/* ---- Setup ------------------------------------------------------------------ */

static void fill(enum impl impl)
{
	unsigned char key[256], value[4096];
	uint32_t i;

	memset(value, 0x5a, value_size);
	for (i = 0; i < entries; i++) {
		make_key(key, i);
		if (do_update(impl, key, value, BPF_NOEXIST))
			die("filling the map");
	}
}

static unsigned int parse_list(const char *s, unsigned int *out)
{
	unsigned int n = 0;
	char *end;

	while (*s && n < MAX_LIST) {
		out[n++] = strtoul(s, &end, 0);
		if (*end != ',')
			break;
		s = end + 1;
	}
	return n;
}

static void parse_ops(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int i;

	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NR_OPS; i++) {
			if (!strcmp(tok, op_names[i]) || !strcmp(tok, "all"))
				op_enabled[i] = true;
		}
	}
	free(copy);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rcumap_ubench [-k KEY_SIZE] [-v VALUE_SIZE] [-n ENTRIES]\n"
		"       [-t THREADS,...] [-m MS] [-r ROUNDS] [-b BATCH] [-o OP,...]\n"
		"ops: lookup update delete insert batch-lookup batch-update (all)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t errors = 0;
	unsigned int i, r, impl;
	cpu_set_t set;
	int c, op;

	while ((c = getopt(argc, argv, "k:v:n:t:m:r:b:o:")) != -1) {
		switch (c) {
		case 'k': key_size = strtoul(optarg, NULL, 0); break;
		case 'v': value_size = strtoul(optarg, NULL, 0); break;
		case 'n': entries = strtoul(optarg, NULL, 0); break;
		case 't': nr_thread_counts = parse_list(optarg, thread_counts); break;
		case 'm': ms = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		case 'b': batch = strtoul(optarg, NULL, 0); break;
		case 'o': parse_ops(optarg); break;
		default: usage();
		}
	}
	if (key_size < 4 || key_size > 256 || value_size < 1 ||
	    value_size > 4096 || !entries || !ms || !rounds || !batch)
		usage();
	for (op = 0; op < NR_OPS; op++) {
		if (op_enabled[op])
			break;
	}
	if (op == NR_OPS)
		parse_ops("all");

	if (sched_getaffinity(0, sizeof(set), &set))
		die("sched_getaffinity");
	for (i = 0; i < CPU_SETSIZE && nr_cpus < MAX_THREADS; i++) {
		if (CPU_ISSET(i, &set))
			cpus[nr_cpus++] = i;
	}
	if (!nr_thread_counts) {
		for (i = 1; i <= (unsigned int)nr_cpus && i <= MAX_LIST; i++)
			thread_counts[nr_thread_counts++] = i;
	}
	for (i = 0; i < nr_thread_counts; i++) {
		if (!thread_counts[i] || thread_counts[i] > MAX_THREADS)
			usage();
	}
	for (i = 0; i < MAX_THREADS; i++) {
		threads[i].rng = 0x9e3779b97f4a7c15ULL * (i + 1) | 1;
		threads[i].keys = calloc(batch, key_size);
		threads[i].values = calloc(batch, value_size);
		threads[i].status = calloc(batch, sizeof(__u32));
		if (!threads[i].keys || !threads[i].values ||
		    !threads[i].status)
			die("calloc");
	}

	map_fd[IMPL_IOCTL] = rcumap_map_create(RCUMAP_MAP_HASH, key_size,
					       value_size, entries, NULL);
	if (map_fd[IMPL_IOCTL] < 0)
		die("/dev/rcumap");
	map_fd[IMPL_BPF] = bpf_create();
	if (map_fd[IMPL_BPF] < 0)
		die("bpf(BPF_MAP_CREATE)");
	fprintf(stderr, "ubench: filling both maps with %u keys\n", entries);
	fill(IMPL_IOCTL);
	fill(IMPL_BPF);

	/* Rounds outermost: a burst of load on the host hits one round. */
	for (r = 0; r < rounds; r++) {
		fprintf(stderr, "ubench: round %u of %u\n", r + 1, rounds);
		for (op = 0; op < NR_OPS; op++) {
			if (!op_enabled[op] || op == OP_INSERT)
				continue;
			for (i = 0; i < nr_thread_counts; i++) {
				for (impl = 0; impl < NR_IMPLS; impl++) {
					errors += measure(impl, op,
							  thread_counts[i], r);
					if (op != OP_DELETE)
						continue;
					/* Put back what delete took out. */
					errors += measure(impl, OP_INSERT,
							  thread_counts[i], r);
				}
			}
		}
	}
	close(map_fd[IMPL_IOCTL]);
	close(map_fd[IMPL_BPF]);
	fprintf(stderr, "ubench: done, %llu errors\n",
		(unsigned long long)errors);
	return errors ? 1 : 0;
}
