// SPDX-License-Identifier: GPL-2.0
/*
 * cmd.c - the commands of rcumapctl, one function per verb.
 *
 * Conventions: @s is the session (its file and what it knows of the map),
 * @argc/@argv the words after the verb's name.  A command returns 0, a
 * positive errno when an operation failed (after setting @s->detail if the
 * failure is not the command's own call), or CMD_USAGE after usage_msg().
 * The map's calls are librcumap's (<rcumap/rcumap.h>), which return a
 * negative errno: a command returns its negation.
 * It parses all its words before it prints anything, so that a usage error
 * never leaves half a record behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rcumap/rcumap.h>

#include "rcumapctl.h"

/* Default number of entries per RCUMAP_IOC_BATCH_LOOKUP of "dump". */
#define DUMP_BATCH	64

/**
 * usage_msg() - Record a usage error for the session to report.
 * @s: Session.
 * @fmt: printf() format of the message.
 *
 * Return: CMD_USAGE.
 */
int usage_msg(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	return CMD_USAGE;
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case RCUMAP_MAP_HASH:
		return "hash";
	case RCUMAP_MAP_PTAB:
		return "ptab";
	case RCUMAP_MAP_PERCPU_HASH:
		return "percpu_hash";
	case RCUMAP_MAP_LRU_HASH:
		return "lru_hash";
	}
	return "unknown";
}

static bool is_hash_like(uint32_t type)
{
	return type == RCUMAP_MAP_HASH || type == RCUMAP_MAP_PERCPU_HASH ||
	       type == RCUMAP_MAP_LRU_HASH;
}

/**
 * map_type_fits() - Whether a verb's map type admits a map.
 * @verb_type: The verb's map type: %RCUMAP_MAP_HASH for every hash-like
 *	map (hash, percpu_hash, lru_hash), %RCUMAP_MAP_PTAB for a ptab.
 * @map_type: The session's map type.
 *
 * Return: true if the verb runs on the map.
 */
bool map_type_fits(int verb_type, uint32_t map_type)
{
	if (verb_type == RCUMAP_MAP_HASH)
		return is_hash_like(map_type);
	return (uint32_t)verb_type == map_type;
}

/* What the session learns from INFO: the CPUs and a value buffer's size. */
static void session_set_info(struct session *s, const struct rcumap_info *info)
{
	s->nr_cpus = info->out_nr_cpus;
	s->value_stride = info->out_value_stride;
	/* A kernel from before the stride: a value buffer is one value. */
	if (!s->value_stride && s->map_type != RCUMAP_MAP_PERCPU_HASH)
		s->value_stride = s->value_size;
}

static void *xcalloc(size_t n, size_t size)
{
	/* One byte at least: a map may have zero-sized values. */
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		perror("rcumapctl");
		exit(EXIT_FAILED);
	}
	return p;
}

static int parse_key(struct session *s, const char *text, void *key)
{
	const char *err = parse_bytes(text, key, s->key_size);

	return err ? usage_msg(s, "key '%s': %s", text, err) : 0;
}

static int parse_value(struct session *s, const char *text, void *value)
{
	const char *err = parse_bytes(text, value, s->value_size);

	return err ? usage_msg(s, "value '%s': %s", text, err) : 0;
}

static int parse_id(struct session *s, const char *text, uint64_t *id)
{
	const char *err = parse_u64(text, id);

	return err ? usage_msg(s, "id '%s': %s", text, err) : 0;
}

static void print_count(unsigned long n)
{
	if (opt.json)
		json_ku64("count", n);
	else
		printf("%lu entr%s\n", n, n == 1 ? "y" : "ies");
}

/* ---- create and info ----------------------------------------------- */

static int get_info(struct session *s, struct rcumap_info *info)
{
	__u32 len = sizeof(*info);

	return -rcumap_map_info(s->fd, info, &len);
}

/* The words of "create TYPE ..." and where each goes. */
struct create_word {
	const char *name;
	int map_type;
	bool required;
	size_t offset;
};

