// SPDX-License-Identifier: GPL-2.0
/*
 * text.c - what rcumapctl reads and writes as text: errno names, numbers,
 * keys and values, the words of a batch line, JSON.
 *
 * Keys and values (see rcumapctl.8, KEYS AND VALUES):
 *   123, 0x7b, -1   an integer, stored little-endian
 *   hex:7b00ff      bytes in memory order
 *   str:text        the bytes of text
 * A key or value shorter than its size is padded with zero bytes (a
 * negative integer with 0xff bytes); one that is longer is an error.
 * Output uses the same forms, so that what rcumapctl prints can be typed
 * back in.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcumapctl.h"

/* ---- errno names --------------------------------------------------- */

#define ERRNO_NAME(e) { e, #e }
static const struct {
	int err;
	const char *name;
} errno_names[] = {
	ERRNO_NAME(EPERM), ERRNO_NAME(ENOENT), ERRNO_NAME(ESRCH),
	ERRNO_NAME(EINTR), ERRNO_NAME(EIO), ERRNO_NAME(ENXIO),
	ERRNO_NAME(E2BIG), ERRNO_NAME(ENOEXEC), ERRNO_NAME(EBADF),
	ERRNO_NAME(ECHILD), ERRNO_NAME(EAGAIN), ERRNO_NAME(ENOMEM),
	ERRNO_NAME(EACCES), ERRNO_NAME(EFAULT), ERRNO_NAME(EBUSY),
	ERRNO_NAME(EEXIST), ERRNO_NAME(EXDEV), ERRNO_NAME(ENODEV),
	ERRNO_NAME(ENOTDIR), ERRNO_NAME(EISDIR), ERRNO_NAME(EINVAL),
	ERRNO_NAME(ENFILE), ERRNO_NAME(EMFILE), ERRNO_NAME(ENOTTY),
	ERRNO_NAME(EFBIG), ERRNO_NAME(ENOSPC), ERRNO_NAME(ESPIPE),
	ERRNO_NAME(EROFS), ERRNO_NAME(EPIPE), ERRNO_NAME(ERANGE),
	ERRNO_NAME(EDEADLK), ERRNO_NAME(ENAMETOOLONG), ERRNO_NAME(ENOSYS),
	ERRNO_NAME(ENOTEMPTY), ERRNO_NAME(ELOOP), ERRNO_NAME(EOVERFLOW),
	ERRNO_NAME(EBADMSG), ERRNO_NAME(EPROTO), ERRNO_NAME(ENOTSOCK),
	ERRNO_NAME(EOPNOTSUPP), ERRNO_NAME(EADDRINUSE),
	ERRNO_NAME(ENOBUFS), ERRNO_NAME(ENOTCONN), ERRNO_NAME(ETIMEDOUT),
	ERRNO_NAME(ECONNREFUSED), ERRNO_NAME(ECANCELED),
	ERRNO_NAME(EOWNERDEAD),
	/* Kernel-internal codes that a buggy driver may leak. */
	{ 512, "ERESTARTSYS" }, { 524, "ENOTSUPP" },
};

/**
 * errno_name() - The symbolic name of an errno value.
 * @err: Positive errno value.
 *
 * Return: "ENOENT" and the like, or NULL if the value has no name here.
 */
const char *errno_name(int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

/**
 * errno_by_name() - The errno value of a symbolic name.
 * @name: "ENOENT" and the like; also the aliases ENOTSUP and EWOULDBLOCK.
 *
 * Return: The positive value, or 0 if @name is not known.
 */
int errno_by_name(const char *name)
{
	if (!strcmp(name, "ENOTSUP"))
		return ENOTSUP;
	if (!strcmp(name, "EWOULDBLOCK"))
		return EWOULDBLOCK;
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (!strcmp(errno_names[i].name, name))
			return errno_names[i].err;
	return 0;
}

/* ---- numbers ------------------------------------------------------- */

/**
 * parse_u64() - Parse an unsigned integer, decimal or 0x hex.
 * @s: The text; no sign, no spaces, nothing after the digits.
 * @v: Where the value goes.
 *
 * Return: NULL, or what is wrong with @s.
 */
const char *parse_u64(const char *s, uint64_t *v)
{
	const char *digits = s;
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = s + 2;
		base = 16;
	}
	if (!*digits)
		return "not a number";
	for (const char *p = digits; *p; p++)
		if (base == 10 ? !isdigit((unsigned char)*p) :
				 !isxdigit((unsigned char)*p))
			return "not a number";
	errno = 0;
	*v = strtoull(digits, &end, base);
	if (errno == ERANGE)
		return "does not fit in 64 bits";
	return NULL;
}

