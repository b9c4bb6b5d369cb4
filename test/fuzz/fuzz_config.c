/* sources: vmm/partition/config.c boot/efi/conf_scan.c boot/efi/loadopt.c vmm/lib/cmdline.c vmm/lib/parse.c vmm/lib/fmt.c vmm/lib/string.c */
/* fuzz_config.c: libFuzzer harness: hv.conf and the command line, as the hypervisor and the UEFI loader read them. */
#include "test/fuzz/fuzz.h"

#include "boot/efi/conf_scan.h"
#include "boot/efi/loadopt.h"
#include "vmm/lib/cmdline.h"
#include "vmm/lib/parse.h"
#include "vmm/partition/config.h"
#include "vmm/partition/guest_layout.h"

/*
 * Input: the text of an hv.conf (any bytes). It goes to hv_config_parse
 * (the hypervisor), to conf_scan (the UEFI loader, which finds the files
 * it names) and, as a boot command line (its first 511 bytes, what
 * boot_info holds), to cmdline_get with the options the hypervisor reads;
 * as UCS-2 it is the UEFI LoadOptions of loadopt_to_cmdline.
 *
 * Checked: a parsed configuration keeps every limit config.h states
 * (guests, names, paths, CPUs owned once, memory size and alignment,
 * strings terminated); an error names a line of the file and a column of
 * it (or just past its end), with a message; conf_scan agrees with the
 * parser (what one takes the other's tokenizer takes; on a good file it
 * lists exactly the files each guest names, its modules in order);
 * command-line values fit their buffers; the converted LoadOptions are
 * printable ASCII without blanks at either end.
 */

static bool name_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

static void check_guest(const struct hv_config *c, unsigned i, unsigned lines)
{
	const struct cfg_guest *g = &c->guests[i];

	FZ_CHECK_STR(g->name);
	FZ_CHECK_STR(g->image);
	FZ_CHECK_STR(g->cmdline);
	FZ_CHECK_STR(g->initrd);
	FZ_CHECK(g->name[0] && name_ok(g->name), "guest %u: name \"%s\"", i, g->name);
	FZ_CHECK(g->image[0] != 0, "guest %u: no image", i);
	FZ_CHECK(g->cpus != 0, "guest %u: no CPU", i);
	FZ_CHECK(g->memory >= GUEST_MIN_MEMORY && g->memory <= GUEST_MAX_MEMORY && g->memory % 4096 == 0,
	         "guest %u: memory %#llx", i, (unsigned long long)g->memory);
	FZ_CHECK(g->nmodules <= CFG_MAX_GUEST_MODULES, "guest %u: %u modules", i, g->nmodules);
	for (unsigned m = 0; m < g->nmodules; m++) {
		FZ_CHECK_STR(g->modules[m]);
		FZ_CHECK(g->modules[m][0] != 0, "guest %u: module %u empty", i, m);
	}
	FZ_CHECK(g->line >= 1 && g->line <= lines, "guest %u: line %u of %u", i, g->line, lines);
	for (unsigned j = 0; j < i; j++) {
		FZ_CHECK((c->guests[j].cpus & g->cpus) == 0, "guests %u and %u share CPUs", j, i);
		FZ_CHECK(strcmp(c->guests[j].name, g->name) != 0, "guests %u and %u are both \"%s\"", j, i, g->name);
		FZ_CHECK(c->guests[j].line < g->line, "guest %u on line %u, before guest %u", i, g->line, j);
	}
}

static int by_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The files of guest g, and those conf_scan found on its line: the same names, the modules in their order. */
static void check_guest_files(const struct cfg_guest *g, unsigned i, const struct conf_path *found, unsigned n)
{
	const char *want[CFG_MAX_GUEST_MODULES + 2], *got[CFG_MAX_GUEST_MODULES + 2];
	unsigned w = 0, mod = 0;

	want[w++] = g->image;
	for (unsigned m = 0; m < g->nmodules; m++)
		want[w++] = g->modules[m];
	if (g->initrd[0])
		want[w++] = g->initrd;
	FZ_CHECK(n == w, "guest %u names %u files, conf_scan found %u on its line", i, w, n);
	for (unsigned k = 0; k < n; k++) {
		got[k] = found[k].path;
		if (mod < g->nmodules && strcmp(got[k], g->modules[mod]) == 0)
			mod++;
	}
	FZ_CHECK(mod == g->nmodules, "guest %u: conf_scan has its modules out of order", i);
	qsort(want, w, sizeof(want[0]), by_name);
	qsort(got, n, sizeof(got[0]), by_name);
	for (unsigned k = 0; k < n; k++)
		FZ_CHECK(strcmp(want[k], got[k]) == 0, "guest %u names \"%s\", conf_scan found \"%s\"", i, want[k],
		         got[k]);
}

/* conf_scan on a file the hypervisor took: the guests' files, line by line (unless a path is one the loader refuses).
 */
static void check_scan_agrees(const struct hv_config *c, const char *text, size_t len)
{
	static struct conf_path paths[CFG_MAX_GUESTS * (CFG_MAX_GUEST_MODULES + 2)];
	struct cfg_error err;
	uint32_t count, k = 0;

	enum conf_err e = conf_scan(text, len, paths, sizeof(paths) / sizeof(paths[0]), &count, &err);
	FZ_CHECK(e != CONF_ERR_SYNTAX && e != CONF_ERR_TOO_MANY && e != CONF_ERR_EMPTY && e != CONF_ERR_TOO_LONG,
	         "the hypervisor took the file, conf_scan says: %s", conf_strerror(e));
	if (e != CONF_OK)
		return; /* an absolute path or one with non-ASCII bytes: the loader's own rule */
	for (unsigned i = 0; i < c->nguests; i++) {
		unsigned n = 0;
		while (k + n < count && paths[k + n].line == c->guests[i].line)
			n++;
		check_guest_files(&c->guests[i], i, paths + k, n);
		k += n;
	}
	FZ_CHECK(k == count, "conf_scan lists %u files, the guests name %u", count, k);
}