static const struct create_word create_words[] = {
	{ "key", RCUMAP_MAP_HASH, true,
	  offsetof(struct rcumap_create, key_size) },
	{ "value", RCUMAP_MAP_HASH, true,
	  offsetof(struct rcumap_create, value_size) },
	{ "entries", RCUMAP_MAP_HASH, true,
	  offsetof(struct rcumap_create, max_entries) },
	{ "buckets", RCUMAP_MAP_HASH, false,
	  offsetof(struct rcumap_create, nr_buckets) },
	{ "value", RCUMAP_MAP_PTAB, true,
	  offsetof(struct rcumap_create, value_size) },
	{ "capacity", RCUMAP_MAP_PTAB, true,
	  offsetof(struct rcumap_create, max_entries) },
};

#define NR_CREATE_WORDS ARRAY_SIZE(create_words)

/* The flag words of "create hash ...", without a number after them. */
static const struct {
	const char *name;
	uint32_t flag;
} create_flags[] = {
	{ "resize", RCUMAP_CREATE_RESIZE },
	{ "shrink", RCUMAP_CREATE_SHRINK },
};

static bool is_create_flag(const char *word, uint32_t *flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(create_flags); i++) {
		if (!strcmp(word, create_flags[i].name)) {
			*flag = create_flags[i].flag;
			return true;
		}
	}
	return false;
}

/* Print enum rcumap_create_flags: "resize shrink", or "none". */
static void print_create_flags(uint32_t flags)
{
	bool any = false;

	if (opt.json) {
		json_key("create_flags");
		json_open('[');
		for (size_t i = 0; i < ARRAY_SIZE(create_flags); i++)
			if (flags & create_flags[i].flag)
				json_str(create_flags[i].name);
		json_close(']');
		return;
	}
	printf("%-12s", "create_flags");
	for (size_t i = 0; i < ARRAY_SIZE(create_flags); i++) {
		if (flags & create_flags[i].flag) {
			printf(" %s", create_flags[i].name);
			flags &= ~create_flags[i].flag;
			any = true;
		}
	}
	if (flags)
		printf(" %#x", flags);
	printf("%s\n", any || flags ? "" : " none");
}

