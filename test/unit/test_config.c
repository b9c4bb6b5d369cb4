/* sources: vmm/partition/config.c vmm/lib/cmdline.c vmm/lib/parse.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_config.c: the hv.conf tokenizer (cfg_parse) and directives (hv_config_parse). */
#include "test/unit/unit.h"

#include "vmm/partition/config.h"
#include "vmm/partition/guest_layout.h"

/* ---- recording what cfg_parse hands its callback ---- */

struct rec_line {
	unsigned line, dcol, npairs;
	char dir[64];
	struct {
		char key[64], val[128];
		size_t vlen;
		unsigned kcol, vcol;
	} p[CFG_MAX_KEYS];
};

static struct rec {
	unsigned n;
	unsigned fail_on_line; /* 0: accept all */
	struct rec_line l[32];
} rec;

static void copy_word(char *dst, size_t size, const struct cfg_word *w)
{
	size_t n = w->len < size - 1 ? w->len : size - 1;
	memcpy(dst, w->s, n);
	dst[n] = '\0';
}

static bool record(const struct cfg_line *l, void *ctx, struct cfg_error *err)
{
	struct rec *r = ctx;

	assert_ptr_equal(r, &rec);
	assert_true(l->directive.len > 0); /* only lines with a directive are passed on */
	if (r->fail_on_line == l->line) {
		err->line = l->line;
		err->col = 99;
		strcpy(err->msg, "callback says no");
		return false;
	}
	assert_true(r->n < ARRAY_LEN(r->l));
	struct rec_line *o = &r->l[r->n++];
	o->line = l->line;
	o->dcol = l->directive.col;
	o->npairs = l->npairs;
	copy_word(o->dir, sizeof(o->dir), &l->directive);
	for (unsigned i = 0; i < l->npairs; i++) {
		copy_word(o->p[i].key, sizeof(o->p[i].key), &l->pairs[i].key);
		copy_word(o->p[i].val, sizeof(o->p[i].val), &l->pairs[i].value);
		o->p[i].vlen = l->pairs[i].value.len;
		o->p[i].kcol = l->pairs[i].key.col;
		o->p[i].vcol = l->pairs[i].value.col;
	}
	return true;
}

static struct cfg_error err;
static struct hv_config cfg;

/*
 * Parse a copy of exactly len bytes that ends right before an inaccessible
 * page: reading past the text (which has no NUL after it) faults, and the
 * fault fails the test.
 */
static struct call {
	const char *text;
	size_t len;
	bool whole_config; /* hv_config_parse, else cfg_parse with record() */
	bool ok;
} call;

static void run_call(void *arg)
{
	struct call *c = arg;

	if (c->whole_config)
		c->ok = hv_config_parse(c->text, c->len, &cfg, &err);
	else
		c->ok = cfg_parse(c->text, c->len, record, &rec, &err);
}

static bool parse_guarded(const char *text, size_t len, bool whole_config)
{
	char *copy = unit_guarded_dup(text, len);

	memset(&rec, 0, sizeof(rec));
	memset(&cfg, 0x5a, sizeof(cfg));
	memset(&err, 0, sizeof(err));
	call = (struct call){copy, len, whole_config, false};
	bool faulted = unit_faults(run_call, &call);
	unit_guarded_free(copy, len);
	if (faulted) {
		print_error("parsing \"%.*s\" read past its %zu bytes (%u:%u %s)\n", (int)len, text, len, err.line,
		            err.col, err.msg);
		fail();
	}
	return call.ok;
}

static bool tokenize_n(const char *text, size_t len) { return parse_guarded(text, len, false); }
static bool tokenize(const char *text) { return tokenize_n(text, strlen(text)); }
static bool config(const char *text) { return parse_guarded(text, strlen(text), true); }

#define EXPECT_ERROR(ok, l, c, m)                  \
	do {                                       \
		assert_false(ok);                  \
		assert_string_equal(err.msg, (m)); \
		assert_int_equal(err.line, (l));   \
		assert_int_equal(err.col, (c));    \
	} while (0)

/* ---- the tokenizer ---- */

static void test_tokenize_words(void **state)
{
	(void)state;
	assert_true(tokenize("guest name=linux image=\"/guests/my linux.efi\" cores=2\n"));
	assert_int_equal(rec.n, 1);
	struct rec_line *l = &rec.l[0];
	assert_int_equal(l->line, 1);
	assert_string_equal(l->dir, "guest");
	assert_int_equal(l->dcol, 1);
	assert_int_equal(l->npairs, 3);
	assert_string_equal(l->p[0].key, "name");
	assert_int_equal(l->p[0].kcol, 7);
	assert_string_equal(l->p[0].val, "linux");
	assert_int_equal(l->p[0].vcol, 12);
	assert_string_equal(l->p[1].key, "image");
	assert_int_equal(l->p[1].kcol, 18);
	assert_string_equal(l->p[1].val, "/guests/my linux.efi"); /* without its quotes */
	assert_int_equal(l->p[1].vcol, 25);                       /* the first character inside them */
	assert_string_equal(l->p[2].key, "cores");
	assert_string_equal(l->p[2].val, "2");
}

