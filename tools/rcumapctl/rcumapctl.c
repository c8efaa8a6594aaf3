// SPDX-License-Identifier: GPL-2.0
/*
 * rcumapctl - make and use maps of /dev/rcumap from the shell.
 *
 * A map lives as long as the open file that made it, so one invocation is
 * one session on one file: its commands come from the command line
 * (separated by "--" or ";"), from a batch file, or run on a map kept
 * alive by a holder process ("serve", "-s").  This file holds main(), the
 * options, the sessions and the holder; cmd.c has the commands.  See
 * rcumapctl.8 for the user's view.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rcumapctl.h"

struct options opt = { .device = RCUMAP_DEVICE };

static const char help_text[] =
"Usage: rcumapctl [OPTIONS] COMMAND [ARGS] [-- COMMAND [ARGS]]...\n"
"       rcumapctl [OPTIONS] batch FILE|-\n"
"       rcumapctl [OPTIONS] serve SOCKET create ... [-- COMMAND [ARGS]]...\n"
"       rcumapctl [OPTIONS] -s SOCKET COMMAND [ARGS] [-- COMMAND [ARGS]]...\n"
"\n"
"A map of /dev/rcumap lives as long as the file that made it, so the\n"
"commands of one invocation all run on one map: the first is \"create\"\n"
"(unless -s), and a word \"--\" or \";\" separates commands.\n"
"\n"
"Commands:\n"
"  create hash key N value N entries N [buckets N] [resize [shrink]]\n"
"                          resize: grow by itself; shrink: and shrink back\n"
"  create percpu_hash ...  the words of hash: one value per possible CPU\n"
"  create lru_hash ...     the words of hash: evicts when full\n"
"  create ptab value N capacity N\n"
"  info                    type, sizes, count and memory use of the map\n"
"  dump [ordered] [count N]\n"
"                          every entry (hash: N entries per ioctl, 64;\n"
"                          ordered: in the map's order of keys, exact\n"
"                          while the map changes or resizes)\n"
"  update KEY VALUE [any|noexist|exist]\n"
"                          percpu_hash: VALUE for every CPU\n"
"  lookup KEY\n"
"  lookup-bulk KEY [KEY...] every KEY in one ioctl; a missing one is no error\n"
"  delete KEY\n"
"  lookup-and-delete KEY\n"
"  getnext [ordered] [KEY] the key after KEY, or the first key\n"
"  resize NBUCKETS         a new bucket count (rounded up to a power of 2)\n"
"  stats                   how many buckets hold 0, 1, 2... keys, and the\n"
"                          longest bucket (hash maps)\n"
"  ptab insert VALUE       prints the new entry's id\n"
"  ptab lookup ID\n"
"  ptab remove ID          prints the value it removed\n"
"  ptab list               every entry, in id order\n"
"  stop                    end the holder process of -s SOCKET\n"
"  ! [ERRNO] COMMAND       COMMAND must fail (with ERRNO, e.g. ENOENT)\n"
"\n"
"KEY and VALUE: an integer (42, 0x2a, -1; stored little-endian),\n"
"hex:2a00ff (bytes in memory order) or str:TEXT; one shorter than the\n"
"map's size is padded with zero bytes.  ID: an integer.\n"
"\n"
"Sessions:\n"
"  batch FILE|-            run FILE (- for stdin): commands a line, \";\"\n"
"                          between commands, # comments, quotes as in sh;\n"
"                          stops at the first failure (see -k)\n"
"  serve SOCKET CMDS...    run CMDS, then keep the map in a background\n"
"                          process that lends it to \"rcumapctl -s SOCKET\"\n"
"\n"
"Options (before the first command):\n"
"  -j, --json              JSON on stdout: an object per command, in an\n"
"                          array for batch and for several commands\n"
"  -x, --hex               print keys and values as hex:BYTES in full\n"
"  -e, --echo              print each command (\"> COMMAND\") before it runs\n"
"  -k, --keep-going        go on after a command fails\n"
"  -d, --device PATH       the device (default " RCUMAP_DEVICE ")\n"
"  -s, --socket PATH       use the map of \"rcumapctl serve PATH\"\n"
"  -h, --help              print this help\n"
"  -V, --version           print the version\n"
"\n"
"Exit status: 0 success, 1 an operation failed, 2 a usage error.\n"
"See rcumapctl(8).\n";

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "hex", no_argument, NULL, 'x' },
	{ "echo", no_argument, NULL, 'e' },
	{ "keep-going", no_argument, NULL, 'k' },
	{ "device", required_argument, NULL, 'd' },
	{ "socket", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char short_options[] = "+jxekd:s:hV";

static __attribute__((noreturn, format(printf, 1, 2)))
void usage_exit(const char *fmt, ...)
{
	va_list ap;

	fputs("rcumapctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'rcumapctl --help'.\n", stderr);
	exit(EXIT_USAGE);
}

/* "No such file or directory (ENOENT)", or strerror() alone. */
static const char *errno_text(int err)
{
	static char text[160];
	const char *name = errno_name(err);

	if (name)
		snprintf(text, sizeof(text), "%s (%s)", strerror(err), name);
	else
		snprintf(text, sizeof(text), "%s", strerror(err));
	return text;
}