static int cmd_create(struct session *s, int argc, char **argv)
{
	LIBRCUMAP_OPTS(rcumap_create_opts, opts);
	struct rcumap_create c = { .size = sizeof(c) };
	bool seen[NR_CREATE_WORDS] = { false };
	struct rcumap_info info;
	const char *err;
	int words, ret;

	if (!strcmp(argv[0], "hash"))
		c.map_type = RCUMAP_MAP_HASH;
	else if (!strcmp(argv[0], "percpu_hash"))
		c.map_type = RCUMAP_MAP_PERCPU_HASH;
	else if (!strcmp(argv[0], "lru_hash"))
		c.map_type = RCUMAP_MAP_LRU_HASH;
	else if (!strcmp(argv[0], "ptab"))
		c.map_type = RCUMAP_MAP_PTAB;
	else
		return usage_msg(s, "unknown map type '%s' (hash, percpu_hash, lru_hash or ptab)",
				 argv[0]);
	/* The hash-like types take the words of hash. */
	words = is_hash_like(c.map_type) ? RCUMAP_MAP_HASH : RCUMAP_MAP_PTAB;
	for (int i = 1; i < argc; i += 2) {
		uint32_t flag;
		size_t w;

		/* A flag word stands alone: step back one word. */
		if (words == RCUMAP_MAP_HASH && is_create_flag(argv[i], &flag)) {
			if (c.flags & flag)
				return usage_msg(s, "%s: '%s' given twice",
						 argv[0], argv[i]);
			c.flags |= flag;
			i--;
			continue;
		}
		for (w = 0; w < NR_CREATE_WORDS; w++)
			if (create_words[w].map_type == words &&
			    !strcmp(create_words[w].name, argv[i]))
				break;
		if (w == NR_CREATE_WORDS)
			return usage_msg(s, "%s: unknown word '%s' (%s)",
					 argv[0], argv[i],
					 words == RCUMAP_MAP_HASH ?
					 "key, value, entries, buckets, resize or shrink" :
					 "value or capacity");
		if (seen[w])
			return usage_msg(s, "%s: '%s' given twice", argv[0],
					 argv[i]);
		if (i + 1 == argc)
			return usage_msg(s, "%s: '%s' needs a number", argv[0],
					 argv[i]);
		err = parse_u32(argv[i + 1],
				(uint32_t *)((char *)&c + create_words[w].offset));
		if (err)
			return usage_msg(s, "%s %s '%s': %s", argv[0], argv[i],
					 argv[i + 1], err);
		seen[w] = true;
	}
	for (size_t w = 0; w < NR_CREATE_WORDS; w++)
		if (create_words[w].map_type == words &&
		    create_words[w].required && !seen[w])
			return usage_msg(s, "%s: '%s N' is missing", argv[0],
					 create_words[w].name);

	if (s->fd < 0) {
		s->fd = open(opt.device, O_RDWR | O_CLOEXEC);
		if (s->fd < 0) {
			s->detail = opt.device;
			return errno;
		}
	}
	opts.map_flags = c.flags;
	opts.nr_buckets = c.nr_buckets;
	ret = -rcumap_map_create_fd(s->fd, c.map_type, c.key_size,
				    c.value_size, c.max_entries, &opts);
	if (ret)
		return ret;
	s->have_map = true;
	s->map_type = c.map_type;
	s->key_size = c.key_size;
	s->value_size = c.value_size;
	ret = get_info(s, &info);
	if (ret) {
		s->detail = "info after create";
		return ret;
	}
	session_set_info(s, &info);
	if (opt.json) {
		/* The map as the kernel made it (buckets rounded up). */
		c.max_entries = info.out_max_entries;
		c.nr_buckets = info.out_nr_buckets;
		json_kstr("map_type", type_name(c.map_type));
		json_ku64("key_size", c.key_size);
		json_ku64("value_size", c.value_size);
		json_ku64("max_entries", c.max_entries);
		json_ku64("nr_buckets", c.nr_buckets);
		print_create_flags(c.flags);
	}
	return 0;
}

static int cmd_info(struct session *s, int argc, char **argv)
{
	struct rcumap_info info;
	int ret;

	(void)argc;
	(void)argv;
	ret = get_info(s, &info);
	if (ret)
		return ret;
	if (opt.json) {
		json_kstr("map_type", type_name(info.out_map_type));
		json_ku64("key_size", info.out_key_size);
		json_ku64("value_size", info.out_value_size);
		json_ku64("max_entries", info.out_max_entries);
		json_ku64("nr_buckets", info.out_nr_buckets);
		json_ku64("count", info.out_count);
		json_ku64("bytes_used", info.out_bytes_used);
		print_create_flags(info.out_create_flags);
		json_ku64("nr_cpus", info.out_nr_cpus);
		json_ku64("value_stride", info.out_value_stride);
		return 0;
	}
	printf("%-12s %s\n", "map_type", type_name(info.out_map_type));
	if (info.out_map_type == RCUMAP_MAP_PTAB) {
		printf("%-12s %u\n", "value_size", info.out_value_size);
		printf("%-12s %u\n", "capacity", info.out_max_entries);
	} else {
		printf("%-12s %u\n", "key_size", info.out_key_size);
		printf("%-12s %u\n", "value_size", info.out_value_size);
		printf("%-12s %u\n", "max_entries", info.out_max_entries);
		printf("%-12s %u\n", "nr_buckets", info.out_nr_buckets);
		print_create_flags(info.out_create_flags);
	}
	if (info.out_map_type == RCUMAP_MAP_PERCPU_HASH) {
		printf("%-12s %u\n", "nr_cpus", info.out_nr_cpus);
		printf("%-12s %u\n", "value_stride", info.out_value_stride);
	}
	printf("%-12s %u\n", "count", info.out_count);
	printf("%-12s %llu\n", "bytes_used",
	       (unsigned long long)info.out_bytes_used);
	return 0;
}