static void test_tokenize_comments_and_blank_lines(void **state)
{
	(void)state;
	const char *text = "# hv.conf\n"
	                   "\n"
	                   "   \t  \n"
	                   "  # indented comment\n"
	                   "\thypervisor cmdline=\"a # not a comment\" # a comment\n"
	                   "guest x=1#comment right after a value\n"
	                   "guest# comment right after the directive\n"
	                   "directive-only\n";

	assert_true(tokenize(text));
	assert_int_equal(rec.n, 4);
	assert_int_equal(rec.l[0].line, 5);
	assert_string_equal(rec.l[0].dir, "hypervisor");
	assert_int_equal(rec.l[0].dcol, 2);
	assert_int_equal(rec.l[0].npairs, 1);
	assert_string_equal(rec.l[0].p[0].val, "a # not a comment");
	assert_int_equal(rec.l[1].line, 6);
	assert_int_equal(rec.l[1].npairs, 1);
	assert_string_equal(rec.l[1].p[0].val, "1");
	assert_int_equal(rec.l[2].line, 7);
	assert_string_equal(rec.l[2].dir, "guest");
	assert_int_equal(rec.l[2].npairs, 0);
	assert_int_equal(rec.l[3].line, 8);
	assert_string_equal(rec.l[3].dir, "directive-only");
}

static void test_tokenize_names_and_values(void **state)
{
	(void)state;
	assert_true(tokenize("a.b_c-D9 k.1=v=w e= q=\"\" x='y'\n"));
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.l[0].dir, "a.b_c-D9");
	assert_int_equal(rec.l[0].npairs, 4);
	assert_string_equal(rec.l[0].p[0].key, "k.1");
	assert_string_equal(rec.l[0].p[0].val, "v=w");
	assert_string_equal(rec.l[0].p[1].key, "e");
	assert_int_equal(rec.l[0].p[1].vlen, 0);
	assert_string_equal(rec.l[0].p[2].key, "q");
	assert_int_equal(rec.l[0].p[2].vlen, 0);
	assert_string_equal(rec.l[0].p[3].val, "'y'");
}

static void test_crlf(void **state)
{
	(void)state;
	assert_true(tokenize("# comment\r\nguest a=1 b=\"x y\"\r\n\r\nguest c=3\r\n"));
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.l[0].line, 2);
	assert_int_equal(rec.l[0].npairs, 2);
	assert_string_equal(rec.l[0].p[0].val, "1");
	assert_string_equal(rec.l[0].p[1].val, "x y");
	assert_int_equal(rec.l[1].line, 4);
	assert_string_equal(rec.l[1].p[0].val, "3"); /* no '\r' in the value */
	assert_int_equal(rec.l[1].p[0].vlen, 1);

	assert_true(config("hypervisor cmdline=\"loglevel=debug\"\r\n"));
	assert_string_equal(cfg.cmdline, "loglevel=debug");
	assert_true(config("hypervisor cmdline=loglevel=info\r\n"));
	assert_string_equal(cfg.cmdline, "loglevel=info");
}

static void test_no_trailing_newline_and_empty(void **state)
{
	(void)state;
	assert_true(tokenize("guest a=1\nguest b=2"));
	assert_int_equal(rec.n, 2);
	assert_string_equal(rec.l[1].p[0].val, "2");
	assert_int_equal(rec.l[1].line, 2);

	assert_true(tokenize(""));
	assert_int_equal(rec.n, 0);
	assert_true(tokenize("\n\n\n"));
	assert_int_equal(rec.n, 0);
	assert_true(tokenize("# only a comment"));
	assert_int_equal(rec.n, 0);
}

/* The word an error message quotes ends the text: the message must not read past it. */
static void test_error_word_at_end_of_text(void **state)
{
	(void)state;
	EXPECT_ERROR(tokenize("guest a=1\n\nguest b"), 3, 8, "expected '=' after key 'b'");
	EXPECT_ERROR(config("hypervisor cmdline=x\nguset"), 2, 1,
	             "unknown directive 'guset' (expected hypervisor or guest)");
}

static void test_max_keys(void **state)
{
	(void)state;
	char line[512];
	size_t n = (size_t)snprintf(line, sizeof(line), "guest");

	for (int i = 0; i < CFG_MAX_KEYS; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " k%d=%d", i, i);
	assert_true(tokenize(line));
	assert_int_equal(rec.l[0].npairs, CFG_MAX_KEYS);
	assert_string_equal(rec.l[0].p[CFG_MAX_KEYS - 1].key, "k15");

	/* One more: the error points at the extra key. */
	unsigned col = (unsigned)n + 2;
	snprintf(line + n, sizeof(line) - n, " extra=1");
	EXPECT_ERROR(tokenize(line), 1, col, "too many key=value words on one line");
}