/**
 * parse_u32() - parse_u64() for values that must fit in 32 bits.
 * @s: The text.
 * @v: Where the value goes.
 *
 * Return: NULL, or what is wrong with @s.
 */
const char *parse_u32(const char *s, uint32_t *v)
{
	const char *err;
	uint64_t x;

	err = parse_u64(s, &x);
	if (err)
		return err;
	if (x > UINT32_MAX)
		return "does not fit in 32 bits";
	*v = x;
	return NULL;
}

/* ---- keys and values ----------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The message of the last failed parse, naming the sizes involved. */
static char parse_err[128];

static const char *too_long(size_t need, size_t size)
{
	snprintf(parse_err, sizeof(parse_err),
		 "needs %zu byte%s, the map has %zu", need,
		 need == 1 ? "" : "s", size);
	return parse_err;
}

static const char *parse_int(const char *s, uint8_t *buf, size_t size)
{
	bool neg = *s == '-';
	uint64_t mag, x;
	const char *err;
	size_t need;

	err = parse_u64(s + neg, &mag);
	if (err)
		return err;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return "does not fit in 64 bits";
		x = -mag;
		/* Bytes needed for the two's complement of -mag. */
		for (need = 1; need < 8; need++)
			if (mag <= (uint64_t)1 << (8 * need - 1))
				break;
		if (mag == 0)
			need = 0;
	} else {
		x = mag;
		for (need = 0; need < 8 && (x >> (8 * need)); need++)
			;
	}
	if (need > size)
		return too_long(need, size);
	for (size_t i = 0; i < size; i++)
		buf[i] = i < 8 ? x >> (8 * i) : (neg && mag ? 0xff : 0);
	return NULL;
}

/**
 * parse_bytes() - Parse a key or a value.
 * @s: An integer, "hex:BYTES" or "str:TEXT" (see the top of this file).
 * @buf: Where the @size bytes go.
 * @size: The key or value size of the map.
 *
 * Return: NULL, or what is wrong with @s.
 */
const char *parse_bytes(const char *s, void *buf, size_t size)
{
	uint8_t *b = buf;
	size_t n;

	memset(buf, 0, size);
	if (!strncmp(s, "hex:", 4)) {
		s += 4;
		n = strlen(s);
		if (n % 2)
			return "hex: needs two digits per byte";
		for (size_t i = 0; i < n; i++)
			if (hexval(s[i]) < 0)
				return "hex: takes only hex digits";
		if (n / 2 > size)
			return too_long(n / 2, size);
		for (size_t i = 0; i < n / 2; i++)
			b[i] = hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]);
		return NULL;
	}
	if (!strncmp(s, "str:", 4)) {
		n = strlen(s + 4);
		if (n > size)
			return too_long(n, size);
		memcpy(b, s + 4, n);
		return NULL;
	}
	if (isdigit((unsigned char)s[0]) ||
	    (s[0] == '-' && isdigit((unsigned char)s[1])))
		return parse_int(s, b, size);
	return "not an integer, hex:BYTES or str:TEXT";
}

/* A growing string. */
struct buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s) {
			perror("rcumapctl");
			exit(EXIT_FAILED);
		}
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void buf_hex(struct buf *b, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		buf_addc(b, digits[p[i] >> 4]);
		buf_addc(b, digits[p[i] & 15]);
	}
}

/* Characters a word can hold without quotes in a batch line. */
static bool plain_char(char c)
{
	return isalnum((unsigned char)c) || strchr("._:/@%+=,-", c);
}