/**
 * session_adopt_fd() - Make a file received from a holder the session's.
 * @s: Session without a file.
 * @fd: An open file of /dev/rcumap that holds a map.
 *
 * Return: 0, or the errno of RCUMAP_IOC_INFO.
 */
int session_adopt_fd(struct session *s, int fd)
{
	struct rcumap_info info;
	int ret;

	s->fd = fd;
	ret = get_info(s, &info);
	if (ret)
		return ret;
	s->have_map = true;
	s->map_type = info.out_map_type;
	s->key_size = info.out_key_size;
	s->value_size = info.out_value_size;
	session_set_info(s, &info);
	return 0;
}

/* ---- hash maps ----------------------------------------------------- */

/* One CPU's value in a per-CPU value buffer: value_size rounded up to 8. */
static size_t percpu_stride(const struct session *s)
{
	return (s->value_size + 7) & ~(size_t)7;
}

/*
 * A key and its value buffer.  A per-CPU map's holds nr_cpus values:
 * text, a line "key K cpu N value V" per CPU; JSON, "key" and "values",
 * an array of {"cpu": N, "value": V}.  N counts the possible CPUs in
 * order, as the value buffer does (the CPU number itself unless the
 * possible CPUs have holes).
 */
static void print_entry(const struct session *s, const void *key,
			const uint8_t *values)
{
	if (s->map_type != RCUMAP_MAP_PERCPU_HASH) {
		print_kv("key", key, s->key_size, "value", values,
			 s->value_size);
		return;
	}
	if (opt.json) {
		json_bytes("key", key, s->key_size);
		json_key("values");
		json_open('[');
		for (uint32_t c = 0; c < s->nr_cpus; c++) {
			json_open('{');
			json_ku64("cpu", c);
			json_bytes("value", values + c * percpu_stride(s),
				   s->value_size);
			json_close('}');
		}
		json_close(']');
		return;
	}
	for (uint32_t c = 0; c < s->nr_cpus; c++) {
		char *ks = format_bytes(key, s->key_size);
		char *vs = format_bytes(values + c * percpu_stride(s),
					s->value_size);

		printf("key %s cpu %u value %s\n", ks, c, vs);
		free(ks);
		free(vs);
	}
}

static bool is_update_flag(const char *word, uint32_t *flags)
{
	static const char *const names[] = {
		[RCUMAP_UPDATE_ANY] = "any",
		[RCUMAP_UPDATE_NOEXIST] = "noexist",
		[RCUMAP_UPDATE_EXIST] = "exist",
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(word, names[i])) {
			*flags = i;
			return true;
		}
	}
	return false;
}

static int cmd_update(struct session *s, int argc, char **argv)
{
	uint8_t *key = xcalloc(1, s->key_size), *value = xcalloc(1, s->value_stride);
	const char *vtext = NULL, *ftext = NULL;
	uint32_t flags = RCUMAP_UPDATE_ANY;
	int ret;

	if (argc == 3) {
		vtext = argv[1];
		ftext = argv[2];
	} else if (argc == 2) {
		if (!s->value_size && is_update_flag(argv[1], &flags))
			ftext = argv[1];
		else
			vtext = argv[1];
	}
	ret = parse_key(s, argv[0], key);
	if (ret)
		goto out;
	if (vtext) {
		ret = parse_value(s, vtext, value);
		if (ret)
			goto out;
		/* A per-CPU map: the same value on every CPU. */
		for (uint32_t c = 1; s->map_type == RCUMAP_MAP_PERCPU_HASH &&
		     c < s->nr_cpus; c++)
			memcpy(value + c * percpu_stride(s), value,
			       s->value_size);
	} else if (s->value_size) {
		ret = usage_msg(s, "usage: update KEY VALUE [any|noexist|exist]");
		goto out;
	}
	if (ftext && !is_update_flag(ftext, &flags)) {
		ret = usage_msg(s, "unknown flag '%s' (any, noexist or exist)",
				ftext);
		goto out;
	}
	ret = -rcumap_map_update_elem(s->fd, key, s->value_size ? value : NULL,
				      flags);
out:
	free(key);
	free(value);
	return ret;
}