static void test_max_line_length(void **state)
{
	(void)state;
	char text[CFG_MAX_LINE + 40];

	/* Exactly CFG_MAX_LINE characters: accepted. */
	memset(text, 0, sizeof(text));
	strcpy(text, "guest v=");
	memset(text + 8, 'x', CFG_MAX_LINE - 8);
	strcpy(text + CFG_MAX_LINE, "\nguest w=1\n");
	assert_true(tokenize(text));
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.l[0].p[0].vlen, CFG_MAX_LINE - 8);

	/* One more: refused, pointing just past the limit. */
	memset(text, 0, sizeof(text));
	strcpy(text, "guest w=1\nguest v=");
	memset(text + 18, 'x', CFG_MAX_LINE + 1 - 8);
	strcat(text, "\n");
	EXPECT_ERROR(tokenize(text), 2, CFG_MAX_LINE + 1, "line longer than 1024 characters");

	/* A long comment is a long line too. */
	memset(text, '#', CFG_MAX_LINE + 1);
	text[CFG_MAX_LINE + 1] = '\0';
	EXPECT_ERROR(tokenize(text), 1, CFG_MAX_LINE + 1, "line longer than 1024 characters");
}

/* docs/config.md: lines end with LF or CRLF and hold at most 1024 characters: the CR is not one of them. */
static void test_max_line_length_crlf(void **state)
{
	(void)state;
	char text[CFG_MAX_LINE + 40];

	memset(text, 0, sizeof(text));
	strcpy(text, "guest v=");
	memset(text + 8, 'x', CFG_MAX_LINE - 8);
	strcpy(text + CFG_MAX_LINE, "\r\nguest w=1\r\n");
	assert_true(tokenize(text));
	assert_int_equal(rec.n, 2);
}

static void test_control_characters(void **state)
{
	(void)state;
	EXPECT_ERROR(tokenize("guest a=1\nguest b=\x01\n"), 2, 9, "control character in the file");
	EXPECT_ERROR(tokenize("guest a=\"x\x1by\"\n"), 1, 11, "control character in the file");
	EXPECT_ERROR(tokenize("# comment is fine, \x0c is not\n"), 1, 20, "control character in the file");
	EXPECT_ERROR(tokenize_n("guest\0a=1\n", 10), 1, 6, "control character in the file");
	/* Tabs are blanks. */
	assert_true(tokenize("guest\ta=1\t\tb=\"\tx\"\t\n"));
	assert_string_equal(rec.l[0].p[1].val, "\tx");
}

/* docs/config.md: control characters other than tab are refused; a CR not ending a line is one. */
static void test_lone_cr_refused(void **state)
{
	(void)state;
	EXPECT_ERROR(tokenize("guest\ra=1\n"), 1, 6, "control character in the file");
	EXPECT_ERROR(tokenize("guest a=\"x\ry\"\n"), 1, 11, "control character in the file");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	EXPECT_ERROR(tokenize("guest a=1\nguest name\n"), 2, 11, "expected '=' after key 'name'");
	EXPECT_ERROR(tokenize("guest name x=1\n"), 1, 11, "expected '=' after key 'name'");
	EXPECT_ERROR(tokenize("guest a=\"abc\n"), 1, 9, "unterminated quoted value");
	EXPECT_ERROR(tokenize("\n\nguest a=1 b=\"abc def"), 3, 13, "unterminated quoted value");
	EXPECT_ERROR(tokenize("guest a=abc\"def\"\n"), 1, 12, "unexpected '\"' inside an unquoted value");
	EXPECT_ERROR(tokenize("guest a=\"abc\"def\n"), 1, 14, "expected a blank after the value");
	EXPECT_ERROR(tokenize("guest a=\"abc\"\"\n"), 1, 14, "expected a blank after the value");
	EXPECT_ERROR(tokenize("guest=1\n"), 1, 6, "expected a blank after the directive name");
	EXPECT_ERROR(tokenize("gu$est a=1\n"), 1, 3, "expected a blank after the directive name");
	EXPECT_ERROR(tokenize("guest a$=1\n"), 1, 8, "expected '=' after key 'a'");
	EXPECT_ERROR(tokenize("=1\n"), 1, 1, "expected a name (letters, digits, '_', '-', '.')");
	EXPECT_ERROR(tokenize("guest =1\n"), 1, 7, "expected a name (letters, digits, '_', '-', '.')");
	EXPECT_ERROR(tokenize("  \"quoted\"\n"), 1, 3, "expected a name (letters, digits, '_', '-', '.')");
}

static void test_callback_stops_parsing(void **state)
{
	(void)state;
	memset(&rec, 0, sizeof(rec));
	memset(&err, 0, sizeof(err));
	rec.fail_on_line = 2;
	const char *text = "guest a=1\nguest b=2\nguest c=3\n";
	assert_false(cfg_parse(text, strlen(text), record, &rec, &err));
	assert_int_equal(rec.n, 1); /* line 3 never reached */
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 99);
	assert_string_equal(err.msg, "callback says no");
}