/* The length of line n (1-based) of the text, without its newline. */
static size_t line_length(const char *text, size_t len, unsigned n)
{
	size_t start = 0;

	for (unsigned l = 1; l < n && start < len; start++)
		l += text[start] == '\n';
	size_t end = start;
	while (end < len && text[end] != '\n')
		end++;
	return end - start;
}

/* An error's position: a line of the file, a column of that line or just past its end. */
static void check_position(const char *text, size_t len, unsigned lines, const struct cfg_error *e, const char *who)
{
	FZ_CHECK_STR(e->msg);
	FZ_CHECK(e->msg[0] != 0, "%s: an error without a message", who);
	FZ_CHECK(e->line >= 1 && e->line <= lines && e->col >= 1 && e->col <= line_length(text, len, e->line) + 1,
	         "%s: error at %u:%u, line %u of %u has %zu characters: %s", who, e->line, e->col, e->line, lines,
	         line_length(text, len, e->line), e->msg);
}

static void check_config(const char *text, size_t len)
{
	static struct hv_config c;
	static struct conf_path paths[4];
	struct cfg_error err, serr;
	uint32_t count;
	unsigned lines = 1;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	bool ok = hv_config_parse(text, len, &c, &err);
	enum conf_err e = conf_scan(text, len, paths, 4, &count, &serr);
	FZ_CHECK(count <= 4, "conf_scan: %u paths in room for 4", count);
	for (uint32_t i = 0; i < count; i++) {
		FZ_CHECK_STR(paths[i].path);
		FZ_CHECK(paths[i].path[0] && paths[i].path[0] != '/' && paths[i].path[0] != '\\', "path \"%s\"",
		         paths[i].path);
	}
	if (e != CONF_OK)
		check_position(text, len, lines, &serr, "conf_scan");
	if (!ok) {
		check_position(text, len, lines, &err, "hv_config_parse");
		return;
	}
	FZ_CHECK(e != CONF_ERR_SYNTAX, "the hypervisor took it, conf_scan's tokenizer did not");
	FZ_CHECK_STR(c.cmdline);
	FZ_CHECK(c.nguests <= CFG_MAX_GUESTS, "%u guests", c.nguests);
	for (unsigned i = 0; i < c.nguests; i++)
		check_guest(&c, i, lines);
	check_scan_agrees(&c, text, len);
}

/* The options the hypervisor reads from its command line, as it reads them, into buffers of its sizes. */
/*
 * The options the hypervisor reads from its command line, as it reads them; each into a buffer of one of
 * a few sizes (which one turns with the line's length), the value then parsed as a number and a size.
 */
static void check_cmdline(const char *cmdline)
{
	static const char *const keys[] = {"apicv",       "onpanic",           "mem", "console", "loglevel",
	                                   "debug.fault", "debug.phantom_apic"};
	static const size_t sizes[] = {1, 2, 16, 32, 64};
	char val[64 + 1];
	uint64_t v;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t size = sizes[(k + strlen(cmdline)) % (sizeof(sizes) / sizeof(sizes[0]))];
		memset(val, 'X', sizeof(val));
		if (!cmdline_get(cmdline, keys[k], val, size))
			continue;
		FZ_CHECK(memchr(val, 0, size) != NULL && val[size] == 'X',
		         "%s= into %zu bytes: not terminated inside them", keys[k], size);
		cmdline_parse_size(val, &v);
		parse_uint(val, UINT64_MAX, &v);
	}
	cmdline_get(cmdline, "vmx.raw", NULL, 0);
}

/* The same bytes as UEFI LoadOptions (UCS-2): printable ASCII out, trimmed, terminated. */
static void check_loadopt(const uint8_t *data, size_t size)
{
	uint16_t *opts = malloc(size ? size : 1);
	char out[BOOT_CMDLINE_MAX];

	if (!opts)
		abort();
	memcpy(opts, data, size);
	enum loadopt_result r = loadopt_to_cmdline(opts, size, "BOOTX64.EFI", out, sizeof(out));
	size_t n = strnlen(out, sizeof(out));
	FZ_CHECK(n < sizeof(out), "LoadOptions: not terminated");
	FZ_CHECK(r != LOADOPT_NOT_TEXT || n == 0, "LoadOptions: binary, yet \"%s\"", out);
	for (size_t i = 0; i < n; i++)
		FZ_CHECK(out[i] >= 0x20 && out[i] <= 0x7e, "LoadOptions: byte %#x at %zu", (unsigned char)out[i], i);
	FZ_CHECK(n == 0 || (out[0] != ' ' && out[n - 1] != ' '), "LoadOptions: \"%s\" not trimmed", out);
	check_cmdline(out);
	free(opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As a command line: at most what boot_info holds (BOOT_CMDLINE_MAX), as the boot paths cut it. */
	size_t n = size < BOOT_CMDLINE_MAX - 1 ? size : BOOT_CMDLINE_MAX - 1;
	char *cmdline = malloc(n + 1);

	if (!cmdline)
		abort();
	memcpy(cmdline, data, n);
	cmdline[n] = '\0';
	check_config((const char *)data, size);
	check_cmdline(cmdline);
	check_loadopt(data, size);
	free(cmdline);
	return 0;
}
