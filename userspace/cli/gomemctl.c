// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomemctl: look at and poke a gomem arena from the shell.
 *
 *   gomemctl [--dev PATH] COMMAND [OPTIONS]
 *
 * Commands: info, stats, blocks, map, arenas, trim, alloc, bench, help.  Every
 * command takes --help; those that print data take --json (one JSON object
 * on stdout).  Exit status: 0 ok; 1 an operation failed, with one line on
 * stderr naming the errno ("gomemctl: alloc: ENOMEM (Cannot allocate
 * memory)"); 2 a usage error.  docs/libgomem.md describes every command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <gomem.h>

#define DEBUGFS_ROOT	"/sys/kernel/debug/gomem"
#define CONFIGFS_ROOT	"/sys/kernel/config/gomem"

/* Options; each command accepts the subset its mask allows. */
enum {
	O_JSON = 1 << 0,
	O_FILE = 1 << 1,
	O_ARENA = 1 << 2,
	O_WIDTH = 1 << 3,
	O_ALIGN = 1 << 4,
	O_NOZERO = 1 << 5,
	O_HOLD = 1 << 6,
	O_ITER = 1 << 7,
	O_SIZE = 1 << 8,
	O_ROUNDS = 1 << 9,
	O_PAGES = 1 << 10,
	O_REGIONS = 1 << 11,
};

struct opts {
	const char *dev;
	bool json;
	const char *file;
	const char *regions;
	const char *arena;
	unsigned int width;
	uint64_t align;
	bool nozero;
	bool hold;
	uint64_t iterations;
	uint64_t size;
	unsigned int rounds;
	uint64_t pages;
	/* Positional arguments. */
	const char *pos[16];
	int npos;
};

struct command {
	const char *name;
	int (*run)(const struct command *c, struct opts *o);
	unsigned int options;
	int min_pos, max_pos;
	const char *synopsis;
	const char *help;
};

static const struct command commands[];

/* ------------------------------------------------------------------ */
/* Messages and exit codes                                             */
/* ------------------------------------------------------------------ */

#define EXIT_OP		1
#define EXIT_USAGE	2

static void usage_all(FILE *f);

static int __attribute__((format(printf, 2, 3)))
usage_error(const struct command *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gomemctl: ");
	if (c)
		fprintf(stderr, "%s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (c)
		fprintf(stderr, "\nusage: gomemctl %s\n", c->synopsis);
	else
		fprintf(stderr, "\n(gomemctl --help lists the commands)\n");
	return EXIT_USAGE;
}

/* "gomemctl: CMD: [WHAT: ]ENAME (strerror)" and exit status 1. */
static int op_error(const struct command *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int op_error(const struct command *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	fprintf(stderr, "gomemctl: %s: ", c->name);
	if (fmt) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fprintf(stderr, ": ");
	}
	fprintf(stderr, "%s (%s)\n", gomem_errname(err), strerror(err));
	return EXIT_OP;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */
/* ------------------------------------------------------------------ */

/* "1.5 MiB"; @buf of at least 32 bytes. */
static const char *human(uint64_t v, char *buf)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int u = 0;

	if (v < 1024) {
		snprintf(buf, 32, "%" PRIu64 " B", v);
		return buf;
	}
	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(buf, 32, "%.1f %s", d, unit[u]);
	return buf;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* Percent, never shown as 0.0 or 100.0 unless it is exactly that. */
static double pct(uint64_t part, uint64_t whole)
{
	double v = whole ? 100.0 * (double)part / (double)whole : 0.0;

	if (part && part < whole && v < 0.1)
		return 0.1;
	if (part < whole && v > 99.9)
		return 99.9;
	return v;
}

/* ------------------------------------------------------------------ */
/* Argument parsing                                                    */
/* ------------------------------------------------------------------ */

/* "4096", "0x1000", "4K", "4KiB", "1.5M" is refused: integers only. */
static bool parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mul = 1;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		case 't': case 'T': mul = 1ULL << 40; break;
		default: return false;
		}
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
		if (*end)
			return false;
	}
	if (v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

static bool parse_uint(const char *s, uint64_t min, uint64_t max,
		       uint64_t *out)
{
	uint64_t v;

	if (!parse_size(s, &v) || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static const struct {
	const char *name;
	unsigned int bit;
	bool arg;
} option_names[] = {
	{ "--json", O_JSON, false },
	{ "--file", O_FILE, true },
	{ "--arena", O_ARENA, true },
	{ "--width", O_WIDTH, true },
	{ "--align", O_ALIGN, true },
	{ "--nozero", O_NOZERO, false },
	{ "--hold", O_HOLD, false },
	{ "--iterations", O_ITER, true },
	{ "--size", O_SIZE, true },
	{ "--rounds", O_ROUNDS, true },
	{ "--pages", O_PAGES, true },
	{ "--regions", O_REGIONS, true },
};

static void print_help(const struct command *c, FILE *f)
{
	fprintf(f, "usage: gomemctl [--dev PATH] %s\n\n%s", c->synopsis, c->help);
}

/* Parse a command's arguments.  Return: -1 to go on, else an exit code. */
static int parse_args(const struct command *c, int argc, char **argv,
		      struct opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		char name[32];
		size_t k;
		uint64_t v;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			print_help(c, stdout);
			return 0;
		}
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++) {
				if (o->npos >= c->max_pos)
					return usage_error(c, "unexpected argument '%s'", argv[i]);
				o->pos[o->npos++] = argv[i];
			}
			break;
		}
		if (a[0] != '-' || !a[1] || (a[1] >= '0' && a[1] <= '9')) {
			if (o->npos >= c->max_pos)
				return usage_error(c, "unexpected argument '%s'", a);
			o->pos[o->npos++] = a;
			continue;
		}
		eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s",
			 (int)(eq ? (size_t)(eq - a) : strlen(a)), a);
		if (!strcmp(name, "--dev")) {
			val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val || !*val)
				return usage_error(c, "--dev needs a path");
			o->dev = val;
			continue;
		}
		for (k = 0; k < sizeof(option_names) / sizeof(option_names[0]); k++)
			if (!strcmp(name, option_names[k].name))
				break;
		if (k == sizeof(option_names) / sizeof(option_names[0]) ||
		    !(c->options & option_names[k].bit))
			return usage_error(c, "unknown option '%s'", name);
		if (option_names[k].arg) {
			val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val)
				return usage_error(c, "%s needs a value", name);
		} else if (eq) {
			return usage_error(c, "%s takes no value", name);
		}
		switch (option_names[k].bit) {
		case O_JSON: o->json = true; break;
		case O_NOZERO: o->nozero = true; break;
		case O_HOLD: o->hold = true; break;
		case O_FILE: o->file = val; break;
		case O_REGIONS: o->regions = val; break;
		case O_ARENA:
			if (!*val || strchr(val, '/'))
				return usage_error(c, "bad arena name '%s'", val);
			o->arena = val;
			break;
		case O_WIDTH:
			if (!parse_uint(val, 8, 1000, &v))
				return usage_error(c, "--width: '%s' is not a number from 8 to 1000", val);
			o->width = (unsigned int)v;
			break;
		case O_ALIGN:
			if (!parse_size(val, &o->align))
				return usage_error(c, "--align: '%s' is not a size", val);
			break;
		case O_ITER:
			if (!parse_uint(val, 64, 1000000000, &o->iterations))
				return usage_error(c, "--iterations: '%s' is not a number from 64 to 1e9", val);
			break;
		case O_SIZE:
			if (!parse_uint(val, 1, UINT32_MAX, &o->size))
				return usage_error(c, "--size: '%s' is not a size", val);
			break;
		case O_ROUNDS:
			if (!parse_uint(val, 1, 101, &v))
				return usage_error(c, "--rounds: '%s' is not a number from 1 to 101", val);
			o->rounds = (unsigned int)v;
			break;
		case O_PAGES:
			if (!parse_uint(val, 1, 65536, &o->pages))
				return usage_error(c, "--pages: '%s' is not a number from 1 to 65536", val);
			break;
		}
	}
	if (o->npos < c->min_pos)
		return usage_error(c, "missing argument");
	return -1;
}

/* ------------------------------------------------------------------ */
/* Sessions                                                            */
/* ------------------------------------------------------------------ */