static void test_len_bounds_text(void **state)
{
	(void)state;
	/* Only len bytes count, whatever follows them. */
	const char *text = "guest a=1\nguest b=\"unterminated";
	memset(&rec, 0, sizeof(rec));
	assert_true(cfg_parse(text, 10, record, &rec, &err));
	assert_int_equal(rec.n, 1);
	assert_true(cfg_parse(text, 0, record, &rec, &err));
}

/* ---- hv_config_parse ---- */

static void test_config_cmdline(void **state)
{
	(void)state;
	assert_true(config("# defaults\nhypervisor cmdline=\"loglevel=debug onpanic=poweroff\"\n"));
	assert_string_equal(cfg.cmdline, "loglevel=debug onpanic=poweroff");

	assert_true(config("hypervisor cmdline=\"a\"\nhypervisor cmdline=\"b c\""));
	assert_string_equal(cfg.cmdline, "b c"); /* the last one wins */

	assert_true(config("hypervisor cmdline=first cmdline=second\n"));
	assert_string_equal(cfg.cmdline, "second");

	assert_true(config("hypervisor cmdline=\"# not a comment\" # a comment\n"));
	assert_string_equal(cfg.cmdline, "# not a comment");

	assert_true(config("hypervisor cmdline=\"long value\"\nhypervisor cmdline=\"\"\n"));
	assert_string_equal(cfg.cmdline, "");

	assert_true(config("hypervisor\n")); /* no keys: nothing set */
	assert_string_equal(cfg.cmdline, "");
}

static void test_config_empty(void **state)
{
	(void)state;
	assert_true(config(""));
	assert_string_equal(cfg.cmdline, ""); /* out is cleared */
	assert_true(config("\n# nothing here\n\n"));
	assert_string_equal(cfg.cmdline, "");
}

static void test_config_unknown_directive(void **state)
{
	(void)state;
	EXPECT_ERROR(config("hypervisor cmdline=x\n\nguset image=a.efi\n"), 3, 1,
	             "unknown directive 'guset' (expected hypervisor or guest)");
	EXPECT_ERROR(config("  Hypervisor cmdline=x\n"), 1, 3,
	             "unknown directive 'Hypervisor' (expected hypervisor or guest)");
	EXPECT_ERROR(config("hypervisorx\n"), 1, 1, "unknown directive 'hypervisorx' (expected hypervisor or guest)");
	/* Long names are cut to 40 characters in the message. */
	EXPECT_ERROR(config("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n"), 1, 1,
	             "unknown directive 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn' (expected hypervisor or guest)");
}

static void test_config_unknown_key(void **state)
{
	(void)state;
	EXPECT_ERROR(config("hypervisor cmdline=x loglevel=debug\n"), 1, 22,
	             "unknown key 'loglevel' for 'hypervisor' (expected cmdline)");
	EXPECT_ERROR(config("# c\nhypervisor  cmd=x\n"), 2, 13,
	             "unknown key 'cmd' for 'hypervisor' (expected cmdline)");
}

static void test_config_syntax_errors_reported(void **state)
{
	(void)state;
	EXPECT_ERROR(config("hypervisor cmdline\n"), 1, 19, "expected '=' after key 'cmdline'");
	EXPECT_ERROR(config("hypervisor cmdline=\"abc\n"), 1, 20, "unterminated quoted value");
	EXPECT_ERROR(config("hypervisor cmdline=a\"b\"\n"), 1, 21, "unexpected '\"' inside an unquoted value");
	EXPECT_ERROR(config("hypervisor\x02 cmdline=x\n"), 1, 11, "control character in the file");
}

static void test_config_cmdline_length(void **state)
{
	(void)state;
	char text[700];

	/* 511 characters fit. */
	strcpy(text, "hypervisor cmdline=\"");
	memset(text + 20, 'c', 511);
	strcpy(text + 20 + 511, "\"\n");
	assert_true(config(text));
	assert_int_equal(strlen(cfg.cmdline), 511);

	/* 512 do not: the error points at the value's first character. */
	memset(text + 20, 'c', 512);
	strcpy(text + 20 + 512, "\"\n");
	EXPECT_ERROR(config(text), 1, 21, "cmdline longer than 511 characters");

	strcpy(text, "hypervisor cmdline=");
	memset(text + 19, 'u', 600);
	strcpy(text + 19 + 600, "\n");
	EXPECT_ERROR(config(text), 1, 20, "cmdline longer than 511 characters");
}

/* ---- guest ---- */

