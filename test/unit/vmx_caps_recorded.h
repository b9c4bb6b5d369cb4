/* vmx_caps_recorded.h: VMX capability MSRs of Bochs CPU models, recorded, plus two synthetic records. */
#ifndef TEST_UNIT_VMX_CAPS_RECORDED_H
#define TEST_UNIT_VMX_CAPS_RECORDED_H

#include "arch/x86/vmx_caps.h"

/*
 * Recorded: the hypervisor's `vmx.raw` output (vmx_caps_format_raw) on CPU 0
 * under Bochs 2.7 (Debian 12), one boot per `cpu: model=...`. Every MSR is as
 * read, including the ones that read as 0 because they do not exist.
 *
 * Synthetic (not read from any machine): synthetic_posted and synthetic_ipiv,
 * at the end of this file.
 */

/* Bochs 2.7 (Debian 12), cpu: model=corei7_skylake_x, read by `vmx.raw`. */
static const struct vmx_caps_raw corei7_skylake_x = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000600401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x00000000003727ff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x02177fff00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106334141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000001,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=corei7_ivy_bridge_3770k, read by `vmx.raw`. */
static const struct vmx_caps_raw corei7_ivy_bridge_3770k = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000000401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x00000000001727ff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x000008ff00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106114141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000000,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=corei7_sandy_bridge_2600k, read by `vmx.raw`. */
static const struct vmx_caps_raw corei7_sandy_bridge_2600k = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000000401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x00000000000627ff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x000000ff00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106114141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000000,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=core2_penryn_t9600, read by `vmx.raw`. */
static const struct vmx_caps_raw core2_penryn_t9600 = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000003f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x0003ffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x00003fff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000000401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x00000000000467ff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x0000004100000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x0000000000000000,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000003f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x0003ffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x00003fff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000000,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=corei5_lynnfield_750, read by `vmx.raw`. */
static const struct vmx_caps_raw corei5_lynnfield_750 = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000000401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x00000000000067ff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x0000007f00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106114141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000000,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=corei7_haswell_4770, read by `vmx.raw`. */
static const struct vmx_caps_raw corei7_haswell_4770 = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000200401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x00000000001727ff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x00047fff00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106334141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000001,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=broadwell_ult, read by `vmx.raw`. */
static const struct vmx_caps_raw broadwell_ult = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000200401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x00000000003727ff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x00057fff00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106334141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000001,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=corei7_icelake_u, read by `vmx.raw`. */
static const struct vmx_caps_raw corei7_icelake_u = {
        .basic = 0x00d8100000000004,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xfff9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000600401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x0000000000772fff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x02977fff00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106334141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xfff9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000001,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=tigerlake, read by `vmx.raw`. */
static const struct vmx_caps_raw tigerlake = {
        .basic = 0x01d8100000000004,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xfff9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x107fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0010ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000600401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x0000000000f72fff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x02977fff00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106b34141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xfff9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x107fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0010ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000001,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/* Bochs 2.7 (Debian 12), cpu: model=corei5_arrandale_m520, read by `vmx.raw`. */
static const struct vmx_caps_raw corei5_arrandale_m520 = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC (0x480) */
        .pinbased = 0x0000007f00000016,       /* IA32_VMX_PINBASED_CTLS (0x481) */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS (0x482) */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS (0x483) */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS (0x484) */
        .misc = 0x00000000000401e0,           /* IA32_VMX_MISC (0x485) */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 (0x486) */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 (0x487) */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 (0x488) */
        .cr4_fixed1 = 0x00000000000067ff,     /* IA32_VMX_CR4_FIXED1 (0x489) */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM (0x48a) */
        .procbased2 = 0x000000ff00000000,     /* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
        .ept_vpid = 0x00000f0106114141,       /* IA32_VMX_EPT_VPID_CAP (0x48c) */
        .true_pinbased = 0x0000007f00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
        .vmfunc = 0x0000000000000000,         /* IA32_VMX_VMFUNC (0x491) */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 (0x492) */
};

/*
 * Synthetic: corei7_skylake_x with pin-based allowed-1 0xff, i.e. with
 * PIN_BASED_POSTED_INTR allowed (Bochs 3.0 reports that for this model).
 */
static const struct vmx_caps_raw synthetic_posted = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC */
        .pinbased = 0x000000ff00000016,       /* IA32_VMX_PINBASED_CTLS: allowed-1 0xff: posted interrupts */
        .procbased = 0xf7f9fffe0401e172,      /* IA32_VMX_PROCBASED_CTLS */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS */
        .misc = 0x00000000600401e0,           /* IA32_VMX_MISC */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 */
        .cr4_fixed1 = 0x00000000003727ff,     /* IA32_VMX_CR4_FIXED1 */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM */
        .procbased2 = 0x02177fff00000000,     /* IA32_VMX_PROCBASED_CTLS2 */
        .ept_vpid = 0x00000f0106334141,       /* IA32_VMX_EPT_VPID_CAP */
        .true_pinbased = 0x000000ff00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS: allowed-1 0xff: posted interrupts */
        .true_procbased = 0xf7f9fffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS */
        .vmfunc = 0x0000000000000001,         /* IA32_VMX_VMFUNC */
        .procbased3 = 0x0000000000000000,     /* IA32_VMX_PROCBASED_CTLS3 */
};