static __attribute__((noreturn))
void fail_exit(const char *what, int err)
{
	fflush(stdout);
	fprintf(stderr, "rcumapctl: %s: %s\n", what, errno_text(err));
	exit(EXIT_FAILED);
}

/* ---- one command --------------------------------------------------- */

/* Whether @word is one of the global options, misplaced after a command. */
static bool is_option_word(const char *word)
{
	if (word[0] != '-' || !word[1])
		return false;
	if (word[1] == '-') {
		for (const struct option *o = long_options; o->name; o++)
			if (!strcmp(word + 2, o->name))
				return true;
		return false;
	}
	return !word[2] && word[1] != ':' && strchr(short_options + 1, word[1]);
}

static void json_error(const char *kind, int err, const char *message)
{
	json_key("error");
	json_open('{');
	json_kstr("kind", kind);
	if (err) {
		if (errno_name(err))
			json_kstr("name", errno_name(err));
		json_ku64("errno", err);
	}
	json_kstr("message", message);
	json_close('}');
}

/* "rcumapctl: WHERE: NAME: TEXT" on stderr. */
static void report(const char *where, const char *name, const char *text)
{
	fflush(stdout);
	fprintf(stderr, "rcumapctl: %s%s%s%s%s\n", where ? where : "",
		where ? ": " : "", name ? name : "", name ? ": " : "", text);
}

/**
 * run_one() - Run one command of a session and report how it went.
 * @s: Session.
 * @argc: Words of the command.
 * @argv: The words; the first may be "!" or "!ERRNO".
 * @where: Where the command came from ("FILE:LINE"), or NULL.
 * @line: Its line in a batch file, or 0.
 *
 * Return: EXIT_OK, EXIT_FAILED or EXIT_USAGE.
 */