/* rcumap_map_delete_elem() in the shape of the other two. */
static int delete_elem(int fd, const void *key, void *value)
{
	(void)value;
	return rcumap_map_delete_elem(fd, key);
}

/* Lookup, delete and lookup-and-delete: one key, and maybe its value. */
static int elem_op(struct session *s, const char *ktext,
		   int (*op)(int fd, const void *key, void *value))
{
	uint8_t *key = xcalloc(1, s->key_size), *value = xcalloc(1, s->value_stride);
	int ret;

	ret = parse_key(s, ktext, key);
	if (ret)
		goto out;
	ret = -op(s->fd, key, s->value_size ? value : NULL);
	if (!ret && op != delete_elem)
		print_entry(s, key, value);
out:
	free(key);
	free(value);
	return ret;
}

static int cmd_lookup(struct session *s, int argc, char **argv)
{
	(void)argc;
	return elem_op(s, argv[0], rcumap_map_lookup_elem);
}

static int cmd_delete(struct session *s, int argc, char **argv)
{
	(void)argc;
	return elem_op(s, argv[0], delete_elem);
}

static int cmd_lookup_and_delete(struct session *s, int argc, char **argv)
{
	(void)argc;
	return elem_op(s, argv[0], rcumap_map_lookup_and_delete_elem);
}

/*
 * "lookup-bulk KEY...": every key in one rcumap_map_lookup_bulk() call.
 * Each key gets its entry, or "not found"; then how many were found.
 */
static int cmd_lookup_bulk(struct session *s, int argc, char **argv)
{
	uint8_t *keys = xcalloc(argc, s->key_size);
	uint8_t *values = xcalloc(argc, s->value_stride);
	__u32 *status = xcalloc(argc, sizeof(*status));
	__u32 count = argc, found = 0;
	int ret = 0, i;

	for (i = 0; i < argc && !ret; i++)
		ret = parse_key(s, argv[i], keys + (size_t)i * s->key_size);
	if (ret)
		goto out;
	ret = -rcumap_map_lookup_bulk(s->fd, keys, s->value_size ? values : NULL,
				      status, &count, &found, NULL);
	if (!ret && (count != (__u32)argc || found > count)) {
		s->detail = "the device looked up another number of keys";
		ret = EPROTO;
	}
	if (ret)
		goto out;
	if (opt.json) {
		json_key("entries");
		json_open('[');
	}
	for (i = 0; i < argc; i++) {
		const uint8_t *key = keys + (size_t)i * s->key_size;

		if (opt.json)
			json_open('{');
		if (!status[i]) {
			print_entry(s, key, values + (size_t)i * s->value_stride);
		} else if (opt.json) {
			json_bytes("key", key, s->key_size);
		} else {
			char *text = format_bytes(key, s->key_size);

			printf("key %s not found\n", text);
			free(text);
		}
		if (opt.json) {
			json_key("found");
			json_bool(!status[i]);
			json_close('}');
		}
	}
	if (opt.json) {
		json_close(']');
		json_ku64("found", found);
	} else {
		printf("%u of %d found\n", found, argc);
	}
out:
	free(keys);
	free(values);
	free(status);
	return ret;
}

/* Whether @word is "ordered", the word of an ordered walk. */
static bool is_ordered(const char *word)
{
	return !strcmp(word, "ordered");
}

static int cmd_getnext(struct session *s, int argc, char **argv)
{
	uint8_t *key = xcalloc(1, s->key_size), *next = xcalloc(1, s->key_size);
	int (*get_next)(int fd, const void *key, void *next_key) =
		rcumap_map_get_next_key;
	bool have_key = false;
	int ret = 0;

	if (argc && is_ordered(argv[0])) {
		get_next = rcumap_map_get_next_key_ordered;
		argc--;
		argv++;
	}
	if (argc > 1) {
		ret = usage_msg(s, "usage: getnext [ordered] [KEY]");
		goto out;
	}
	if (argc) {
		ret = parse_key(s, argv[0], key);
		if (ret)
			goto out;
		have_key = true;
	}
	ret = -get_next(s->fd, have_key ? key : NULL, next);
	if (!ret)
		print_kv("next_key", next, s->key_size, NULL, NULL, 0);
out:
	free(key);
	free(next);
	return ret;
}