/*
 * Synthetic: synthetic_posted with tertiary controls (CPU_BASED_ACTIVATE_TERTIARY_CONTROLS,
 * bit 17 of the primary allowed-1 half) offering only TERTIARY_EXEC_IPI_VIRT (bit 4).
 */
static const struct vmx_caps_raw synthetic_ipiv = {
        .basic = 0x00d810000000002b,          /* IA32_VMX_BASIC */
        .pinbased = 0x000000ff00000016,       /* IA32_VMX_PINBASED_CTLS: allowed-1 0xff: posted interrupts */
        .procbased = 0xf7fbfffe0401e172,      /* IA32_VMX_PROCBASED_CTLS: allowed-1 bit 17: tertiary controls */
        .exit = 0x007fffff00036dff,           /* IA32_VMX_EXIT_CTLS */
        .entry = 0x0000ffff000011ff,          /* IA32_VMX_ENTRY_CTLS */
        .misc = 0x00000000600401e0,           /* IA32_VMX_MISC */
        .cr0_fixed0 = 0x0000000080000021,     /* IA32_VMX_CR0_FIXED0 */
        .cr0_fixed1 = 0x00000000ffffffff,     /* IA32_VMX_CR0_FIXED1 */
        .cr4_fixed0 = 0x0000000000002000,     /* IA32_VMX_CR4_FIXED0 */
        .cr4_fixed1 = 0x00000000003727ff,     /* IA32_VMX_CR4_FIXED1 */
        .vmcs_enum = 0x0000000000000034,      /* IA32_VMX_VMCS_ENUM */
        .procbased2 = 0x02177fff00000000,     /* IA32_VMX_PROCBASED_CTLS2 */
        .ept_vpid = 0x00000f0106334141,       /* IA32_VMX_EPT_VPID_CAP */
        .true_pinbased = 0x000000ff00000016,  /* IA32_VMX_TRUE_PINBASED_CTLS: allowed-1 0xff: posted interrupts */
        .true_procbased = 0xf7fbfffe04006172, /* IA32_VMX_TRUE_PROCBASED_CTLS: allowed-1 bit 17: tertiary controls */
        .true_exit = 0x007fffff00036dfb,      /* IA32_VMX_TRUE_EXIT_CTLS */
        .true_entry = 0x0000ffff000011fb,     /* IA32_VMX_TRUE_ENTRY_CTLS */
        .vmfunc = 0x0000000000000001,         /* IA32_VMX_VMFUNC */
        .procbased3 = 0x0000000000000010,     /* IA32_VMX_PROCBASED_CTLS3: IPI virtualization */
};

/* Every record, for tests that go over all of them. */
static const struct {
	const char *name;
	const struct vmx_caps_raw *raw;
} vmx_recorded[] = {
        {"corei7_skylake_x", &corei7_skylake_x},
        {"corei7_ivy_bridge_3770k", &corei7_ivy_bridge_3770k},
        {"corei7_sandy_bridge_2600k", &corei7_sandy_bridge_2600k},
        {"core2_penryn_t9600", &core2_penryn_t9600},
        {"corei5_lynnfield_750", &corei5_lynnfield_750},
        {"corei7_haswell_4770", &corei7_haswell_4770},
        {"broadwell_ult", &broadwell_ult},
        {"corei7_icelake_u", &corei7_icelake_u},
        {"tigerlake", &tigerlake},
        {"corei5_arrandale_m520", &corei5_arrandale_m520},
        {"synthetic_posted", &synthetic_posted},
        {"synthetic_ipiv", &synthetic_ipiv},
};

#endif