static int run_one(struct session *s, int argc, char **argv,
		   const char *where, int line)
{
	const struct verb *v = NULL;
	const char *name = NULL, *expect_name = NULL;
	bool expect_fail = false;
	int expect = 0, words, ret, status;
	char text[1024];

	s->detail = NULL;
	s->msg[0] = '\0';
	if (opt.echo && !opt.json) {
		char *joined = join_words(argc, argv);

		printf("> %s\n", joined);
		free(joined);
	}
	if (opt.json) {
		json_open('{');
		if (line)
			json_ku64("line", line);
	}

	if (argv[0][0] == '!') {
		expect_fail = true;
		expect_name = argv[0][1] ? argv[0] + 1 : NULL;
		argc--;
		argv++;
		if (!expect_name && argc && errno_by_name(argv[0])) {
			expect_name = argv[0];
			argc--;
			argv++;
		}
		if (expect_name) {
			expect = errno_by_name(expect_name);
			if (!expect) {
				ret = usage_msg(s, "!%s: not an errno name",
						expect_name);
				goto out;
			}
		}
		if (!argc) {
			ret = usage_msg(s, "! needs a command");
			goto out;
		}
	}

	v = find_verb(argc, argv, &words);
	if (!v) {
		if (!strcmp(argv[0], "ptab"))
			ret = usage_msg(s, "ptab: insert, lookup, remove or list?");
		else
			ret = usage_msg(s, "unknown command '%s'", argv[0]);
		goto out;
	}
	name = v->name;
	if (opt.json) {
		json_kstr("command", name);
		if (expect_fail)
			json_kstr("expect", expect ? errno_name(expect) : "error");
	}
	argc -= words;
	argv += words;
	for (int i = 0; i < argc; i++) {
		if (is_option_word(argv[i])) {
			ret = usage_msg(s, "%s: options go before the first command",
					argv[i]);
			goto out;
		}
	}
	if (argc < v->min_args || argc > v->max_args) {
		ret = usage_msg(s, "usage: %s", v->synopsis);
		goto out;
	}
	if (v->map_type >= 0 && !s->have_map) {
		ret = usage_msg(s, "no map: a session starts with create (or -s SOCKET)");
		goto out;
	}
	if (v->map_type > 0 && !map_type_fits(v->map_type, s->map_type)) {
		ret = usage_msg(s, "for %s maps, and this map is a %s",
				verb_map_name(v), map_type_name(s->map_type));
		goto out;
	}
	ret = v->run(s, argc, argv);

out:
	if (ret == CMD_USAGE) {
		status = EXIT_USAGE;
		report(where, name, s->msg);
		if (opt.json)
			json_error("usage", 0, s->msg);
	} else if (ret) {
		snprintf(text, sizeof(text), "%s%s%s", s->detail ? s->detail : "",
			 s->detail ? ": " : "", errno_text(ret));
		if (expect_fail && (!expect || expect == ret)) {
			status = EXIT_OK;
			if (!opt.json)
				printf("%s: %s, as expected\n", name, text);
		} else {
			status = EXIT_FAILED;
			if (expect_fail) {
				size_t n = strlen(text);

				snprintf(text + n, sizeof(text) - n,
					 ", but %s was expected", expect_name);
			}
			report(where, name, text);
		}
		if (opt.json)
			json_error("errno", ret, text);
	} else if (expect_fail) {
		status = EXIT_FAILED;
		snprintf(text, sizeof(text), "succeeded, but %s was expected",
			 expect ? errno_name(expect) : "an error");
		report(where, name, text);
		if (opt.json)
			json_error("expectation", 0, text);
	} else {
		status = EXIT_OK;
	}
	if (opt.json) {
		json_key("ok");
		json_bool(status == EXIT_OK);
		json_close('}');
	}
	fflush(stdout);
	return status;
}

/* ---- sessions ------------------------------------------------------ */

static int worse(int a, int b)
{
	return a > b ? a : b;
}

/* Split the command line at "--" and ";" into commands. */
static struct words *split_args(int argc, char **argv, int *nr_cmds)
{
	struct words *cmds = calloc(argc + 1, sizeof(*cmds));
	int n = 0;

	if (!cmds)
		fail_exit("calloc", errno);
	for (int i = 0; i < argc; i++) {
		if (is_separator(argv[i])) {
			if (cmds[n].argc)
				n++;
			continue;
		}
		if (!cmds[n].argc)
			cmds[n].argv = &argv[i];
		cmds[n].argc++;
	}
	if (cmds[n].argc)
		n++;
	*nr_cmds = n;
	return cmds;
}

/* Run commands from the command line; an array of JSON if several. */
static int run_args(struct session *s, int argc, char **argv)
{
	int nr_cmds, status = EXIT_OK;
	struct words *cmds = split_args(argc, argv, &nr_cmds);
	bool many = nr_cmds > 1;
	char where[32];

	if (!nr_cmds)
		usage_exit("no command");
	if (opt.json && many)
		json_open('[');
	for (int i = 0; i < nr_cmds; i++) {
		snprintf(where, sizeof(where), "command %d", i + 1);
		status = worse(status, run_one(s, cmds[i].argc, cmds[i].argv,
					       many ? where : NULL, 0));
		if (status && !opt.keep_going)
			break;
	}
	if (opt.json && many)
		json_close(']');
	free(cmds);
	return status;
}