/*
 * "dump" of a hash map: a walk with rcumap_map_lookup_batch(), by position
 * (the token is a cursor) or, @ordered, in the map's order of keys (the
 * token is the last key of the call before).
 */
static int dump_hash(struct session *s, uint32_t batch, bool ordered)
{
	LIBRCUMAP_OPTS(rcumap_batch_opts, opts,
		       .flags = ordered ? RCUMAP_WALK_ORDERED : 0);
	uint8_t *keys = xcalloc(batch, s->key_size);
	uint8_t *values = xcalloc(batch, s->value_stride);
	uint8_t *token = xcalloc(1, RCUMAP_BATCH_TOKEN_SIZE(s->key_size));
	uint64_t cursor = 0, out_cursor;
	unsigned long total = 0;
	bool started = false;
	uint32_t count;
	int ret;

	if (opt.json) {
		json_key("entries");
		json_open('[');
	}
	for (;;) {
		count = batch;
		ret = -rcumap_map_lookup_batch(s->fd, started ? token : NULL,
					       token, keys,
					       s->value_size ? values : NULL,
					       &count, &opts);
		if (ret && ret != ENOENT)
			break;
		if (count > batch) {
			s->detail = "the device returned more entries than asked for";
			ret = EPROTO;
			break;
		}
		for (uint32_t i = 0; i < count; i++) {
			if (opt.json)
				json_open('{');
			print_entry(s, keys + (size_t)i * s->key_size,
				    values + (size_t)i * s->value_stride);
			if (opt.json)
				json_close('}');
		}
		total += count;
		if (ret == ENOENT) {
			ret = 0;
			break;
		}
		/* A positional token is the cursor, always written. */
		if (!ordered)
			memcpy(&out_cursor, token, sizeof(out_cursor));
		if (!count && (ordered || out_cursor == cursor)) {
			s->detail = "the walk made no progress";
			ret = EPROTO;
			break;
		}
		if (!ordered)
			cursor = out_cursor;
		started = true;
	}
	if (opt.json)
		json_close(']');
	print_count(total);
	free(keys);
	free(values);
	free(token);
	return ret;
}

/* "dump" of a process table, and "ptab list": a walk with PTAB_NEXT. */
static int dump_ptab(struct session *s)
{
	uint8_t *value = xcalloc(1, s->value_size);
	unsigned long total = 0;
	uint64_t id = 0;
	int ret;

	if (opt.json) {
		json_key("entries");
		json_open('[');
	}
	for (;;) {
		__u64 next;

		ret = -rcumap_map_ptab_next(s->fd, id, &next, value);
		if (ret == ENOENT) {
			ret = 0;
			break;
		}
		if (ret)
			break;
		if (next < id) {
			s->detail = "the walk went backwards";
			ret = EPROTO;
			break;
		}
		if (opt.json)
			json_open('{');
		print_id_value(next, value, s->value_size);
		if (opt.json)
			json_close('}');
		total++;
		if (next == UINT64_MAX)
			break;
		id = next + 1;
	}
	if (opt.json)
		json_close(']');
	print_count(total);
	free(value);
	return ret;
}

