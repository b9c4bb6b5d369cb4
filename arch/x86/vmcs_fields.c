/* vmcs_fields.c: every VMCS field's SDM name and encoding, from the one list in vmcs.h. */
#include "arch/x86/vmcs.h"

const struct vmcs_field_info vmcs_fields[VMCS_FIELD_COUNT] = {
#define VMCS_INFO(name, enc) [VMCS_IDX_##name] = {#name, enc},
        VMCS_FIELDS(VMCS_INFO)
#undef VMCS_INFO
};