/* "batch FILE": one or more commands a line. */
static int run_batch(struct session *s, const char *path)
{
	const char *label = strcmp(path, "-") ? path : "<stdin>";
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	int status = EXIT_OK, line = 0;
	char *buf = NULL, where[300];
	size_t cap = 0;
	ssize_t len;

	if (!f)
		fail_exit(path, errno);
	if (opt.json)
		json_open('[');
	while ((len = getline(&buf, &cap, f)) >= 0) {
		struct words *cmds;
		const char *err;
		int nr_cmds, st = EXIT_OK;

		line++;
		if (len && buf[len - 1] == '\n')
			buf[--len] = '\0';
		snprintf(where, sizeof(where), "%s:%d", label, line);
		if (split_line(buf, &cmds, &nr_cmds, &err)) {
			report(where, NULL, err);
			if (opt.json) {
				json_open('{');
				json_ku64("line", line);
				json_error("usage", 0, err);
				json_key("ok");
				json_bool(false);
				json_close('}');
			}
			st = EXIT_USAGE;
		}
		for (int i = 0; i < nr_cmds && (!st || opt.keep_going); i++)
			st = worse(st, run_one(s, cmds[i].argc, cmds[i].argv,
					       where, line));
		free_words(cmds, nr_cmds);
		status = worse(status, st);
		if (st && !opt.keep_going)
			break;
	}
	if (ferror(f) && !status) {
		report(label, NULL, errno_text(errno));
		status = EXIT_FAILED;
	}
	if (opt.json)
		json_close(']');
	free(buf);
	if (f != stdin)
		fclose(f);
	return status;
}

/* ---- the holder: serve and -s -------------------------------------- */

/*
 * "rcumapctl serve SOCKET ..." keeps the map's file in a background
 * process listening on a Unix socket.  A client connects and sends one
 * byte: 'F' asks for the file, which comes back with SCM_RIGHTS along with
 * the byte 'F'; 'Q' asks the holder to quit, which it confirms with 'Q'.
 * Only the holder's own user (and root) are served; the socket is made
 * with mode 0600.
 */
#define HOLDER_GIVE_FD	'F'
#define HOLDER_QUIT	'Q'

static int unix_address(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

/* Connect to the holder at @path and send it @request. */
static int holder_connect(const char *path, char request, int *sock)
{
	struct sockaddr_un sun;
	int fd, err;

	err = unix_address(path, &sun);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    send(fd, &request, 1, MSG_NOSIGNAL) != 1) {
		err = errno;
		close(fd);
		return err;
	}
	*sock = fd;
	return 0;
}