static int cmd_dump(struct session *s, int argc, char **argv)
{
	uint32_t batch = DUMP_BATCH;
	bool ordered = false;
	const char *err;

	if (argc && is_ordered(argv[0])) {
		if (!is_hash_like(s->map_type))
			return usage_msg(s, "ordered: for hash maps (a process table is walked in id order)");
		ordered = true;
		argc--;
		argv++;
	}
	if (argc) {
		if (argc != 2 || strcmp(argv[0], "count"))
			return usage_msg(s, "usage: dump [ordered] [count N]");
		if (!is_hash_like(s->map_type))
			return usage_msg(s, "count: only a hash map is dumped in batches");
		err = parse_u32(argv[1], &batch);
		if (err)
			return usage_msg(s, "count '%s': %s", argv[1], err);
		if (!batch || batch > 65536)
			return usage_msg(s, "count '%s': from 1 to 65536",
					 argv[1]);
	}
	if (s->map_type == RCUMAP_MAP_PTAB)
		return dump_ptab(s);
	return dump_hash(s, batch, ordered);
}

static int cmd_resize(struct session *s, int argc, char **argv)
{
	struct rcumap_info info;
	uint32_t nr_buckets;
	const char *err;
	int ret;

	(void)argc;
	err = parse_u32(argv[0], &nr_buckets);
	if (err)
		return usage_msg(s, "buckets '%s': %s", argv[0], err);
	ret = -rcumap_map_resize(s->fd, nr_buckets);
	if (ret)
		return ret;
	/* The count the kernel made (a power of two). */
	if (opt.json && !get_info(s, &info))
		json_ku64("nr_buckets", info.out_nr_buckets);
	return 0;
}

/* Walks that a resize may spoil before "stats" gives up. */
#define STATS_TRIES	4

/*
 * "stats": how many buckets hold each number of keys, and the longest.
 * The last counter, RCUMAP_STATS_MAX_HIST - 1, takes every longer bucket.
 */
static int cmd_stats(struct session *s, int argc, char **argv)
{
	uint32_t hist[RCUMAP_STATS_MAX_HIST], nr_buckets, longest, top, i;
	uint64_t keys = 0;
	int ret, tries = 0;

	(void)argc;
	(void)argv;
	/* EAGAIN: the map resized under the walk, which mixes two tables. */
	do
		ret = -rcumap_map_bucket_stats(s->fd, hist, RCUMAP_STATS_MAX_HIST,
					       &nr_buckets, &longest);
	while (ret == EAGAIN && ++tries < STATS_TRIES);
	if (ret) {
		if (ret == EAGAIN)
			s->detail = "stats: the map kept resizing";
		return ret;
	}
	top = longest < RCUMAP_STATS_MAX_HIST ? longest :
						 RCUMAP_STATS_MAX_HIST - 1;
	for (i = 0; i <= top; i++)
		keys += (uint64_t)i * hist[i];
	if (opt.json) {
		json_ku64("nr_buckets", nr_buckets);
		json_ku64("longest", longest);
		json_key("histogram");
		json_open('[');
		for (i = 0; i <= top; i++)
			json_u64(hist[i]);
		json_close(']');
		return 0;
	}
	printf("%-12s %u\n", "nr_buckets", nr_buckets);
	printf("%-12s %u\n", "longest", longest);
	if (longest < RCUMAP_STATS_MAX_HIST)
		printf("%-12s %llu\n", "keys", (unsigned long long)keys);
	for (i = 0; i <= top; i++)
		printf("length %u%s %u\n", i,
		       i == RCUMAP_STATS_MAX_HIST - 1 ? "+" : "", hist[i]);
	return 0;
}

/* ---- process tables ------------------------------------------------ */

static int cmd_ptab_insert(struct session *s, int argc, char **argv)
{
	uint8_t *value = xcalloc(1, s->value_size);
	__u64 id;
	int ret;

	(void)argc;
	ret = parse_value(s, argv[0], value);
	if (ret)
		goto out;
	ret = -rcumap_map_ptab_insert(s->fd, value, &id);
	if (!ret)
		print_id_value(id, NULL, 0);
out:
	free(value);
	return ret;
}

static int ptab_elem_op(struct session *s, const char *idtext,
			int (*op)(int fd, __u64 id, void *value))
{
	uint8_t *value = xcalloc(1, s->value_size);
	uint64_t id;
	int ret;

	ret = parse_id(s, idtext, &id);
	if (ret)
		goto out;
	ret = -op(s->fd, id, value);
	if (!ret)
		print_id_value(id, value, s->value_size);
out:
	free(value);
	return ret;
}

