/* mode.c: choosing the interrupt-delivery mode: the best the CPU offers, or a lower one asked for with apicv=. */
#include "apicv/mode.h"

#include "vmm/lib/cmdline.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"
#include "vmm/lib/string.h"

enum vmx_apicv_mode apicv_current_mode = VMX_APICV_EMULATED;
static const struct vmx_caps *cpu_caps; /* the boot CPU's, which every core shares */

bool apicv_parse_mode(const char *s, enum vmx_apicv_mode *out)
{
	for (enum vmx_apicv_mode m = VMX_APICV_EMULATED; m <= VMX_APICV_POSTED; m++)
		if (hv_strcmp(s, vmx_apicv_mode_name(m)) == 0) {
			*out = m;
			return true;
		}
	return false;
}

enum vmx_apicv_mode apicv_choose(enum vmx_apicv_mode offered, const enum vmx_apicv_mode *asked, char *why, size_t size)
{
	enum vmx_apicv_mode m = offered < APICV_BUILT_MAX ? offered : APICV_BUILT_MAX;
	const char *offered_name = vmx_apicv_mode_name(offered), *built_name = vmx_apicv_mode_name(APICV_BUILT_MAX);

	if (asked && *asked <= m) {
		hv_snprintf(why, size, "%s, as apicv= asks (the CPU offers %s)", vmx_apicv_mode_name(*asked),
		            offered_name);
		return *asked;
	}
	if (asked && *asked > offered)
		hv_snprintf(why, size, "%s: apicv=%s asks for more than the CPU offers", vmx_apicv_mode_name(m),
		            vmx_apicv_mode_name(*asked));
	else if (asked)
		hv_snprintf(why, size, "%s: apicv=%s asks for more than this build drives (up to %s)",
		            vmx_apicv_mode_name(m), vmx_apicv_mode_name(*asked), built_name);
	else if (offered > APICV_BUILT_MAX)
		hv_snprintf(why, size, "%s: the CPU offers %s, this build drives up to %s", vmx_apicv_mode_name(m),
		            offered_name, built_name);
	else
		hv_snprintf(why, size, "%s: the best the CPU offers", vmx_apicv_mode_name(m));
	return m;
}

void apicv_init(const struct vmx_caps *caps, const char *cmdline)
{
	char val[16], why[128], reason[128];
	enum vmx_apicv_mode asked;
	bool have_asked = false;

	if (cmdline_get(cmdline, "apicv", val, sizeof(val))) {
		have_asked = apicv_parse_mode(val, &asked);
		if (!have_asked)
			pr_err("apicv=%s: expected posted, vid, tpr or emulated; ignored", val);
	}
	cpu_caps = caps;
	enum vmx_apicv_mode offered = vmx_caps_apicv_mode(caps);
	apicv_current_mode = apicv_choose(offered, have_asked ? &asked : NULL, why, sizeof(why));
	vmx_caps_apicv_reason(caps, reason, sizeof(reason));
	pr_info("apicv: mode %s", why);
	pr_info("apicv: the CPU: %s", reason);
}

const struct vmx_caps *apicv_caps(void) { return cpu_caps; }