/* Get the map's file from the holder at @path. */
static int holder_get_fd(const char *path, int *map_fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct cmsghdr *cmsg;
	char reply = 0;
	struct iovec iov = { .iov_base = &reply, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	int sock, err;
	ssize_t n;

	err = holder_connect(path, HOLDER_GIVE_FD, &sock);
	if (err)
		return err;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	err = n < 0 ? errno : 0;
	close(sock);
	if (err)
		return err;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (n != 1 || reply != HOLDER_GIVE_FD || !cmsg ||
	    cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return EPROTO;
	memcpy(map_fd, CMSG_DATA(cmsg), sizeof(int));
	return 0;
}

/**
 * cmd_stop() - "stop": ask the holder of -s SOCKET to quit.
 * @s: Session.
 * @argc: Unused.
 * @argv: Unused.
 *
 * The map goes once the holder and every client have closed their files.
 *
 * Return: 0, a positive errno, or CMD_USAGE without -s.
 */
int cmd_stop(struct session *s, int argc, char **argv)
{
	char reply = 0;
	int sock, err;

	(void)argc;
	(void)argv;
	if (!opt.socket)
		return usage_msg(s, "only for a map of -s SOCKET");
	err = holder_connect(opt.socket, HOLDER_QUIT, &sock);
	if (err) {
		s->detail = opt.socket;
		return err;
	}
	if (recv(sock, &reply, 1, 0) != 1 || reply != HOLDER_QUIT)
		err = EPROTO;
	close(sock);
	return err;
}

static volatile sig_atomic_t holder_quit;

static void holder_signal(int sig)
{
	(void)sig;
	holder_quit = 1;
}

/*
 * Serve one client of the holder.  Return the connection if it asks us to
 * quit (the holder confirms once it has let go of the map), else -1.
 */
static int holder_serve_one(int conn, int map_fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct timeval timeout = { .tv_sec = 5 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char request;
	struct iovec iov = { .iov_base = &request, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    (cred.uid != 0 && cred.uid != getuid()))
		goto out;
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (recv(conn, &request, 1, 0) != 1)
		goto out;
	if (request == HOLDER_QUIT)
		return conn;
	if (request != HOLDER_GIVE_FD)
		goto out;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &map_fd, sizeof(int));
	sendmsg(conn, &msg, MSG_NOSIGNAL);
out:
	close(conn);
	return -1;
}

/* Bind @path, replacing a socket whose holder is gone. */
static int holder_bind(const char *path, int *listen_fd)
{
	struct sockaddr_un sun;
	int fd, err, probe;
	mode_t mask;

	err = unix_address(path, &sun);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	mask = umask(0177);
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ? errno : 0;
	if (err == EADDRINUSE) {
		/* Stale if nobody listens; leave a live holder alone. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 &&
		    connect(probe, (struct sockaddr *)&sun, sizeof(sun)) &&
		    errno == ECONNREFUSED && !unlink(path))
			err = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ?
			      errno : 0;
		if (probe >= 0)
			close(probe);
	}
	umask(mask);
	if (!err && listen(fd, 16))
		err = errno;
	if (err) {
		close(fd);
		return err;
	}
	*listen_fd = fd;
	return 0;
}

/* The holder: lend @map_fd to whoever asks until told to quit. */
static __attribute__((noreturn))
void holder_loop(const char *path, int listen_fd, int map_fd)
{
	struct sigaction sa = { .sa_handler = holder_signal };
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
	sigset_t block, old;
	struct stat ours, now;
	int null, quit_conn = -1;

	setsid();
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (stat(path, &ours))
		memset(&ours, 0, sizeof(ours));
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (!holder_quit && quit_conn < 0) {
		int conn;

		/* Signals arrive only inside ppoll(): none is missed. */
		if (ppoll(&pfd, 1, NULL, &old) < 0)
			continue;
		conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn >= 0)
			quit_conn = holder_serve_one(conn, map_fd);
	}
	/*
	 * Let go of the map, then of the socket (only if it is still the one
	 * we made), and only then confirm "stop": once it returns, the holder
	 * no longer keeps the map or the module.
	 */
	close(map_fd);
	if (!stat(path, &now) && now.st_dev == ours.st_dev &&
	    now.st_ino == ours.st_ino)
		unlink(path);
	if (quit_conn >= 0)
		send(quit_conn, &(char){ HOLDER_QUIT }, 1, MSG_NOSIGNAL);
	exit(EXIT_OK);
}

/* "serve SOCKET CMDS...": run CMDS, then hold the map in the background. */
static int run_serve(struct session *s, int argc, char **argv)
{
	const char *path = argv[0];
	int status, listen_fd = -1, err;
	pid_t pid;

	status = run_args(s, argc - 1, argv + 1);
	if (status)
		return status;
	if (!s->have_map) {
		fflush(stdout);
		fprintf(stderr, "rcumapctl: serve: the commands made no map\n");
		return EXIT_USAGE;
	}
	err = holder_bind(path, &listen_fd);
	if (err)
		fail_exit(path, err);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fail_exit("fork", errno);
	if (pid == 0)
		holder_loop(path, listen_fd, s->fd);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct session s = { .fd = -1 };
	int c, err, map_fd;

	while ((c = getopt_long(argc, argv, short_options, long_options,
				NULL)) != -1) {
		switch (c) {
		case 'j':
			opt.json = true;
			break;
		case 'x':
			opt.hex = true;
			break;
		case 'e':
			opt.echo = true;
			break;
		case 'k':
			opt.keep_going = true;
			break;
		case 'd':
			opt.device = optarg;
			break;
		case 's':
			opt.socket = optarg;
			break;
		case 'h':
			fputs(help_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("rcumapctl %s\n", RCUMAPCTL_VERSION);
			return EXIT_OK;
		default:
			fputs("Try 'rcumapctl --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc)
		usage_exit("no command");
	if (!strcmp(argv[0], "help")) {
		fputs(help_text, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "batch") && argc != 2)
		usage_exit("usage: batch FILE|-");
	if (!strcmp(argv[0], "serve")) {
		if (opt.socket)
			usage_exit("serve: makes a map of its own; no -s");
		if (argc < 3)
			usage_exit("usage: serve SOCKET create ... [-- COMMAND]...");
		return run_serve(&s, argc - 1, argv + 1);
	}

	if (opt.socket) {
		err = holder_get_fd(opt.socket, &map_fd);
		if (err)
			fail_exit(opt.socket, err);
		err = session_adopt_fd(&s, map_fd);
		if (err)
			fail_exit("info", err);
	}
	if (!strcmp(argv[0], "batch"))
		return run_batch(&s, argv[1]);
	return run_args(&s, argc, argv);
}