/* Add @s as one word of a batch line, quoted if it has to be. */
static void buf_word(struct buf *b, const char *s)
{
	bool plain = *s && *s != '!';

	for (const char *p = s; *p && plain; p++)
		plain = plain_char(*p);
	if (plain && strcmp(s, "--")) {
		buf_add(b, s, strlen(s));
		return;
	}
	buf_addc(b, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

static uint64_t le_u64(const uint8_t *p, size_t n)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n && i < 8; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

/**
 * format_bytes() - A key or value as text that parse_bytes() reads back.
 * @buf: The bytes.
 * @size: How many.
 *
 * With -x: "hex:" and every byte.  Otherwise keys and values of up to 8
 * bytes are unsigned integers; longer ones are "str:TEXT" if they hold
 * two or more printable characters and then only zero bytes, integers if
 * all their bytes past the eighth are zero, else "hex:" and the bytes up
 * to the last non-zero one.
 *
 * Return: A string to free().
 */
char *format_bytes(const void *buf, size_t size)
{
	const uint8_t *p = buf;
	struct buf b = { 0 };
	char num[24];
	size_t len;
	bool text;

	buf_add(&b, "", 0);
	if (opt.hex) {
		buf_add(&b, "hex:", 4);
		buf_hex(&b, p, size);
		return b.s;
	}
	if (size <= 8) {
		snprintf(num, sizeof(num), "%" PRIu64, le_u64(p, size));
		buf_add(&b, num, strlen(num));
		return b.s;
	}
	for (len = size; len > 0 && !p[len - 1]; len--)
		;
	text = len >= 2;
	for (size_t i = 0; i < len && text; i++)
		text = p[i] >= 0x20 && p[i] < 0x7f;
	if (text) {
		struct buf t = { 0 };

		buf_add(&t, "str:", 4);
		buf_add(&t, (const char *)p, len);
		buf_word(&b, t.s);
		free(t.s);
		return b.s;
	}
	if (len <= 8) {
		snprintf(num, sizeof(num), "%" PRIu64, le_u64(p, len));
		buf_add(&b, num, strlen(num));
		return b.s;
	}
	buf_add(&b, "hex:", 4);
	buf_hex(&b, p, len);
	return b.s;
}

/* ---- words --------------------------------------------------------- */

/**
 * is_separator() - Whether a command-line word ends a command.
 * @word: The word.
 *
 * Return: true for "--" and ";".
 */
bool is_separator(const char *word)
{
	return !strcmp(word, "--") || !strcmp(word, ";");
}

static void add_word(struct words *w, struct buf *b)
{
	w->argv = realloc(w->argv, (w->argc + 2) * sizeof(*w->argv));
	if (!w->argv) {
		perror("rcumapctl");
		exit(EXIT_FAILED);
	}
	w->argv[w->argc++] = b->s;
	w->argv[w->argc] = NULL;
	*b = (struct buf){ 0 };
}

static void add_cmd(struct words **cmds, int *n, struct words *w)
{
	if (!w->argc)
		return;
	*cmds = realloc(*cmds, (*n + 1) * sizeof(**cmds));
	if (!*cmds) {
		perror("rcumapctl");
		exit(EXIT_FAILED);
	}
	(*cmds)[(*n)++] = *w;
	*w = (struct words){ 0 };
}

/**
 * split_line() - Split one line of a batch file into commands.
 * @line: The line, without its newline.
 * @cmds: Set to an array of commands (free with free_words()).
 * @nr_cmds: Set to its length; 0 for a blank line or a comment.
 * @err: Set to what is wrong with the line, on failure.
 *
 * Words are split at blanks as in sh: '...' is a literal quote, "..." quotes
 * with \" and \\ as escapes, a backslash outside them escapes the next
 * character, and a # that starts a word starts a comment.  An unquoted ;
 * and an unquoted word -- end a command.
 *
 * Return: 0, or -1 with @err set.
 */
int split_line(const char *line, struct words **cmds, int *nr_cmds,
	       const char **err)
{
	struct words w = { 0 };
	struct buf b = { 0 };
	bool in_word = false, quoted = false;
	const char *p = line;

	*cmds = NULL;
	*nr_cmds = 0;
	for (;;) {
		char c = *p++;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\r' ||
		    c == ';') {
			if (in_word) {
				if (!quoted && !strcmp(b.s, "--")) {
					free(b.s);
					b = (struct buf){ 0 };
					add_cmd(cmds, nr_cmds, &w);
				} else {
					add_word(&w, &b);
				}
				in_word = false;
			}
			if (c == ';')
				add_cmd(cmds, nr_cmds, &w);
			if (c == '\0')
				break;
			continue;
		}
		if (c == '#' && !in_word)
			break;
		if (!in_word) {
			in_word = true;
			quoted = false;
			buf_add(&b, "", 0);
		}
		if (c == '\\') {
			if (!*p) {
				*err = "a backslash at the end of the line";
				goto fail;
			}
			buf_addc(&b, *p++);
			quoted = true;
		} else if (c == '\'') {
			const char *q = strchr(p, '\'');

			if (!q) {
				*err = "a ' without its closing '";
				goto fail;
			}
			buf_add(&b, p, q - p);
			p = q + 1;
			quoted = true;
		} else if (c == '"') {
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				buf_addc(&b, *p++);
			}
			if (!*p) {
				*err = "a \" without its closing \"";
				goto fail;
			}
			p++;
			quoted = true;
		} else {
			buf_addc(&b, c);
		}
	}
	add_cmd(cmds, nr_cmds, &w);
	return 0;
fail:
	free(b.s);
	add_cmd(cmds, nr_cmds, &w);
	free_words(*cmds, *nr_cmds);
	*cmds = NULL;
	*nr_cmds = 0;
	return -1;
}

/**
 * free_words() - Free what split_line() made.
 * @cmds: The commands.
 * @nr_cmds: How many.
 */
void free_words(struct words *cmds, int nr_cmds)
{
	for (int i = 0; i < nr_cmds; i++) {
		for (int j = 0; j < cmds[i].argc; j++)
			free(cmds[i].argv[j]);
		free(cmds[i].argv);
	}
	free(cmds);
}

