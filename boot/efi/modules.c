/* modules.c: hv.conf and the files it names, as boot modules. */
#include "boot/efi/conf_scan.h"
#include "boot/efi/loader.h"

static struct conf_path conf_paths[BOOT_MOD_MAX];

static EFI_STATUS module_add(struct loader *ld, const char *name, EFI_PHYSICAL_ADDRESS pa, UINT64 size)
{
	struct boot_info *bi = ld->bi;
	struct boot_module *m;

	if (bi->module_count == BOOT_MOD_MAX)
		return fail(EFI_OUT_OF_RESOURCES, L"too many modules (at most %d)", BOOT_MOD_MAX);
	m = &bi->modules[bi->module_count++];
	m->base = pa;
	m->size = size;
	for (UINTN i = 0; i < BOOT_NAME_MAX - 1 && name[i]; i++)
		m->name[i] = name[i];
	say(L"module %d \"%a\": %ld bytes at 0x%lx", bi->module_count - 1, m->name, size, pa);
	return EFI_SUCCESS;
}

/* Loads the file hv.conf named on the given line, relative to \apicvisor. */
static EFI_STATUS module_load(struct loader *ld, const struct conf_path *cp)
{
	CHAR16 path[PATH_MAX16];
	EFI_PHYSICAL_ADDRESS pa;
	UINT64 size;

	if (!conf_volume_path(HV_DIR_ASCII, cp->path, (uint16_t *)path, PATH_MAX16))
		return fail(EFI_BAD_BUFFER_SIZE, L"hv.conf:%d:%d: path too long: %a", cp->line, cp->col, cp->path);
	say(L"loading %s (hv.conf:%d:%d)", path, cp->line, cp->col);
	EFI_STATUS st = file_load(ld, path, FALSE, ~0ull, &pa, &size);
	if (EFI_ERROR(st))
		return fail(st, L"module \"%a\" named by hv.conf:%d:%d could not be loaded", cp->path, cp->line,
		            cp->col);
	return module_add(ld, cp->path, pa, size);
}

EFI_STATUS modules_load(struct loader *ld)
{
	EFI_PHYSICAL_ADDRESS pa;
	UINT64 size;
	UINT32 n;
	struct cfg_error err;

	EFI_STATUS st = file_load(ld, HV_CONF_PATH, TRUE, HV_CONF_MAX, &pa, &size);
	if (st == EFI_NOT_FOUND) {
		say(L"WARNING: no %s: using built-in defaults", HV_CONF_PATH);
		return EFI_SUCCESS;
	}
	if (EFI_ERROR(st) || EFI_ERROR((st = module_add(ld, "hv.conf", pa, size))))
		return st;
	/* The syntax is cfg_parse's, as in the hypervisor: an error stops here, before anything is loaded. */
	enum conf_err e = conf_scan((const char *)(UINTN)pa, size, conf_paths, BOOT_MOD_MAX - 1, &n, &err);
	if (e == CONF_ERR_TOO_MANY)
		return fail(EFI_OUT_OF_RESOURCES, L"hv.conf:%d:%d: too many modules (at most %d, hv.conf included)",
		            err.line, err.col, BOOT_MOD_MAX);
	if (e != CONF_OK)
		return fail(EFI_LOAD_ERROR, L"hv.conf:%d:%d: %a", err.line, err.col, err.msg);
	for (UINT32 i = 0; i < n; i++)
		if (EFI_ERROR((st = module_load(ld, &conf_paths[i]))))
			return st;
	return EFI_SUCCESS;
}