static struct gomem *open_or_fail(const struct command *c,
				  const struct opts *o, int flags, int *ret)
{
	/* Each alloc and free an ioctl: no region cache in a tool. */
	struct gomem *g = gomem_open(o->dev, flags | GOMEM_LIB_NOCACHE);

	if (!g)
		*ret = op_error(c, errno, "open %s", o->dev);
	return g;
}

static const char *policy_name(uint32_t p)
{
	return p == GOMEM_POLICY_TREAP_ABI ? "treap" :
	       p == GOMEM_POLICY_AVL_ABI ? "avl" : "unknown";
}

static const char *source_name(uint32_t s)
{
	return s == GOMEM_SOURCE_VMALLOC ? "vmalloc" :
	       s == GOMEM_SOURCE_BUDDY ? "buddy" : "unknown";
}

/* ------------------------------------------------------------------ */
/* info, stats                                                         */
/* ------------------------------------------------------------------ */

static int cmd_info(const struct command *c, struct opts *o)
{
	struct gomem_info in;
	struct gomem *g;
	char b[5][32];
	int ret = 0, err;

	g = open_or_fail(c, o, GOMEM_LIB_READONLY, &ret);
	if (!g)
		return ret;
	err = gomem_info(g, &in);
	gomem_close(g);
	if (err)
		return op_error(c, err, NULL);
	if (o->json) {
		printf("{\"device\": ");
		json_string(o->dev);
		printf(", \"abi_version\": %u, \"page_size\": %u, "
		       "\"initial_size\": %llu, \"max_chunk\": %llu, "
		       "\"max_size\": %llu, \"map_size\": %llu, \"granule\": %u, "
		       "\"policy\": \"%s\", \"source\": \"%s\", "
		       "\"session_flags\": %u, \"library\": \"%s\"}\n",
		       in.abi_version, in.page_size,
		       (unsigned long long)in.initial_size,
		       (unsigned long long)in.max_chunk,
		       (unsigned long long)in.max_size,
		       (unsigned long long)in.map_size, in.granule,
		       policy_name(in.policy), source_name(in.source),
		       in.session_flags, gomem_version());
		return 0;
	}
	printf("device        %s\n", o->dev);
	printf("abi_version   %u (libgomem %s)\n", in.abi_version, gomem_version());
	printf("page_size     %u\n", in.page_size);
	printf("initial_size  %llu (%s)\n", (unsigned long long)in.initial_size,
	       human(in.initial_size, b[0]));
	printf("max_chunk     %llu (%s)\n", (unsigned long long)in.max_chunk,
	       human(in.max_chunk, b[1]));
	printf("max_size      %llu (%s)\n", (unsigned long long)in.max_size,
	       human(in.max_size, b[2]));
	printf("map_size      %llu (%s): the mmap window\n",
	       (unsigned long long)in.map_size, human(in.map_size, b[3]));
	printf("granule       %u\n", in.granule);
	printf("policy        %s\n", policy_name(in.policy));
	printf("source        %s\n", source_name(in.source));
	return 0;
}

static char *slurp(const char *path, int *err);

/*
 * stats --arena NAME: any arena's statistics from its debugfs directory
 * (NAME/stats: "key: value" lines), for arenas gomemctl has no session of
 * (private ones) or would rather not open one of.
 */
static int stats_debugfs(const struct command *c, struct opts *o)
{
	char path[512], *text, *line, *save = NULL, key[64];
	unsigned long long v;
	unsigned int n = 0;
	int err = 0, end;

	snprintf(path, sizeof(path), DEBUGFS_ROOT "/%s/stats", o->arena);
	text = slurp(path, &err);
	if (!text)
		return op_error(c, err, "%s (is debugfs mounted and readable, "
				"and is there such an arena? see gomemctl arenas)",
				path);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		end = 0;
		if (sscanf(line, "%63[a-z_]: %llu%n", key, &v, &end) != 2 ||
		    line[end]) {
			free(text);
			return op_error(c, EBADMSG, "%s: '%.60s' not understood",
					path, line);
		}
		if (o->json)
			printf("%s\"%s\": %llu", n ? ", " : "{", key, v);
		else
			printf("%-14s %llu\n", key, v);
		n++;
	}
	free(text);
	if (o->json)
		printf("%s}\n", n ? "" : "{");
	return 0;
}

static int cmd_stats(const struct command *c, struct opts *o)
{
	static const struct {
		const char *name;
		size_t off;
		bool bytes;
	} f[] = {
#define F(n, b) { #n, offsetof(struct gomem_stats, n), b }
		F(capacity, true), F(in_use, true), F(free, true),
		F(largest_free, true), F(chunks, false), F(peak_in_use, true),
		F(allocs, false), F(frees, false), F(failed_allocs, false),
		F(grows, false), F(trimmed, false), F(sessions, false),
		F(refs, false), F(tokens, false), F(orphans, false),
		F(orphan_bytes, true), F(session_in_use, true),
		F(session_regions, false), F(session_refs, false),
		F(session_ref_bytes, true), F(session_tokens, false),
		F(trim_busy, false), F(zeroed, true), F(zero_skipped, true),
		F(front_held, true), F(parked, true), F(session_parked, true),
#undef F
	};
	/* What each hand-off field counts, for the text output. */
	static const struct {
		const char *name, *note;
	} notes[] = {
		{ "sessions", "this one included" },
		{ "refs", "regions held by reference, once per session" },
		{ "tokens", "share tokens not yet claimed in full" },
		{ "orphans", "regions whose owner let go, kept for their holders" },
	};
	struct gomem_stats st;
	struct gomem *g;
	char b[32];
	int ret = 0, err;

	if (o->arena)
		return stats_debugfs(c, o);
	g = open_or_fail(c, o, GOMEM_LIB_READONLY, &ret);
	if (!g)
		return ret;
	err = gomem_stats(g, &st);
	gomem_close(g);
	if (err)
		return op_error(c, err, NULL);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint64_t v = *(const uint64_t *)((const char *)&st + f[i].off);
		const char *note = NULL;

		for (size_t k = 0; k < sizeof(notes) / sizeof(notes[0]); k++)
			if (!strcmp(notes[k].name, f[i].name))
				note = notes[k].note;
		if (o->json)
			printf("%s\"%s\": %" PRIu64, i ? ", " : "{", f[i].name, v);
		else if (!strncmp(f[i].name, "session_", 8))
			continue;	/* below, on one line */
		else if (f[i].bytes)
			printf("%-14s %" PRIu64 " (%s)\n", f[i].name, v, human(v, b));
		else
			printf("%-14s %" PRIu64 "%s%s%s\n", f[i].name, v,
			       note ? " (" : "", note ? note : "", note ? ")" : "");
	}
	if (o->json) {
		printf("}\n");
		return 0;
	}
	printf("%-14s %.1f%% of capacity\n", "used", pct(st.in_use, st.capacity));
	/* The session_* fields are the asking session's: gomemctl's own,
	 * read-only and empty, unless the module is wrong. */
	printf("%-14s in_use %" PRIu64 ", regions %" PRIu64 ", refs %" PRIu64
	       " (%s), tokens %" PRIu64 " (gomemctl's own session)\n", "session",
	       (uint64_t)st.session_in_use, (uint64_t)st.session_regions,
	       (uint64_t)st.session_refs, human(st.session_ref_bytes, b),
	       (uint64_t)st.session_tokens);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The debugfs blocks file                                             */
/* ------------------------------------------------------------------ */

struct fblock {
	uint64_t off;	/* relative to the chunk */
	uint64_t len;
};

struct chunk {
	uint64_t base, size, free_bytes, nblocks, largest;
	struct fblock *b;
	size_t n, cap;
};

struct blocks {
	struct chunk *c;
	size_t n, cap;
};