/**
 * join_words() - One command as a batch line, quoted where needed.
 * @argc: Number of words.
 * @argv: The words.
 *
 * Return: A string to free().
 */
char *join_words(int argc, char **argv)
{
	struct buf b = { 0 };

	buf_add(&b, "", 0);
	for (int i = 0; i < argc; i++) {
		if (i)
			buf_addc(&b, ' ');
		/* A leading "!" is the expectation prefix: keep it bare. */
		if (i == 0 && argv[0][0] == '!')
			buf_add(&b, argv[0], strlen(argv[0]));
		else
			buf_word(&b, argv[i]);
	}
	return b.s;
}

/* ---- JSON ---------------------------------------------------------- */

/*
 * A streaming writer: json_open()/json_close() nest objects and arrays,
 * json_key() names the next value, and commas come by themselves.  The
 * elements of a top-level array go one to a line.
 */
static int json_depth;
static bool json_first[32];
static char json_kind[32];
static bool json_after_key;

static void json_sep(void)
{
	if (json_after_key) {
		json_after_key = false;
		return;
	}
	if (json_depth && !json_first[json_depth])
		fputs(json_depth == 1 && json_kind[1] == '[' ? ",\n" : ",",
		      stdout);
	if (json_depth)
		json_first[json_depth] = false;
}

static void json_put_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

void json_open(char c)
{
	json_sep();
	putchar(c);
	if (json_depth == 0 && c == '[')
		putchar('\n');
	json_first[++json_depth] = true;
	json_kind[json_depth] = c;
}

void json_close(char c)
{
	if (json_depth == 1 && c == ']')
		putchar('\n');
	putchar(c);
	if (--json_depth == 0)
		putchar('\n');
}

void json_key(const char *key)
{
	json_sep();
	json_put_string(key);
	putchar(':');
	json_after_key = true;
}

void json_str(const char *s)
{
	json_sep();
	json_put_string(s);
}

void json_u64(uint64_t v)
{
	json_sep();
	printf("%" PRIu64, v);
}

void json_bool(bool v)
{
	json_sep();
	fputs(v ? "true" : "false", stdout);
}

void json_kstr(const char *key, const char *s)
{
	json_key(key);
	json_str(s);
}

void json_ku64(const char *key, uint64_t v)
{
	json_key(key);
	json_u64(v);
}

/**
 * json_bytes() - A key or value as JSON members.
 * @key: The member name, "key" or "value".
 * @buf: The bytes.
 * @size: How many.
 *
 * Writes "@key": every byte in hex, in memory order, and for sizes 1 to 8
 * also "@key_uint": the bytes as a little-endian unsigned integer.
 */
void json_bytes(const char *key, const void *buf, size_t size)
{
	struct buf b = { 0 };
	char name[32];

	buf_add(&b, "", 0);
	buf_hex(&b, buf, size);
	json_kstr(key, b.s);
	free(b.s);
	if (size >= 1 && size <= 8) {
		snprintf(name, sizeof(name), "%s_uint", key);
		json_ku64(name, le_u64(buf, size));
	}
}

/* ---- records ------------------------------------------------------- */

/**
 * print_kv() - Print a key and its value: a line, or JSON members.
 * @kname: Name of the key ("key", "next_key").
 * @k: The key.
 * @ksize: Its size.
 * @vname: Name of the value, or NULL for none.
 * @v: The value.
 * @vsize: Its size; a value of size 0 is not printed.
 */
void print_kv(const char *kname, const void *k, size_t ksize,
	      const char *vname, const void *v, size_t vsize)
{
	char *ks, *vs;

	if (opt.json) {
		json_bytes(kname, k, ksize);
		if (vname && vsize)
			json_bytes(vname, v, vsize);
		return;
	}
	ks = format_bytes(k, ksize);
	if (vname && vsize) {
		vs = format_bytes(v, vsize);
		printf("%s %s %s %s\n", kname, ks, vname, vs);
		free(vs);
	} else {
		printf("%s %s\n", kname, ks);
	}
	free(ks);
}

/**
 * print_id_value() - Print a process-table entry: a line, or JSON members.
 * @id: Its id.
 * @v: Its value, or NULL to print the id alone.
 * @vsize: The value size.
 */
void print_id_value(uint64_t id, const void *v, size_t vsize)
{
	char *vs;

	if (opt.json) {
		json_ku64("id", id);
		if (v)
			json_bytes("value", v, vsize);
		return;
	}
	if (!v) {
		printf("id %" PRIu64 "\n", id);
		return;
	}
	vs = format_bytes(v, vsize);
	printf("id %" PRIu64 " value %s\n", id, vs);
	free(vs);
}
