/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rcumapctl - shared declarations of the rcumap command-line tool.
 *
 * rcumapctl.c  main(), options, sessions (command line, batch, serve)
 * cmd.c        the commands: one function per verb, each a few calls of
 *              librcumap (tools/lib/rcumap)
 * text.c       errno names, keys and values as text, words, JSON output
 *
 * A session is one open file of /dev/rcumap, so one map: the map lives as
 * long as the file, and every command of one invocation runs on it.
 */
#ifndef RCUMAPCTL_H
#define RCUMAPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RCUMAPCTL_VERSION	"1.0"
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define RCUMAP_DEVICE		"/dev/rcumap"

/* Exit codes, and what a command returns to the session. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* an operation failed */
	EXIT_USAGE = 2,		/* bad command line or batch line */
};

/* A command's result besides 0 and a positive errno: the usage was wrong. */
#define CMD_USAGE	(-1)

/* Global options, set once in main(). */
struct options {
	bool json;		/* -j: JSON on stdout */
	bool hex;		/* -x: keys and values as full hex bytes */
	bool echo;		/* -e: print each command before it runs */
	bool keep_going;	/* -k: go on after a failed command */
	const char *device;	/* -d: the device node */
	const char *socket;	/* -s: take the map from a holder process */
};

extern struct options opt;

/* The map of this invocation. */
struct session {
	int fd;			/* the open device file, or -1 */
	bool have_map;		/* CREATE succeeded (or a holder sent the fd) */
	uint32_t map_type;	/* enum rcumap_map_type */
	uint32_t key_size;
	uint32_t value_size;	/* per CPU, for a per-CPU hash map */
	uint32_t nr_cpus;	/* INFO's out_nr_cpus */
	uint32_t value_stride;	/* bytes of a value buffer (every CPU's) */
	/* Set by a command that fails, for the session to report. */
	const char *detail;	/* what failed, when not the command itself */
	char msg[512];		/* the usage message of CMD_USAGE */
};

/* cmd.c */
struct verb {
	const char *name;	/* "lookup", "ptab lookup", ... */
	int map_type;		/* the map it needs: 0 for any, -1 for none */
	int min_args, max_args;	/* words after the name */
	int (*run)(struct session *s, int argc, char **argv);
	const char *synopsis;
};

const struct verb *find_verb(int argc, char **argv, int *name_words);
int usage_msg(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int session_adopt_fd(struct session *s, int fd);
const char *verb_map_name(const struct verb *v);
const char *map_type_name(uint32_t type);
bool map_type_fits(int verb_type, uint32_t map_type);

/* rcumapctl.c */
int cmd_stop(struct session *s, int argc, char **argv);

/* text.c: errno names */
const char *errno_name(int err);
int errno_by_name(const char *name);

/* text.c: numbers, keys and values */
const char *parse_u64(const char *s, uint64_t *v);
const char *parse_u32(const char *s, uint32_t *v);
const char *parse_bytes(const char *s, void *buf, size_t size);
char *format_bytes(const void *buf, size_t size);

/* text.c: words of batch lines */
struct words {
	int argc;
	char **argv;
	int line;		/* line of the batch file, 0 on the command line */
};

int split_line(const char *line, struct words **cmds, int *nr_cmds,
	       const char **err);
void free_words(struct words *cmds, int nr_cmds);
char *join_words(int argc, char **argv);
bool is_separator(const char *word);

/* text.c: JSON output */
void json_open(char c);
void json_close(char c);
void json_key(const char *key);
void json_str(const char *s);
void json_u64(uint64_t v);
void json_bool(bool v);
void json_kstr(const char *key, const char *s);
void json_ku64(const char *key, uint64_t v);
void json_bytes(const char *key, const void *buf, size_t size);

/* text.c: output of keys and values in either mode */
void print_kv(const char *kname, const void *k, size_t ksize,
	      const char *vname, const void *v, size_t vsize);
void print_id_value(uint64_t id, const void *v, size_t vsize);

#endif /* RCUMAPCTL_H */