static char *slurp(const char *path, int *err)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap), *nb;
	FILE *f = fopen(path, "r");
	size_t k;

	if (!f || !buf) {
		*err = f ? ENOMEM : errno;
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	while ((k = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += k;
		if (cap - len - 1 == 0) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				*err = ENOMEM;
				fclose(f);
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		*err = errno ? errno : EIO;
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = 0;
	return buf;
}

static void blocks_free(struct blocks *bl)
{
	for (size_t i = 0; i < bl->n; i++)
		free(bl->c[i].b);
	free(bl->c);
}

static bool grow(void **v, size_t *cap, size_t n, size_t elem)
{
	void *nv;
	size_t nc;

	if (n < *cap)
		return true;
	nc = *cap ? *cap * 2 : 8;
	nv = realloc(*v, nc * elem);
	if (!nv)
		return false;
	*v = nv;
	*cap = nc;
	return true;
}

static const char *blocks_path(const struct opts *o, char *buf, size_t len)
{
	if (o->file)
		return o->file;
	snprintf(buf, len, "%s/%s/blocks", DEBUGFS_ROOT, o->arena ? o->arena : "default");
	return buf;
}

/* Read and check the blocks file.  Return: 0 or an exit code. */
static int blocks_read(const struct command *c, const struct opts *o,
		       struct blocks *bl)
{
	char pathbuf[256], *text, *line, *save = NULL;
	const char *path = blocks_path(o, pathbuf, sizeof(pathbuf));
	unsigned int lineno = 0;
	int err = 0;

	memset(bl, 0, sizeof(*bl));
	text = slurp(path, &err);
	if (!text) {
		if (err == ENOENT && !o->file)
			return op_error(c, err, "%s (is debugfs mounted, and gomem loaded?)", path);
		return op_error(c, err, "%s", path);
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long a1, a2, a3, a4;
		struct chunk *ch;

		lineno++;
		if (sscanf(line, "chunk %llu %llu free_bytes %llu blocks %llu",
			   &a1, &a2, &a3, &a4) == 4) {
			if (!grow((void **)&bl->c, &bl->cap, bl->n, sizeof(*bl->c)))
				goto nomem;
			ch = &bl->c[bl->n++];
			memset(ch, 0, sizeof(*ch));
			ch->base = a1;
			ch->size = a2;
			ch->free_bytes = a3;
			ch->nblocks = a4;
		} else if (sscanf(line, " free %llu %llu", &a1, &a2) == 2 && bl->n &&
			   a2 && a1 + a2 <= bl->c[bl->n - 1].size && a1 + a2 > a1) {
			ch = &bl->c[bl->n - 1];
			if (!grow((void **)&ch->b, &ch->cap, ch->n, sizeof(*ch->b)))
				goto nomem;
			ch->b[ch->n].off = a1;
			ch->b[ch->n].len = a2;
			ch->n++;
			if (a2 > ch->largest)
				ch->largest = a2;
		} else {
			int ret = op_error(c, EBADMSG, "%s: line %u not understood: '%.60s'",
					   path, lineno, line);

			free(text);
			blocks_free(bl);
			return ret;
		}
	}
	free(text);
	return 0;
nomem:
	free(text);
	blocks_free(bl);
	return op_error(c, ENOMEM, NULL);
}

/* ------------------------------------------------------------------ */
/* The debugfs arenas file: every arena                                */
/* ------------------------------------------------------------------ */

/*
 * One arena: "NAME KIND sessions N refs N capacity N in_use N max_size N"
 * (KIND device, private or named; refs: its arena descriptors and
 * sessions, and a named arena's configfs directory while enabled).
 */
struct arena_line {
	char name[64];
	char kind[16];
	unsigned long long sessions, refs, capacity, in_use, max_size;
};

static int cmd_arenas(const struct command *c, struct opts *o)
{
	const char *path = o->file ? o->file : DEBUGFS_ROOT "/arenas";
	char *text, *line, *save = NULL, cap[32], use[32], max[32];
	struct arena_line *v = NULL;
	size_t n = 0, ncap = 0, priv = 0, named = 0;
	unsigned int lineno = 0;
	int err = 0;

	text = slurp(path, &err);
	if (!text) {
		if ((err == ENOENT || err == EACCES) && !o->file)
			return op_error(c, err, "%s (is debugfs mounted and readable, "
					"and gomem loaded?)", path);
		return op_error(c, err, "%s", path);
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct arena_line a;
		int end = 0;

		lineno++;
		if (sscanf(line, "%63s %15s sessions %llu refs %llu capacity %llu "
			   "in_use %llu max_size %llu%n", a.name, a.kind, &a.sessions,
			   &a.refs, &a.capacity, &a.in_use, &a.max_size, &end) != 7 ||
		    line[end] || (strcmp(a.kind, "device") && strcmp(a.kind, "private") &&
				  strcmp(a.kind, "named"))) {
			free(text);
			free(v);
			return op_error(c, EBADMSG, "%s: line %u not understood: '%.60s'",
					path, lineno, line);
		}
		if (!grow((void **)&v, &ncap, n, sizeof(*v))) {
			free(text);
			free(v);
			return op_error(c, ENOMEM, NULL);
		}
		v[n++] = a;
		priv += !strcmp(a.kind, "private");
		named += !strcmp(a.kind, "named");
	}
	free(text);
	if (o->json) {
		printf("{\"arenas\": [");
		for (size_t i = 0; i < n; i++) {
			printf("%s{\"name\": ", i ? ", " : "");
			json_string(v[i].name);
			printf(", \"kind\": ");
			json_string(v[i].kind);
			printf(", \"sessions\": %llu, \"refs\": %llu, \"capacity\": %llu, "
			       "\"in_use\": %llu, \"max_size\": %llu}", v[i].sessions,
			       v[i].refs, v[i].capacity, v[i].in_use, v[i].max_size);
		}
		printf("], \"count\": %zu, \"private\": %zu, \"named\": %zu}\n", n,
		       priv, named);
		free(v);
		return 0;
	}
	printf("%-16s %-8s %8s %6s %12s %12s %12s\n", "NAME", "KIND", "SESSIONS",
	       "REFS", "CAPACITY", "IN_USE", "MAX_SIZE");
	for (size_t i = 0; i < n; i++)
		printf("%-16s %-8s %8llu %6llu %12s %12s %12s\n", v[i].name, v[i].kind,
		       v[i].sessions, v[i].refs, human(v[i].capacity, cap),
		       human(v[i].in_use, use), human(v[i].max_size, max));
	printf("%zu arenas, %zu private, %zu named\n", n, priv, named);
	free(v);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Named arenas: configfs gomem/NAME                                   */
/* ------------------------------------------------------------------ */

static const char *const named_attrs[] = {
	"initial_size", "max_chunk", "max_size", "max_session_bytes",
	"max_session_regions", "policy", "source", "account",
};

/* 0 or errno: write @val into configfs attribute @attr of arena @name. */
static int named_write(const char *name, const char *attr, const char *val)
{
	char path[256];
	ssize_t w;
	int fd, err = 0;

	snprintf(path, sizeof(path), CONFIGFS_ROOT "/%s/%s", name, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	w = write(fd, val, strlen(val));
	if (w != (ssize_t)strlen(val))
		err = w < 0 ? errno : EIO;
	close(fd);
	return err;
}

/*
 * create NAME [KEY=VALUE...]: mkdir in configfs, the attributes, enable;
 * anything refused takes the directory away again.
 */
static int cmd_create(const struct command *c, struct opts *o)
{
	const char *name = o->pos[0];
	char dir[256], key[32];
	int err, i;
	size_t k;

	for (i = 1; i < o->npos; i++) {
		const char *eq = strchr(o->pos[i], '=');

		snprintf(key, sizeof(key), "%.*s",
			 (int)(eq ? (size_t)(eq - o->pos[i]) : 0), o->pos[i]);
		for (k = 0; k < sizeof(named_attrs) / sizeof(named_attrs[0]); k++)
			if (eq && !strcmp(key, named_attrs[k]))
				break;
		if (!eq || k == sizeof(named_attrs) / sizeof(named_attrs[0]))
			return usage_error(c, "'%s' is not KEY=VALUE with KEY one of "
					   "initial_size, max_chunk, max_size, "
					   "max_session_bytes, max_session_regions, "
					   "policy, source, account", o->pos[i]);
	}
	if (!*name || strchr(name, '/'))
		return usage_error(c, "bad name '%s'", name);
	snprintf(dir, sizeof(dir), CONFIGFS_ROOT "/%s", name);
	if (mkdir(dir, 0755)) {
		err = errno;
		if (err == ENOENT)
			return op_error(c, err, "%s (is configfs mounted on "
					"/sys/kernel/config, and gomem loaded?)", dir);
		return op_error(c, err, "mkdir %s", dir);
	}
	for (i = 1; i < o->npos; i++) {
		const char *eq = strchr(o->pos[i], '=');

		snprintf(key, sizeof(key), "%.*s", (int)(eq - o->pos[i]),
			 o->pos[i]);
		err = named_write(name, key, eq + 1);
		if (err) {
			rmdir(dir);
			return op_error(c, err, "%s", o->pos[i]);
		}
	}
	err = named_write(name, "enable", "1");
	if (err) {
		rmdir(dir);
		return op_error(c, err, "enable (the arena refused its geometry?)");
	}
	if (o->json)
		printf("{\"name\": \"%s\", \"device\": \"/dev/gomem-%s\"}\n", name,
		       name);
	else
		printf("/dev/gomem-%s\n", name);
	return 0;
}

/* remove NAME: rmdir in configfs (open sessions keep their arena). */
static int cmd_remove(const struct command *c, struct opts *o)
{
	char dir[256];

	if (!*o->pos[0] || strchr(o->pos[0], '/'))
		return usage_error(c, "bad name '%s'", o->pos[0]);
	snprintf(dir, sizeof(dir), CONFIGFS_ROOT "/%s", o->pos[0]);
	if (rmdir(dir))
		return op_error(c, errno, "rmdir %s", dir);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The debugfs regions file: who holds what                            */
/* ------------------------------------------------------------------ */

/*
 * One live region: "region OFFSET SIZE id ID owner HOLDER refs N claims N
 * tokens N" (arena offset; owner 0: the owner let go, others hold it).
 */
struct hregion {
	uint64_t off, size, id, owner, refs, claims, tokens;
};

struct regions {
	bool present;		/* the file was there */
	struct hregion *r;
	size_t n, cap;
};

/* Held by others than its owner: references, tokens, or no owner. */
static bool hregion_shared(const struct hregion *r)
{
	return r->refs || r->tokens || !r->owner;
}

/*
 * The regions file to read: --regions PATH, else the debugfs one beside
 * the blocks file (none with --file: a saved blocks file has no regions
 * unless --regions names them too).
 */
static const char *regions_path(const struct opts *o, char *buf, size_t len)
{
	if (o->regions)
		return o->regions;
	if (o->file)
		return NULL;
	snprintf(buf, len, "%s/%s/regions", DEBUGFS_ROOT, o->arena ? o->arena : "default");
	return buf;
}

/* Parse one "region ..." line into @r.  False if it is not one. */
static bool parse_region_line(char *line, struct hregion *r)
{
	char *save = NULL, *w = strtok_r(line, " \t", &save), *key, *val, *end;
	uint64_t *v;

	memset(r, 0, sizeof(*r));
	if (!w || strcmp(w, "region"))
		return false;
	for (int i = 0; i < 2; i++) {
		w = strtok_r(NULL, " \t", &save);
		if (!w || *w == '-')
			return false;
		errno = 0;
		*(i ? &r->size : &r->off) = strtoull(w, &end, 0);
		if (errno || *end || end == w)
			return false;
	}
	if (!r->size || r->off + r->size < r->off)
		return false;
	r->owner = UINT64_MAX;
	/* "key value" pairs; keys this version does not know are skipped. */
	while ((key = strtok_r(NULL, " \t", &save))) {
		val = strtok_r(NULL, " \t", &save);
		if (!val || *val == '-')
			return false;
		v = !strcmp(key, "id") ? &r->id : !strcmp(key, "owner") ? &r->owner :
		    !strcmp(key, "refs") ? &r->refs : !strcmp(key, "claims") ? &r->claims :
		    !strcmp(key, "tokens") ? &r->tokens : NULL;
		errno = 0;
		strtoull(val, &end, 0);
		if (errno || *end || end == val)
			return false;
		if (v)
			*v = strtoull(val, NULL, 0);
	}
	return r->owner != UINT64_MAX;	/* the one key a hold needs */
}

/*
 * Read the regions file if there is one.  A missing debugfs file (a module
 * without it) is no error: rg->present stays false.  Return: 0 or an exit
 * code.
 */
static int regions_read(const struct command *c, const struct opts *o,
			struct regions *rg)
{
	char pathbuf[256], *text, *line, *save = NULL;
	const char *path = regions_path(o, pathbuf, sizeof(pathbuf));
	unsigned int lineno = 0;
	int err = 0;

	memset(rg, 0, sizeof(*rg));
	if (!path)
		return 0;
	text = slurp(path, &err);
	if (!text) {
		if (err == ENOENT && !o->regions)
			return 0;
		return op_error(c, err, "%s", path);
	}
	rg->present = true;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char copy[256];

		lineno++;
		snprintf(copy, sizeof(copy), "%s", line);
		if (!grow((void **)&rg->r, &rg->cap, rg->n, sizeof(*rg->r))) {
			free(text);
			free(rg->r);
			return op_error(c, ENOMEM, NULL);
		}
		if (!parse_region_line(line, &rg->r[rg->n])) {
			int ret = op_error(c, EBADMSG, "%s: line %u not understood: '%.60s'",
					   path, lineno, copy);

			free(text);
			free(rg->r);
			rg->r = NULL;
			return ret;
		}
		rg->n++;
	}
	free(text);
	return 0;
}

/* Totals of the holds, for the summaries. */
struct holds {
	uint64_t regions, shared, orphans, orphan_bytes, refs, claims, tokens;
};

static struct holds holds_sum(const struct regions *rg, uint64_t base,
			      uint64_t size)
{
	struct holds h = { 0, 0, 0, 0, 0, 0, 0 };

	for (size_t i = 0; i < rg->n; i++) {
		const struct hregion *r = &rg->r[i];

		if (r->off < base || r->off - base >= size)
			continue;
		h.regions++;
		h.shared += hregion_shared(r);
		h.orphans += !r->owner;
		h.orphan_bytes += r->owner ? 0 : r->size;
		h.refs += r->refs;
		h.claims += r->claims;
		h.tokens += r->tokens;
	}
	return h;
}

static int cmd_blocks(const struct command *c, struct opts *o)
{
	struct blocks bl;
	struct regions rg;
	struct holds h;
	uint64_t cap = 0, fr = 0, nb = 0, largest = 0;
	char b[4][32];
	int ret = blocks_read(c, o, &bl);

	if (ret)
		return ret;
	ret = regions_read(c, o, &rg);
	if (ret) {
		blocks_free(&bl);
		return ret;
	}
	for (size_t i = 0; i < bl.n; i++) {
		cap += bl.c[i].size;
		fr += bl.c[i].free_bytes;
		nb += bl.c[i].n;
		if (bl.c[i].largest > largest)
			largest = bl.c[i].largest;
	}
	h = holds_sum(&rg, 0, UINT64_MAX);
	if (o->json) {
		printf("{\"chunks\": [");
		for (size_t i = 0; i < bl.n; i++) {
			const struct chunk *ch = &bl.c[i];

			printf("%s{\"base\": %" PRIu64 ", \"size\": %" PRIu64
			       ", \"free_bytes\": %" PRIu64 ", \"blocks\": %" PRIu64
			       ", \"largest_free\": %" PRIu64 ", \"free\": [",
			       i ? ", " : "", ch->base, ch->size, ch->free_bytes,
			       ch->nblocks, ch->largest);
			for (size_t j = 0; j < ch->n; j++)
				printf("%s{\"offset\": %" PRIu64 ", \"length\": %" PRIu64 "}",
				       j ? ", " : "", ch->base + ch->b[j].off, ch->b[j].len);
			printf("]}");
		}
		printf("], \"capacity\": %" PRIu64 ", \"free_bytes\": %" PRIu64
		       ", \"free_blocks\": %" PRIu64 ", \"largest_free\": %" PRIu64,
		       cap, fr, nb, largest);
		if (rg.present) {
			printf(", \"regions\": [");
			for (size_t i = 0; i < rg.n; i++) {
				const struct hregion *r = &rg.r[i];

				printf("%s{\"offset\": %" PRIu64 ", \"size\": %" PRIu64
				       ", \"id\": %" PRIu64 ", \"owner\": %" PRIu64
				       ", \"refs\": %" PRIu64 ", \"claims\": %" PRIu64
				       ", \"tokens\": %" PRIu64 "}", i ? ", " : "",
				       r->off, r->size, r->id, r->owner, r->refs,
				       r->claims, r->tokens);
			}
			printf("], \"holds\": {\"regions\": %" PRIu64 ", \"shared\": %"
			       PRIu64 ", \"orphans\": %" PRIu64 ", \"orphan_bytes\": %"
			       PRIu64 ", \"refs\": %" PRIu64 ", \"claims\": %" PRIu64
			       ", \"tokens\": %" PRIu64 "}", h.regions, h.shared,
			       h.orphans, h.orphan_bytes, h.refs, h.claims, h.tokens);
		}
		printf("}\n");
	} else {
		printf("%zu chunks, %s; free %s in %" PRIu64 " blocks, largest %s\n",
		       bl.n, human(cap, b[0]), human(fr, b[1]), nb, human(largest, b[2]));
		if (rg.present)
			printf("%" PRIu64 " live regions, %" PRIu64 " shared: %" PRIu64
			       " references (%" PRIu64 " claims), %" PRIu64 " tokens; %"
			       PRIu64 " orphaned (%s, their owner let go)\n", h.regions,
			       h.shared, h.refs, h.claims, h.tokens, h.orphans,
			       human(h.orphan_bytes, b[0]));
		for (size_t i = 0; i < bl.n; i++) {
			const struct chunk *ch = &bl.c[i];

			printf("chunk %zu: offset %#" PRIx64 ", %s, %.1f%% used, "
			       "%" PRIu64 " free blocks\n", i, ch->base,
			       human(ch->size, b[0]),
			       pct(ch->size - ch->free_bytes, ch->size), ch->nblocks);
			for (size_t j = 0; j < ch->n; j++)
				printf("  free %#14" PRIx64 " - %#14" PRIx64 "  %s\n",
				       ch->base + ch->b[j].off,
				       ch->base + ch->b[j].off + ch->b[j].len,
				       human(ch->b[j].len, b[3]));
			/* Only the regions others hold: the rest is what
			 * the free blocks leave. */
			for (size_t j = 0; j < rg.n; j++) {
				const struct hregion *r = &rg.r[j];

				if (r->off < ch->base || r->off - ch->base >= ch->size ||
				    !hregion_shared(r))
					continue;
				printf("  %-6s %#12" PRIx64 " - %#14" PRIx64 "  %s, id %"
				       PRIu64 ", ", r->owner ? "shared" : "orphan",
				       r->off, r->off + r->size, human(r->size, b[3]),
				       r->id);
				if (r->owner)
					printf("owner %" PRIu64, r->owner);
				else
					printf("no owner");
				printf(", %" PRIu64 " refs (%" PRIu64 " claims), %"
				       PRIu64 " tokens\n", r->refs, r->claims, r->tokens);
			}
		}
	}
	free(rg.r);
	blocks_free(&bl);
	return 0;
}

/* ------------------------------------------------------------------ */
/* map                                                                 */
/* ------------------------------------------------------------------ */

static char cell_char(uint64_t free_in_cell, uint64_t cell)
{
	if (!free_in_cell)
		return '#';
	if (free_in_cell >= cell)
		return '.';
	return free_in_cell * 2 <= cell ? '+' : '-';
}

/* Cells [first, last] of a @w-cell bar over @size bytes that [s, e) touches. */
static void cell_span(uint64_t s, uint64_t e, uint64_t size, unsigned int w,
		      uint64_t *first, uint64_t *last)
{
	*first = (uint64_t)((unsigned __int128)s * w / size);
	*last = (uint64_t)((unsigned __int128)(e - 1) * w / size);
	if (*last >= w)
		*last = w - 1;
}

static int cmd_map(const struct command *c, struct opts *o)
{
	unsigned int w = o->width ? o->width : 64;
	uint64_t *cellfree = calloc(w, sizeof(*cellfree));
	char *held = calloc(w, 1);
	uint64_t cap = 0, fr = 0, nb = 0, largest = 0;
	struct blocks bl;
	struct regions rg;
	struct holds h;
	char b[4][32];
	int ret;

	if (!cellfree || !held) {
		free(cellfree);
		free(held);
		return op_error(c, ENOMEM, NULL);
	}
	ret = blocks_read(c, o, &bl);
	if (!ret) {
		ret = regions_read(c, o, &rg);
		if (ret)
			blocks_free(&bl);
	}
	if (ret) {
		free(cellfree);
		free(held);
		return ret;
	}
	printf("each bar is one chunk, %u cells: '#' used, '+' mostly used, "
	       "'-' mostly free, '.' free%s\n", w, rg.present ?
	       ";\n'S' (part of) a region others hold too (references, tokens), "
	       "'O' one whose owner let go" : "");
	for (size_t i = 0; i < bl.n; i++) {
		const struct chunk *ch = &bl.c[i];
		char bar[1001];

		memset(cellfree, 0, w * sizeof(*cellfree));
		/* Cell k covers [k * size / w, (k + 1) * size / w). */
		for (size_t j = 0; j < ch->n; j++) {
			uint64_t s = ch->b[j].off, e = s + ch->b[j].len;
			uint64_t k = (uint64_t)((unsigned __int128)s * w / ch->size);

			for (; k < w; k++) {
				uint64_t cs = (uint64_t)((unsigned __int128)k * ch->size / w);
				uint64_t ce = (uint64_t)((unsigned __int128)(k + 1) * ch->size / w);
				uint64_t lo = s > cs ? s : cs, hi = e < ce ? e : ce;

				if (cs >= e)
					break;
				if (hi > lo)
					cellfree[k] += hi - lo;
			}
		}
		/* Held cells: 'O' beats 'S' beats the fill. */
		memset(held, 0, w);
		for (size_t j = 0; j < rg.n; j++) {
			const struct hregion *r = &rg.r[j];
			uint64_t k, last, rs, re;

			if (r->off < ch->base || r->off - ch->base >= ch->size ||
			    !hregion_shared(r))
				continue;
			rs = r->off - ch->base;
			re = r->size > ch->size - rs ? ch->size : rs + r->size;
			for (cell_span(rs, re, ch->size, w, &k, &last); k <= last; k++)
				if (held[k] != 'O')
					held[k] = r->owner ? 'S' : 'O';
		}
		for (unsigned int k = 0; k < w; k++) {
			uint64_t cs = (uint64_t)((unsigned __int128)k * ch->size / w);
			uint64_t ce = (uint64_t)((unsigned __int128)(k + 1) * ch->size / w);

			bar[k] = ce <= cs ? ' ' : held[k] ? held[k] :
				 cell_char(cellfree[k], ce - cs);
		}
		bar[w] = 0;
		h = holds_sum(&rg, ch->base, ch->size);
		printf("chunk %-3zu %#12" PRIx64 " %10s |%s| %5.1f%% used, %" PRIu64
		       " free blocks, largest %s", i, ch->base,
		       human(ch->size, b[0]), bar,
		       pct(ch->size - ch->free_bytes, ch->size), ch->nblocks,
		       human(ch->largest, b[1]));
		if (h.shared)
			printf(", %" PRIu64 " shared", h.shared);
		printf("\n");
		cap += ch->size;
		fr += ch->free_bytes;
		nb += ch->n;
		if (ch->largest > largest)
			largest = ch->largest;
	}
	printf("arena: %zu chunks, %s, %.1f%% used; free %s in %" PRIu64
	       " blocks, largest %s (fragmentation %.1f%%: 1 - largest/free)\n",
	       bl.n, human(cap, b[0]), pct(cap - fr, cap), human(fr, b[1]), nb,
	       human(largest, b[2]), fr ? 100.0 - pct(largest, fr) : 0.0);
	if (rg.present) {
		h = holds_sum(&rg, 0, UINT64_MAX);
		printf("holds: %" PRIu64 " live regions, %" PRIu64 " shared: %" PRIu64
		       " references (%" PRIu64 " claims), %" PRIu64 " tokens; %" PRIu64
		       " orphaned (%s)\n", h.regions, h.shared, h.refs, h.claims,
		       h.tokens, h.orphans, human(h.orphan_bytes, b[0]));
	}
	free(rg.r);
	blocks_free(&bl);
	free(cellfree);
	free(held);
	return 0;
}

/* ------------------------------------------------------------------ */
/* trim, alloc                                                         */
/* ------------------------------------------------------------------ */

static int cmd_trim(const struct command *c, struct opts *o)
{
	struct gomem_release rel;
	struct gomem *g;
	char b[32];
	int ret = 0, err;

	g = open_or_fail(c, o, 0, &ret);
	if (!g)
		return ret;
	err = gomem_trim(g, &rel);
	gomem_close(g);
	if (err)
		return op_error(c, err, NULL);
	if (o->json)
		printf("{\"chunks\": %llu, \"bytes\": %llu}\n",
		       (unsigned long long)rel.count, (unsigned long long)rel.bytes);
	else
		printf("released %llu chunks, %s\n", (unsigned long long)rel.count,
		       human(rel.bytes, b));
	return 0;
}

static int cmd_alloc(const struct command *c, struct opts *o)
{
	struct gomem_info in;
	struct gomem *g;
	sigset_t set;
	uint64_t size;
	void *p;
	int ret = 0, sig = 0;
	char b[32];

	if (!parse_size(o->pos[0], &size))
		return usage_error(c, "'%s' is not a size (bytes; K, M, G suffixes)", o->pos[0]);
	if (size > SIZE_MAX)
		return op_error(c, EINVAL, NULL);
	/* Block the signals first: a signal between alloc and sigwait must
	 * not kill us before we free (close would, but say what we did). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (o->hold)
		sigprocmask(SIG_BLOCK, &set, NULL);
	g = open_or_fail(c, o, 0, &ret);
	if (!g)
		return ret;
	p = gomem_alloc(g, (size_t)size, (size_t)o->align,
			o->nozero ? GOMEM_ALLOC_NOZERO : 0);
	if (!p) {
		ret = op_error(c, errno, NULL);
		gomem_close(g);
		return ret;
	}
	if (gomem_info(g, &in))
		in.granule = 1;
	if (o->json)
		printf("{\"offset\": %lld, \"size\": %" PRIu64 ", \"allocated\": %" PRIu64
		       ", \"pid\": %d, \"held\": %s}\n",
		       (long long)gomem_offset(g, p), size,
		       (size + in.granule - 1) / in.granule * in.granule,
		       (int)getpid(), o->hold ? "true" : "false");
	else
		printf("offset %lld (%#llx), %" PRIu64 " bytes (%s), pid %d%s\n",
		       (long long)gomem_offset(g, p),
		       (unsigned long long)gomem_offset(g, p), size, human(size, b),
		       (int)getpid(), o->hold ? "" :
		       "; released on exit (--hold keeps it)");
	fflush(stdout);
	if (o->hold) {
		fprintf(stderr, "gomemctl: alloc: holding the region until "
			"interrupted (Ctrl-C, SIGTERM)\n");
		sigwait(&set, &sig);
		ret = gomem_free(g, p, (size_t)size);
		if (ret) {
			gomem_close(g);
			return op_error(c, ret, "free");
		}
	}
	gomem_close(g);
	return 0;
}

/* ------------------------------------------------------------------ */
/* bench                                                               */
/* ------------------------------------------------------------------ */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One round's times, ns per operation. */
struct bench_times {
	double null_ns;		/* getppid */
	double ioctl_ns;	/* a refused ioctl */
	double pair_ns;		/* alloc + free */
	double share_ns;	/* share + claim + release; 0 if not measured */
	double batch_ns;	/* batch-64 alloc + free, per region */
	double cached_ns;	/* alloc + free through libgomem's cache */
};

/*
 * The hand-off cycle's two sides: @g owns @shared, @c (another session)
 * claims.  @c NULL: the module has no hand-off (-ENOTTY), not measured.
 */
struct bench_share {
	struct gomem *c;
	void *shared;
	struct gomem *cached;	/* a handle with the region cache */
};

/*
 * One round of each: null system calls (half first, half last), refused
 * ioctls, alloc+free pairs, share+claim+release cycles, batches.  Many
 * short rounds, each giving its own ratios, are steadier than a few long
 * ones under an emulated CPU whose speed drifts.  Return: 0 or a negative
 * errno.
 */
static int bench_round(struct gomem *g, const struct bench_share *sh,
		       uint64_t iters, size_t size, unsigned int flags,
		       struct bench_times *t)
{
	struct gomem_region r[64];
	uint64_t nb = iters / 64 ? iters / 64 : 1;
	volatile long sink = 0;
	double t0;
	int ret;

	/* Half the null calls before the rest, half after: a bracket. */
	t0 = now_ns();
	for (uint64_t i = 0; i < iters / 2; i++)
		sink += syscall(SYS_getppid);
	t->null_ns = now_ns() - t0;

	/*
	 * The floor of any ioctl on the device: a command it refuses at
	 * once (-ENOTTY), through the same syscall, fdget and dispatch.
	 */
	t0 = now_ns();
	for (uint64_t i = 0; i < iters; i++)
		sink += ioctl(gomem_fd(g), _IO(GOMEM_IOC_MAGIC, 0xff));
	t->ioctl_ns = (now_ns() - t0) / (double)iters;

	t0 = now_ns();
	for (uint64_t i = 0; i < iters; i++) {
		void *p = gomem_alloc(g, size, 0, flags);

		if (!p)
			return -errno;
		ret = gomem_free(g, p, size);
		if (ret)
			return ret;
	}
	t->pair_ns = (now_ns() - t0) / (double)iters;

	/* The same cycle through libgomem's region cache (1.2.0): after
	 * the first refill, no system call. */
	t0 = now_ns();
	for (uint64_t i = 0; i < iters; i++) {
		char *p = gomem_alloc(sh->cached, size, 0, flags);

		if (!p)
			return -errno;
		p[0] = 1;
		p[size - 1] = 2;
		ret = gomem_free(sh->cached, p, size);
		if (ret)
			return ret;
	}
	t->cached_ns = (now_ns() - t0) / (double)iters;

	/*
	 * A hand-off: the owner makes a one-claim token, another session
	 * claims it and releases it: three ioctls, as a consumer of a frame
	 * pays them (the allocation is the pair's, above).
	 */
	t->share_ns = 0;
	if (sh->c) {
		t0 = now_ns();
		for (uint64_t i = 0; i < iters; i++) {
			uint64_t tok;
			void *q;

			ret = gomem_share(g, sh->shared, 0, 1, &tok);
			if (ret)
				return ret;
			q = gomem_claim(sh->c, tok, NULL);
			if (!q)
				return -errno;
			ret = gomem_release(sh->c, q);
			if (ret)
				return ret;
		}
		t->share_ns = (now_ns() - t0) / (double)iters;
	}

	for (int k = 0; k < 64; k++)
		r[k].size = size;
	t0 = now_ns();
	for (uint64_t i = 0; i < nb; i++) {
		ret = gomem_alloc_batch(g, r, 64, 0, flags);
		if (ret != 64) {
			for (int k = 0; k < 64; k++)
				if (r[k].result)
					ret = r[k].result;
			gomem_recycle_all(g, NULL);
			return ret < 0 ? ret : -EIO;
		}
		ret = gomem_free_batch(g, r, 64);
		if (ret != 64)
			return ret < 0 ? ret : -EIO;
	}
	t->batch_ns = (now_ns() - t0) / (double)(nb * 64);

	t0 = now_ns();
	for (uint64_t i = iters / 2; i < iters; i++)
		sink += syscall(SYS_getppid);
	t->null_ns = (t->null_ns + now_ns() - t0) / (double)iters;
	(void)sink;
	return 0;
}

/*
 * The hand-off cycle's setup: a region of @size bytes and a second,
 * read-only session.  A module without hand-off (-ENOTTY for a share) is
 * not an error: @sh->c stays NULL.  Return: 0 or a negative errno.
 */
static int bench_share_open(struct gomem *g, const struct opts *o,
			    size_t size, struct bench_share *sh)
{
	uint64_t tok;
	int err;

	sh->c = NULL;
	sh->shared = gomem_alloc(g, size, 0, 0);
	if (!sh->shared)
		return -errno;
	err = gomem_share(g, sh->shared, 0, 1, &tok);
	if (err == -ENOTTY)
		return 0;
	if (!err)
		err = gomem_cancel(g, tok);
	if (err)
		return err;
	sh->c = gomem_open(o->dev, GOMEM_LIB_READONLY);
	return sh->c ? 0 : -errno;
}

/*
 * First touch of @pages fresh pages: a region of @pages pages from
 * GOMEM_IOC_ALLOC mapped by a new mmap() of the device at its offset (so
 * no page of it is mapped yet; each touch is one fault into gomem_fault),
 * then the same number of pages of a memfd (memfd_create, ftruncate,
 * mmap MAP_SHARED).  Both are written, one byte per page.  Return: 0 or a
 * negative errno.
 */
static int fault_round(struct gomem *g, uint64_t pages, double *gomem_ns,
		       double *memfd_ns)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)pages * (size_t)pg;
	volatile char *m;
	int64_t off;
	double t;
	void *p;
	int fd, ret;

	p = gomem_alloc(g, len, (size_t)pg, 0);
	if (!p)
		return -errno;
	off = gomem_offset(g, p);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, gomem_fd(g),
		 (off_t)off);
	if (m == MAP_FAILED) {
		ret = -errno;
		gomem_free(g, p, len);
		return ret;
	}
	t = now_ns();
	for (uint64_t i = 0; i < pages; i++)
		m[i * pg] = 1;
	*gomem_ns = (now_ns() - t) / (double)pages;
	munmap((void *)m, len);
	ret = gomem_free(g, p, len);
	if (ret)
		return ret;

	fd = memfd_create("gomemctl-bench", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return ret;
	}
	t = now_ns();
	for (uint64_t i = 0; i < pages; i++)
		m[i * pg] = 1;
	*memfd_ns = (now_ns() - t) / (double)pages;
	munmap((void *)m, len);
	close(fd);
	return 0;
}

static int cmd_bench(const struct command *c, struct opts *o)
{
	uint64_t iters = o->iterations ? o->iterations : 200000;
	unsigned int rounds = o->rounds ? o->rounds : 5;
	size_t size = o->size ? (size_t)o->size : 64;
	unsigned int flags = o->nozero ? GOMEM_ALLOC_NOZERO : 0;
	uint64_t pages = o->pages ? o->pages : 64;
	double nl[101], io[101], pr[101], sc[101], bt[101], fg[101], fm[101];
	double rio[101], rpr[101], rsc[101], rbt[101], rf[101], ca[101];
	double rca[101];
	double n, ni, p, shc, b, f, fmd, w1, w2, cc;
	struct bench_share sh = { NULL, NULL, NULL };
	struct bench_times t;
	struct gomem *g;
	int ret = 0, err;

	g = open_or_fail(c, o, 0, &ret);
	if (!g)
		return ret;
	err = bench_share_open(g, o, size, &sh);
	if (!err) {
		sh.cached = gomem_open(o->dev, 0);
		if (!sh.cached)
			err = -errno;
	}
	/* Warm up: fault in the code, grow the arena for the batch. */
	if (!err)
		err = bench_round(g, &sh, 1024, size, flags, &t);
	for (unsigned int i = 0; !err && i < rounds; i++) {
		err = bench_round(g, &sh, iters, size, flags, &t);
		nl[i] = t.null_ns;
		io[i] = t.ioctl_ns;
		pr[i] = t.pair_ns;
		sc[i] = t.share_ns;
		bt[i] = t.batch_ns;
		ca[i] = t.cached_ns;
	}
	if (!err)
		err = fault_round(g, pages, &w1, &w2);
	for (unsigned int i = 0; !err && i < rounds; i++)
		err = fault_round(g, pages, &fg[i], &fm[i]);
	gomem_close(sh.c);
	gomem_close(sh.cached);
	gomem_close(g);
	if (err)
		return op_error(c, err, NULL);
	/* Ratios within each round, then their medians. */
	for (unsigned int i = 0; i < rounds; i++) {
		rio[i] = io[i] / nl[i];
		rpr[i] = pr[i] / (2 * nl[i]);
		rsc[i] = sc[i] / pr[i];
		rbt[i] = bt[i] / pr[i];
		rf[i] = fg[i] / fm[i];
		rca[i] = ca[i] / nl[i];
	}
	cc = median(ca, rounds);
	n = median(nl, rounds);
	ni = median(io, rounds);
	p = median(pr, rounds);
	shc = median(sc, rounds);
	b = median(bt, rounds);
	f = median(fg, rounds);
	fmd = median(fm, rounds);
	if (o->json) {
		printf("{\"iterations\": %" PRIu64 ", \"rounds\": %u, \"size\": %zu, "
		       "\"null_syscall_ns\": %.1f, \"null_ioctl_ns\": %.1f, "
		       "\"pair_ns\": %.1f, "
		       "\"batch64_per_region_ns\": %.1f, \"pair_vs_two_null\": %.3f, "
		       "\"batch64_vs_single\": %.3f, \"fault_pages\": %" PRIu64 ", "
		       "\"fault_ns\": %.1f, \"memfd_fault_ns\": %.1f, "
		       "\"fault_vs_memfd\": %.3f, \"null_ioctl_vs_null\": %.3f",
		       iters, rounds, size, n, ni, p, b, median(rpr, rounds),
		       median(rbt, rounds), pages, f, fmd, median(rf, rounds),
		       median(rio, rounds));
		if (sh.c)
			printf(", \"share_cycle_ns\": %.1f, \"share_cycle_vs_pair\": %.3f",
			       shc, median(rsc, rounds));
		printf(", \"cached_cycle_ns\": %.1f, \"cached_cycle_vs_null\": %.3f",
		       cc, median(rca, rounds));
		printf("}\n");
		return 0;
	}
	printf("gomemctl bench: %" PRIu64 " iterations of %zu-byte regions%s, "
	       "median of %u rounds (ratios: median of each round's)\n",
	       iters, size, flags ? " (NOZERO)" : "", rounds);
	printf("  null syscall (getppid)            %9.1f ns\n", n);
	printf("  refused ioctl (-ENOTTY)           %9.1f ns   %.2fx a null "
	       "syscall\n", ni, median(rio, rounds));
	printf("  alloc+free ioctl pair             %9.1f ns   %.2fx two null "
	       "syscalls (target <= 2.5x)\n", p, median(rpr, rounds));
	if (sh.c)
		printf("  share+claim+release cycle         %9.1f ns   %.2fx an "
		       "alloc+free pair\n", shc, median(rsc, rounds));
	else
		printf("  share+claim+release cycle         not measured: the module "
		       "has no hand-off (ENOTTY)\n");
	printf("  libgomem cached alloc+free        %9.1f ns   %.2fx a null "
	       "syscall (no system call)\n", cc, median(rca, rounds));
	printf("  batch-64 alloc+free, per region   %9.1f ns   %.2fx a single "
	       "pair (target <= 0.25x)\n", b, median(rbt, rounds));
	printf("  first touch of a gomem page       %9.1f ns   %.2fx a memfd "
	       "page's (%" PRIu64 " pages)\n", f, median(rf, rounds), pages);
	printf("  first touch of a memfd page       %9.1f ns\n", fmd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

static int cmd_help(const struct command *c, struct opts *o);

static const struct command commands[] = {
	{ "info", cmd_info, O_JSON, 0, 0, "info [--json]",
	  "The arena's geometry and ABI (GOMEM_IOC_INFO), from a read-only\n"
	  "session.\n\n"
	  "  --json      one JSON object\n" },
	{ "stats", cmd_stats, O_JSON | O_ARENA, 0, 0, "stats [--json] [--arena NAME]",
	  "Arena statistics (GOMEM_IOC_STATS), from a read-only session (which\n"
	  "counts in 'sessions'), hand-off included: references, outstanding\n"
	  "share tokens, orphans (regions whose owner let go, alive for their\n"
	  "other holders).  The session_* fields are gomemctl's own session's.\n"
	  "With --arena, any arena's (as gomemctl arenas names it: default,\n"
	  "named-NAME, private-ID) from debugfs (" DEBUGFS_ROOT "/NAME/stats;\n"
	  "needs root), with no session of it.\n\n"
	  "  --arena NAME  the arena's debugfs statistics\n"
	  "  --json      one JSON object\n" },
	{ "blocks", cmd_blocks, O_JSON | O_FILE | O_ARENA | O_REGIONS, 0, 0,
	  "blocks [--json] [--arena NAME | --file PATH] [--regions PATH]",
	  "Each chunk and its free blocks, from debugfs\n"
	  "(" DEBUGFS_ROOT "/NAME/blocks; needs root and debugfs mounted),\n"
	  "and, where the module has it (NAME/regions), who holds what: each\n"
	  "region others hold too (references, share tokens) or whose owner\n"
	  "let go, with its holds; --json lists every live region.\n"
	  "Offsets printed are arena offsets.\n\n"
	  "  --arena NAME    arena directory in debugfs (default: default)\n"
	  "  --file PATH     read this blocks file instead (and no regions file\n"
	  "                  unless --regions names one)\n"
	  "  --regions PATH  read this regions file\n"
	  "  --json          one JSON object\n" },
	{ "map", cmd_map, O_WIDTH | O_FILE | O_ARENA | O_REGIONS, 0, 0,
	  "map [--width N] [--arena NAME | --file PATH] [--regions PATH]",
	  "Draws each chunk as a bar of N cells (default 64) from the debugfs\n"
	  "blocks file, so fragmentation shows at a glance: '#' used, '+' mostly\n"
	  "used, '-' mostly free, '.' free; with the regions file (where the\n"
	  "module has it), 'S' a cell of a region others hold too (references,\n"
	  "share tokens), 'O' of one whose owner let go.  (blocks --json has\n"
	  "the data.)\n\n"
	  "  --width N       cells per bar, 8 to 1000\n"
	  "  --arena NAME    arena directory in debugfs (default: default)\n"
	  "  --file PATH     read this blocks file instead (and no regions file\n"
	  "                  unless --regions names one)\n"
	  "  --regions PATH  read this regions file\n" },
	{ "arenas", cmd_arenas, O_JSON | O_FILE, 0, 0, "arenas [--json] [--file PATH]",
	  "Every arena the module has, from debugfs (" DEBUGFS_ROOT "/arenas;\n"
	  "needs root and debugfs mounted): the device's ('default'), each\n"
	  "named one ('named-NAME', /dev/gomem-NAME) and each\n"
	  "private one ('private-ID', ID as GOMEM_IOC_INFO's arena_id), with\n"
	  "its sessions, refs (its arena descriptors and sessions), capacity,\n"
	  "bytes in use and max_size.  A private arena is reached only through\n"
	  "an arena descriptor, which gomemctl does not have: the other\n"
	  "commands (info, stats, ...) show the device's arena only.\n\n"
	  "  --file PATH  read this arenas file instead\n"
	  "  --json       one JSON object\n" },
	{ "create", cmd_create, O_JSON, 1, 16, "create NAME [KEY=VALUE...] [--json]",
	  "Makes a named arena (root): the configfs directory\n"
	  "" CONFIGFS_ROOT "/NAME, its attributes KEY=VALUE (initial_size,\n"
	  "max_chunk, max_size, max_session_bytes, max_session_regions: bytes\n"
	  "or counts; policy treap|avl; source vmalloc|buddy; account 0|1), then\n"
	  "enable=1, which makes /dev/gomem-NAME (mode 0660, root's until a udev\n"
	  "rule says otherwise); prints the device's path.  NAME: 1 to 16 of\n"
	  "a-z, 0-9, '_' and '-'.  Anything refused removes the directory again.\n\n"
	  "  --json      one JSON object\n" },
	{ "remove", cmd_remove, 0, 1, 1, "remove NAME",
	  "Removes a named arena's configfs directory and its device node\n"
	  "(root); sessions open on it keep the arena until they close.\n" },
	{ "trim", cmd_trim, O_JSON, 0, 0, "trim [--json]",
	  "Gives every entirely free chunk but the first back (GOMEM_IOC_TRIM).\n\n"
	  "  --json      one JSON object: chunks and bytes released\n" },
	{ "alloc", cmd_alloc, O_JSON | O_ALIGN | O_NOZERO | O_HOLD, 1, 1,
	  "alloc SIZE [--align N] [--nozero] [--hold] [--json]",
	  "Allocates SIZE bytes (K, M, G suffixes: binary) and prints the\n"
	  "region's offset.  Without --hold the region goes back when gomemctl\n"
	  "exits; with --hold gomemctl waits until interrupted (SIGINT, SIGTERM,\n"
	  "SIGHUP), then frees it and exits 0.\n\n"
	  "  --align N   alignment of the offset (power of two, <= page size)\n"
	  "  --nozero    do not zero the region (GOMEM_ALLOC_NOZERO)\n"
	  "  --hold      keep the region until interrupted\n"
	  "  --json      one JSON object (printed before holding)\n" },
	{ "bench", cmd_bench, O_JSON | O_ITER | O_SIZE | O_ROUNDS | O_NOZERO | O_PAGES, 0, 0,
	  "bench [--iterations N] [--size BYTES] [--rounds R] [--pages P] [--nozero] [--json]",
	  "Times, in one run, a null system call (getppid; half before the\n"
	  "rest of each round, half after), an ioctl the device refuses\n"
	  "(-ENOTTY: the floor of any ioctl), an alloc+free ioctl pair, a\n"
	  "hand-off cycle (a one-claim share token of a region, claimed and\n"
	  "released by a second, read-only session: three ioctls), the same\n"
	  "alloc+free through libgomem's region cache (a handle of its own;\n"
	  "after a refill, no system call), and\n"
	  "alloc+free of 64 regions in two batch ioctls (per region); prints\n"
	  "the median of R rounds, and the median of each round's ratios: floor\n"
	  "/ null syscall, pair / two null syscalls, cycle / pair, cached cycle\n"
	  "/ null syscall, batch-64 per\n"
	  "region / single pair.  Then the first touch (a write) of each page of a\n"
	  "fresh P-page region, mapped anew at its offset (one fault per\n"
	  "page), vs the same for a memfd's pages (memfd_create, ftruncate,\n"
	  "mmap MAP_SHARED): ns per page and ratio.\n\n"
	  "  --iterations N  per round and measure (default 200000)\n"
	  "  --size BYTES    region size (default 64)\n"
	  "  --rounds R      rounds, median taken (default 5)\n"
	  "  --pages P       pages per fault round (default 64)\n"
	  "  --nozero        allocate with GOMEM_ALLOC_NOZERO\n"
	  "  --json          one JSON object\n" },
	{ "help", cmd_help, 0, 0, 1, "help [COMMAND]",
	  "Lists the commands, or describes one.\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage_all(FILE *f)
{
	fprintf(f, "usage: gomemctl [--dev PATH] COMMAND [OPTIONS]\n\n"
		"Looks at and pokes a gomem arena (/dev/gomem).\n\n"
		"commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fprintf(f, "\n  --dev PATH  the device (default: $GOMEM_DEV, else %s)\n"
		"  --version   the library version\n\n"
		"'gomemctl COMMAND --help' describes a command.  Exit status: 0 ok,\n"
		"1 an operation failed (the errno is named on stderr), 2 usage.\n",
		GOMEM_DEFAULT_PATH);
}

static int cmd_help(const struct command *c, struct opts *o)
{
	const struct command *t;

	if (!o->npos) {
		usage_all(stdout);
		return 0;
	}
	t = find_command(o->pos[0]);
	if (!t)
		return usage_error(c, "no command '%s'", o->pos[0]);
	print_help(t, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const struct command *c;
	int i = 1, ret;

	o.dev = getenv("GOMEM_DEV");
	if (!o.dev || !*o.dev)
		o.dev = GOMEM_DEFAULT_PATH;
	/* Options before the command. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage_all(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("gomemctl (libgomem %s)\n", gomem_version());
			return 0;
		}
		if (!strcmp(argv[i], "--dev")) {
			if (i + 1 >= argc || !*argv[i + 1])
				return usage_error(NULL, "--dev needs a path");
			o.dev = argv[++i];
		} else if (!strncmp(argv[i], "--dev=", 6) && argv[i][6]) {
			o.dev = argv[i] + 6;
		} else {
			return usage_error(NULL, "unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error(NULL, "no command given");
	c = find_command(argv[i]);
	if (!c)
		return usage_error(NULL, "no command '%s'", argv[i]);
	ret = parse_args(c, argc - i - 1, argv + i + 1, &o);
	if (ret >= 0)
		return ret;
	ret = c->run(c, &o);
	if (fflush(stdout) || ferror(stdout)) {
		if (!ret)
			ret = op_error(c, errno ? errno : EIO, "stdout");
	}
	return ret;
}