static int cmd_ptab_lookup(struct session *s, int argc, char **argv)
{
	(void)argc;
	return ptab_elem_op(s, argv[0], rcumap_map_ptab_lookup);
}

static int cmd_ptab_remove(struct session *s, int argc, char **argv)
{
	(void)argc;
	return ptab_elem_op(s, argv[0], rcumap_map_ptab_remove);
}

static int cmd_ptab_list(struct session *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return dump_ptab(s);
}

/* ---- the table ----------------------------------------------------- */

#define ANY_MAP	0
/* Keys of one "lookup-bulk": as many as a command line holds. */
#define LOOKUP_BULK_MAX	4096
#define NO_MAP	(-1)

static const struct verb verbs[] = {
	{ "create", NO_MAP, 1, 11, cmd_create,
	  "create hash key N value N entries N [buckets N] [resize [shrink]]\n"
	  "create percpu_hash|lru_hash (the words of hash)\n"
	  "create ptab value N capacity N" },
	{ "info", ANY_MAP, 0, 0, cmd_info, "info" },
	{ "dump", ANY_MAP, 0, 3, cmd_dump, "dump [ordered] [count N]" },
	{ "update", RCUMAP_MAP_HASH, 1, 3, cmd_update,
	  "update KEY VALUE [any|noexist|exist]" },
	{ "lookup", RCUMAP_MAP_HASH, 1, 1, cmd_lookup, "lookup KEY" },
	{ "lookup-bulk", RCUMAP_MAP_HASH, 1, LOOKUP_BULK_MAX, cmd_lookup_bulk,
	  "lookup-bulk KEY [KEY...]" },
	{ "delete", RCUMAP_MAP_HASH, 1, 1, cmd_delete, "delete KEY" },
	{ "lookup-and-delete", RCUMAP_MAP_HASH, 1, 1, cmd_lookup_and_delete,
	  "lookup-and-delete KEY" },
	{ "getnext", RCUMAP_MAP_HASH, 0, 2, cmd_getnext,
	  "getnext [ordered] [KEY]" },
	{ "resize", RCUMAP_MAP_HASH, 1, 1, cmd_resize, "resize NBUCKETS" },
	{ "stats", RCUMAP_MAP_HASH, 0, 0, cmd_stats, "stats" },
	{ "ptab insert", RCUMAP_MAP_PTAB, 1, 1, cmd_ptab_insert,
	  "ptab insert VALUE" },
	{ "ptab lookup", RCUMAP_MAP_PTAB, 1, 1, cmd_ptab_lookup,
	  "ptab lookup ID" },
	{ "ptab remove", RCUMAP_MAP_PTAB, 1, 1, cmd_ptab_remove,
	  "ptab remove ID" },
	{ "ptab list", RCUMAP_MAP_PTAB, 0, 0, cmd_ptab_list, "ptab list" },
	{ "stop", NO_MAP, 0, 0, cmd_stop, "stop" },
};

/**
 * find_verb() - The verb a command starts with.
 * @argc: Words of the command.
 * @argv: The words.
 * @name_words: Set to how many words the verb's name takes (1 or 2).
 *
 * Return: The verb, or NULL.
 */
const struct verb *find_verb(int argc, char **argv, int *name_words)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		const char *name = verbs[i].name, *sp = strchr(name, ' ');

		if (!sp && !strcmp(argv[0], name)) {
			*name_words = 1;
			return &verbs[i];
		}
		if (sp && argc >= 2 && !strncmp(argv[0], name, sp - name) &&
		    !argv[0][sp - name] && !strcmp(argv[1], sp + 1)) {
			*name_words = 2;
			return &verbs[i];
		}
	}
	return NULL;
}

/* Type names for the messages of the session. */
const char *verb_map_name(const struct verb *v)
{
	return type_name(v->map_type);
}

const char *map_type_name(uint32_t type)
{
	return type_name(type);
}