static void test_config_guests(void **state)
{
	(void)state;
	const char *text =
	        "hypervisor cmdline=\"loglevel=info\"\n"
	        "# two guests and a third\n"
	        "guest name=linux-1 image=guests/linux.elf cpus=1-3 memory=64M cmdline=\"console=ttyS0 quiet\" "
	        "module=initrd.img module=\"my mod.bin\" initrd=\"boot/initrd 1.img\" restart=yes console=raw "
	        "user_stats=yes\n"
	        "\tguest cpus=0,4-5,63 image=t.elf name=test_2 # the defaults\n"
	        "guest name=X image=x cpus=7-7 memory=0x200000 restart=no console=escaped\n";

	assert_true(config(text));
	assert_string_equal(cfg.cmdline, "loglevel=info");
	assert_int_equal(cfg.nguests, 3);

	const struct cfg_guest *g = &cfg.guests[0];
	assert_string_equal(g->name, "linux-1");
	assert_string_equal(g->image, "guests/linux.elf");
	assert_int_equal(g->cpus, 0xe);
	assert_int_equal(g->memory, 64ull << 20);
	assert_string_equal(g->cmdline, "console=ttyS0 quiet");
	assert_int_equal(g->nmodules, 2);
	assert_string_equal(g->modules[0], "initrd.img");
	assert_string_equal(g->modules[1], "my mod.bin");
	assert_string_equal(g->initrd, "boot/initrd 1.img");
	assert_true(g->restart);
	assert_true(g->console_raw);
	assert_true(g->user_stats);
	assert_int_equal(g->line, 3);

	g = &cfg.guests[1];
	assert_string_equal(g->name, "test_2");
	assert_string_equal(g->image, "t.elf");
	assert_int_equal(g->cpus, 0x31 | (1ull << 63));
	assert_int_equal(g->memory, CFG_GUEST_DEFAULT_MEMORY);
	assert_int_equal(g->memory, 32ull << 20);
	assert_string_equal(g->cmdline, "");
	assert_int_equal(g->nmodules, 0);
	assert_string_equal(g->initrd, ""); /* none */
	assert_false(g->restart);
	assert_false(g->console_raw); /* escaped by default */
	assert_false(g->user_stats);  /* the statistics hypercalls from CPL 0 only by default */
	assert_int_equal(g->line, 4);

	g = &cfg.guests[2];
	assert_string_equal(g->name, "X");
	assert_int_equal(g->cpus, 0x80);
	assert_int_equal(g->memory, GUEST_MIN_MEMORY);
	assert_false(g->restart);
	assert_false(g->console_raw);
	assert_int_equal(g->line, 5);
}

/* Every limit, reached but not passed. */
static void test_config_guest_limits(void **state)
{
	(void)state;
	char text[4096], name[40], image[80], cmdline[300];

	memset(name, 'n', 31);
	name[31] = '\0';
	memset(image, 'i', 63);
	image[63] = '\0';
	memset(cmdline, 'c', 255);
	cmdline[255] = '\0';
	snprintf(text, sizeof(text),
	         "guest name=%s image=%s cpus=0-63 memory=3G cmdline=\"%s\" module=1 module=2 module=3 module=4 "
	         "module=5 module=6 module=7 module=%s\n",
	         name, image, cmdline, image);
	assert_true(config(text));
	assert_int_equal(cfg.nguests, 1);
	assert_string_equal(cfg.guests[0].name, name);
	assert_string_equal(cfg.guests[0].image, image);
	assert_int_equal(cfg.guests[0].cpus, UINT64_MAX);
	assert_int_equal(cfg.guests[0].memory, GUEST_MAX_MEMORY);
	assert_string_equal(cfg.guests[0].cmdline, cmdline);
	assert_int_equal(cfg.guests[0].nmodules, CFG_MAX_GUEST_MODULES);
	assert_string_equal(cfg.guests[0].modules[6], "7");
	assert_string_equal(cfg.guests[0].modules[7], image);

	/* 16 guests; the 17th is refused at its directive. */
	size_t n = 0;
	for (int i = 0; i < CFG_MAX_GUESTS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "guest name=g%d image=g.elf cpus=%d\n", i, i);
	assert_true(config(text));
	assert_int_equal(cfg.nguests, CFG_MAX_GUESTS);
	assert_string_equal(cfg.guests[15].name, "g15");
	assert_int_equal(cfg.guests[15].cpus, 1u << 15);
	snprintf(text + n, sizeof(text) - n, "  guest name=g16 image=g.elf cpus=16\n");
	EXPECT_ERROR(config(text), 17, 3, "more than 16 guests");
}

static void test_config_guest_required(void **state)
{
	(void)state;
	EXPECT_ERROR(config("guest image=a cpus=0\n"), 1, 1, "missing name=<id> for 'guest'");
	EXPECT_ERROR(config("hypervisor\n  guest name=a cpus=0\n"), 2, 3, "missing image=<path> for 'guest'");
	EXPECT_ERROR(config("guest name=a image=a\n"), 1, 1, "missing cpus=<list> for 'guest'");
	EXPECT_ERROR(config("guest\n"), 1, 1, "missing name=<id> for 'guest'");
}

static void test_config_guest_name(void **state)
{
	(void)state;
	EXPECT_ERROR(config("guest name=a.b image=a cpus=0\n"), 1, 13,
	             "invalid character '.' in name (expected letters, digits, '-', '_')");
	EXPECT_ERROR(config("guest name=\"a b\" image=a cpus=0\n"), 1, 14,
	             "invalid character ' ' in name (expected letters, digits, '-', '_')");
	EXPECT_ERROR(config("guest name= image=a cpus=0\n"), 1, 12, "empty name (expected letters, digits, '-', '_')");
	EXPECT_ERROR(config("guest image=a cpus=0 name=abcdefghijklmnopqrstuvwxyz012345\n"), 1, 27,
	             "name longer than 31 characters");
	EXPECT_ERROR(config("# guests\nguest name=a image=a cpus=0\nguest name=b image=b cpus=1\n"
	                    "guest image=c cpus=2 name=a\n"),
	             4, 27, "guest name 'a' already used on line 2");
	/* Names are case-sensitive. */
	assert_true(config("guest name=a image=a cpus=0\nguest name=A image=a cpus=1\n"));
	/* The tags of the hypervisor's own lines are not guest names: its lines could not be told apart. */
	EXPECT_ERROR(config("guest name=cpu1 image=a cpus=0\n"), 1, 12,
	             "guest name 'cpu1' is reserved: the hypervisor's own lines are tagged [cpuN], [console], [shell]");
	EXPECT_ERROR(
	        config("guest name=cpu007 image=a cpus=0\n"), 1, 12,
	        "guest name 'cpu007' is reserved: the hypervisor's own lines are tagged [cpuN], [console], [shell]");
	EXPECT_ERROR(config("guest name=console image=a cpus=0\n"), 1, 12,
	             "guest name 'console' is reserved: the hypervisor's own lines are tagged [cpuN], [console], "
	             "[shell]");
	EXPECT_ERROR(
	        config("guest name=shell image=a cpus=0\n"), 1, 12,
	        "guest name 'shell' is reserved: the hypervisor's own lines are tagged [cpuN], [console], [shell]");
	assert_true(config("guest name=cpu image=a cpus=0\nguest name=cpu1a image=a cpus=1\n"
	                   "guest name=CPU1 image=a cpus=2\nguest name=shell2 image=a cpus=3\n"));
}

static void test_config_guest_paths(void **state)
{
	(void)state;
	char text[512];

	EXPECT_ERROR(config("guest name=a image= cpus=0\n"), 1, 20, "empty image path");
	EXPECT_ERROR(config("guest name=a image=\"\" cpus=0\n"), 1, 21, "empty image path");
	EXPECT_ERROR(config("guest name=a image=k module=x module= cpus=0\n"), 1, 38, "empty module path");
	EXPECT_ERROR(config("guest name=a image=k initrd= cpus=0\n"), 1, 29, "empty initrd path");

	strcpy(text, "guest name=a cpus=0 image=");
	memset(text + 26, 'p', 64);
	strcpy(text + 26 + 64, "\n");
	EXPECT_ERROR(config(text), 1, 27, "image path longer than 63 characters");
	strcpy(text, "guest name=a cpus=0 image=k module=");
	memset(text + 35, 'm', 64);
	strcpy(text + 35 + 64, "\n");
	EXPECT_ERROR(config(text), 1, 36, "module path longer than 63 characters");

	EXPECT_ERROR(config("guest name=a image=k cpus=0 module=1 module=2 module=3 module=4 module=5 module=6 "
	                    "module=7 module=8 module=9\n"),
	             1, 101, "more than 8 modules for one guest");
}

static void test_config_guest_cpus_syntax(void **state)
{
	(void)state;
	/* "guest name=a image=k cpus=" is 26 characters: the value starts at column 27. */
	EXPECT_ERROR(config("guest name=a image=k cpus=\n"), 1, 27, "empty item in cpus (expected e.g. 0,2-3)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0,,1\n"), 1, 29, "empty item in cpus (expected e.g. 0,2-3)");
	EXPECT_ERROR(config("guest name=a image=k cpus=,1\n"), 1, 27, "empty item in cpus (expected e.g. 0,2-3)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0,\n"), 1, 29, "empty item in cpus (expected e.g. 0,2-3)");
	EXPECT_ERROR(config("guest name=a image=k cpus=a\n"), 1, 27, "expected a CPU number (0-63) in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=-1\n"), 1, 27, "expected a CPU number (0-63) in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=1-x\n"), 1, 29, "expected a CPU number (0-63) in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=1-\n"), 1, 29, "expected a CPU number (0-63) after '-' in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=1-,2\n"), 1, 29,
	             "expected a CPU number (0-63) after '-' in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=1;2\n"), 1, 28,
	             "expected ',' or '-' after a CPU number in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=1-2-3\n"), 1, 30,
	             "expected ',' or '-' after a CPU number in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=\"0, 1\"\n"), 1, 30, "expected a CPU number (0-63) in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=\"0 ,1\"\n"), 1, 29,
	             "expected ',' or '-' after a CPU number in cpus");
	EXPECT_ERROR(config("guest name=a image=k cpus=0,64\n"), 1, 29, "CPU 64 out of range (expected 0-63)");
	EXPECT_ERROR(config("guest name=a image=k cpus=1-99999999999999999999\n"), 1, 29,
	             "CPU 99999999999999999999 out of range (expected 0-63)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0,5-3\n"), 1, 29,
	             "range 5-3 in cpus is descending (expected low-high)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0-2,4,1\n"), 1, 33, "CPU 1 listed twice in cpus");
	/* Leading zeros are still numbers. */
	assert_true(config("guest name=a image=k cpus=007,0-01\n"));
	assert_int_equal(cfg.guests[0].cpus, 0x83);
}

static void test_config_guest_cpu_owned(void **state)
{
	(void)state;
	EXPECT_ERROR(config("hypervisor\nguest name=a image=k cpus=0-1\nguest name=b image=k cpus=2,1\n"), 3, 29,
	             "CPU 1 already belongs to guest 'a' (line 2)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0\nguest name=b image=k cpus=1\n"
	                    "guest name=c image=k cpus=2-5,0-1\n"),
	             3, 31, "CPU 0 already belongs to guest 'a' (line 1)");
	/* cpus before name: the earlier guest is still named. */
	EXPECT_ERROR(config("guest name=first image=k cpus=3\nguest cpus=3 name=second image=k\n"), 2, 12,
	             "CPU 3 already belongs to guest 'first' (line 1)");
}

static void test_config_guest_memory(void **state)
{
	(void)state;
	/* "guest name=a image=k cpus=0 memory=" is 35 characters. */
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=1M\n"), 1, 36, "memory 1M is below the minimum of 2M");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=0\n"), 1, 36, "memory 0 is below the minimum of 2M");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=4G\n"), 1, 36,
	             "memory 4G is above the maximum of 3072M");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=3145729K\n"), 1, 36,
	             "memory 3145729K is above the maximum of 3072M");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=0x200800\n"), 1, 36,
	             "memory 0x200800 is not a multiple of 4K");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=2049K\n"), 1, 36,
	             "memory 2049K is not a multiple of 4K");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=lots\n"), 1, 36,
	             "expected a size for memory such as 64M, not 'lots'");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=64MB\n"), 1, 36,
	             "expected a size for memory such as 64M, not '64MB'");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=\n"), 1, 36,
	             "expected a size for memory such as 64M, not ''");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=123456789012345678901234567890\n"), 1, 36,
	             "expected a size for memory such as 64M, not '123456789012345678901234567890'");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=99999999999999999999\n"), 1, 36,
	             "expected a size for memory such as 64M, not '99999999999999999999'");
	assert_true(config("guest name=a image=k cpus=0 memory=2052K\n"));
	assert_int_equal(cfg.guests[0].memory, 2052 * 1024);
	assert_true(config("guest name=a image=k cpus=0 memory=1g\n"));
	assert_int_equal(cfg.guests[0].memory, 1ull << 30);
}

static void test_config_guest_cmdline_restart(void **state)
{
	(void)state;
	char text[400];

	strcpy(text, "guest name=a image=k cpus=0 cmdline=\"");
	memset(text + 37, 'c', 256);
	strcpy(text + 37 + 256, "\"\n");
	EXPECT_ERROR(config(text), 1, 38, "cmdline longer than 255 characters");

	EXPECT_ERROR(config("guest name=a image=k cpus=0 restart=maybe\n"), 1, 37,
	             "expected yes or no for restart, not 'maybe'");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 restart=YES\n"), 1, 37,
	             "expected yes or no for restart, not 'YES'");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 restart=\n"), 1, 37, "expected yes or no for restart, not ''");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 console=yes\n"), 1, 37,
	             "expected raw or escaped for console, not 'yes'");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 console=RAW\n"), 1, 37,
	             "expected raw or escaped for console, not 'RAW'");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 console=raw console=raw\n"), 1, 41,
	             "key 'console' given twice (first at column 29)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 user_stats=on\n"), 1, 40,
	             "expected yes or no for user_stats, not 'on'");
	assert_true(config("guest name=a image=k cpus=0 user_stats=no\n"));
	assert_false(cfg.guests[0].user_stats);
}

static void test_config_guest_keys(void **state)
{
	(void)state;
	EXPECT_ERROR(config("guest name=a image=k cpus=0 cores=2\n"), 1, 29,
	             "unknown key 'cores' for 'guest' (expected name, image, cpus, memory, cmdline, module, initrd, "
	             "restart, console, user_stats)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 Name=b\n"), 1, 29,
	             "unknown key 'Name' for 'guest' (expected name, image, cpus, memory, cmdline, module, initrd, "
	             "restart, console, user_stats)");
	/* A 40-character key still fits the message whole. */
	EXPECT_ERROR(config("guest abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz=1\n"), 1, 7,
	             "unknown key 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn' for 'guest' (expected name, image, cpus, "
	             "memory, cmdline, module, initrd, restart, console, user_stats)");
	EXPECT_ERROR(config("guest name=a image=k name=b cpus=0\n"), 1, 22,
	             "key 'name' given twice (first at column 7)");
	/* One initial RAM disk per guest: a second initrd= is refused, not appended. */
	EXPECT_ERROR(config("guest name=a image=k cpus=0 initrd=a.img initrd=b.img\n"), 1, 42,
	             "key 'initrd' given twice (first at column 29)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 memory=4M restart=no memory=4M\n"), 1, 50,
	             "key 'memory' given twice (first at column 29)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 restart=no restart=no\n"), 1, 40,
	             "key 'restart' given twice (first at column 29)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 cmdline=a cmdline=b\n"), 1, 39,
	             "key 'cmdline' given twice (first at column 29)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 image=j\n"), 1, 29,
	             "key 'image' given twice (first at column 14)");
	EXPECT_ERROR(config("guest name=a image=k cpus=0 cpus=1\n"), 1, 29,
	             "key 'cpus' given twice (first at column 22)");
}

/* The hypervisor line is unaffected by guests, wherever it is; out starts cleared. */
static void test_config_guests_and_hypervisor(void **state)
{
	(void)state;
	assert_true(config("guest name=a image=k cpus=0\nhypervisor cmdline=x\nguest name=b image=k cpus=1\n"));
	assert_string_equal(cfg.cmdline, "x");
	assert_int_equal(cfg.nguests, 2);
	assert_true(config("hypervisor cmdline=y\n"));
	assert_int_equal(cfg.nguests, 0);
	/* A bad guest line after good ones: the error names its own line. */
	EXPECT_ERROR(config("guest name=a image=k cpus=0\n\nguest name=b image=k cpus=0\n"), 3, 27,
	             "CPU 0 already belongs to guest 'a' (line 1)");
}

/* The example in docs/config.md. */
static void test_config_doc_example(void **state)
{
	(void)state;
	assert_true(config("hypervisor cmdline=\"loglevel=info\"\n"
	                   "guest name=os image=guests/kernel.elf cpus=1-2 memory=256M cmdline=\"console=com1\" "
	                   "module=guests/initrd.img\n"
	                   "guest name=selftest image=guests/selftest.elf cpus=3 restart=yes\n"));
	assert_int_equal(cfg.nguests, 2);
	assert_int_equal(cfg.guests[0].cpus, 0x6);
	assert_int_equal(cfg.guests[0].memory, 256ull << 20);
	assert_string_equal(cfg.guests[0].modules[0], "guests/initrd.img");
	assert_int_equal(cfg.guests[1].cpus, 0x8);
	assert_int_equal(cfg.guests[1].memory, 32ull << 20);
	assert_true(cfg.guests[1].restart);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tokenize_words),
	        cmocka_unit_test(test_tokenize_comments_and_blank_lines),
	        cmocka_unit_test(test_tokenize_names_and_values),
	        cmocka_unit_test(test_crlf),
	        cmocka_unit_test(test_no_trailing_newline_and_empty),
	        cmocka_unit_test(test_error_word_at_end_of_text),
	        cmocka_unit_test(test_max_keys),
	        cmocka_unit_test(test_max_line_length),
	        cmocka_unit_test(test_max_line_length_crlf),
	        cmocka_unit_test(test_control_characters),
	        cmocka_unit_test(test_lone_cr_refused),
	        cmocka_unit_test(test_syntax_errors),
	        cmocka_unit_test(test_callback_stops_parsing),
	        cmocka_unit_test(test_len_bounds_text),
	        cmocka_unit_test(test_config_cmdline),
	        cmocka_unit_test(test_config_empty),
	        cmocka_unit_test(test_config_unknown_directive),
	        cmocka_unit_test(test_config_unknown_key),
	        cmocka_unit_test(test_config_syntax_errors_reported),
	        cmocka_unit_test(test_config_cmdline_length),
	        cmocka_unit_test(test_config_guests),
	        cmocka_unit_test(test_config_guest_limits),
	        cmocka_unit_test(test_config_guest_required),
	        cmocka_unit_test(test_config_guest_name),
	        cmocka_unit_test(test_config_guest_paths),
	        cmocka_unit_test(test_config_guest_cpus_syntax),
	        cmocka_unit_test(test_config_guest_cpu_owned),
	        cmocka_unit_test(test_config_guest_memory),
	        cmocka_unit_test(test_config_guest_cmdline_restart),
	        cmocka_unit_test(test_config_guest_keys),
	        cmocka_unit_test(test_config_guests_and_hypervisor),
	        cmocka_unit_test(test_config_doc_example),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
