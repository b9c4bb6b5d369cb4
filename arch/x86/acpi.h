/* acpi.h: finding and checking the firmware's ACPI tables (ACPI 6.5, chapter 5). */
#ifndef ARCH_X86_ACPI_H
#define ARCH_X86_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Root System Description Pointer (ACPI 6.5, 5.2.5.3). */
struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0 (RSDT only); 2: XSDT and the fields below */
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* over all 'length' bytes */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout (ACPI 5.2.5.3)");

/* Every system description table starts with this header (ACPI 5.2.6). */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header layout (ACPI 5.2.6)");

/* Generic Address Structure (ACPI 5.2.3.2). */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS layout (ACPI 5.2.3.2)");
#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO 1

/*
 * Fixed ACPI Description Table, revision 6 (ACPI 6.5, 5.2.9, Table 5.9): the
 * whole layout, which the guests' firmware tables fill in.
 */
struct acpi_fadt {
	struct acpi_sdt_header header; /* "FACP" */
	uint32_t firmware_ctrl;        /* the FACS; 0: none */
	uint32_t dsdt;
	uint8_t reserved0; /* INT_MODEL in ACPI 1.0 */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch; /* FADT_IAPC_* */
	uint8_t reserved1;
	uint32_t flags; /* FADT_FLAG_* */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version; /* bits 3:0: the minor revision of the spec the table follows */
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk, x_pm2_cnt_blk, x_pm_tmr_blk,
	        x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg; /* hardware-reduced sleep (ACPI 4.8.3.7) */
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_identity;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 layout (ACPI 5.2.9, Table 5.9)");
#define ACPI_FADT_REVISION 6
#define ACPI_FADT_MINOR_VERSION 5 /* ACPI 6.5 */

/* IA-PC boot architecture flags (ACPI 5.2.9.3, Table 5.11). */
#define FADT_IAPC_LEGACY_DEVICES (1u << 0) /* user-visible ISA/LPC devices (a serial port) */
#define FADT_IAPC_8042 (1u << 1)           /* an 8042 keyboard controller */
#define FADT_IAPC_VGA_NOT_PRESENT (1u << 2)
#define FADT_IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define FADT_IAPC_PCIE_ASPM_CONTROLS (1u << 4)
#define FADT_IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

/* Hardware-reduced sleep registers (ACPI 4.8.3.7, 4.8.3.8). */
#define ACPI_SLEEP_CTL_SLP_TYP_SHIFT 2
#define ACPI_SLEEP_CTL_SLP_TYP_MASK (7u << 2)
#define ACPI_SLEEP_CTL_SLP_EN (1u << 5)
#define ACPI_SLEEP_STS_WAK_STS (1u << 7)

/* The FADT fields this hypervisor uses, at their offsets (ACPI 5.2.9, Table 5.9). */
#define FADT_OFF_DSDT 40
#define FADT_OFF_PM1A_CNT_BLK 64
#define FADT_OFF_PM1B_CNT_BLK 68
#define FADT_OFF_PM_TMR_BLK 76
#define FADT_OFF_PM1_CNT_LEN 89
#define FADT_OFF_FLAGS 112
#define FADT_OFF_RESET_REG 116
#define FADT_OFF_RESET_VALUE 128
#define FADT_OFF_X_DSDT 140
#define FADT_OFF_X_PM1A_CNT_BLK 172
#define FADT_OFF_X_PM1B_CNT_BLK 184
#define FADT_OFF_X_PM_TMR_BLK 208
#define FADT_OFF_SLEEP_CONTROL_REG 244
#define FADT_OFF_SLEEP_STATUS_REG 256
/* Fixed feature flags (ACPI 5.2.9, Table 5.10). */
#define FADT_FLAG_WBINVD (1u << 0)
#define FADT_FLAG_PROC_C1 (1u << 2)
#define FADT_FLAG_PWR_BUTTON (1u << 4) /* set: no fixed-feature power button */
#define FADT_FLAG_SLP_BUTTON (1u << 5) /* set: no fixed-feature sleep button */
#define FADT_FLAG_FIX_RTC (1u << 6)    /* set: no RTC wake status in the fixed register space */
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)
#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define FADT_FLAG_HEADLESS (1u << 12)
#define FADT_FLAG_HW_REDUCED_ACPI (1u << 20)

_Static_assert(offsetof(struct acpi_fadt, dsdt) == FADT_OFF_DSDT &&
                       offsetof(struct acpi_fadt, flags) == FADT_OFF_FLAGS &&
                       offsetof(struct acpi_fadt, reset_reg) == FADT_OFF_RESET_REG &&
                       offsetof(struct acpi_fadt, x_dsdt) == FADT_OFF_X_DSDT &&
                       offsetof(struct acpi_fadt, x_pm_tmr_blk) == FADT_OFF_X_PM_TMR_BLK &&
                       offsetof(struct acpi_fadt, sleep_control_reg) == FADT_OFF_SLEEP_CONTROL_REG &&
                       offsetof(struct acpi_fadt, sleep_status_reg) == FADT_OFF_SLEEP_STATUS_REG,
               "the FADT struct and the offsets Table 5.9 gives agree");

/* PM1 control register (ACPI 4.8.4.2.1). */
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_EN (1u << 13)

enum acpi_err {
	ACPI_OK = 0,
	ACPI_ERR_SIGNATURE, /* not the expected signature */
	ACPI_ERR_CHECKSUM,  /* bytes do not sum to zero */
	ACPI_ERR_LENGTH,    /* length field too small or implausible */
	ACPI_ERR_NOT_FOUND, /* no such table / object */
	ACPI_ERR_MALFORMED, /* structure inconsistent */
};
const char *acpi_strerror(enum acpi_err e);

/* What power-off, reset and timekeeping need from the FADT and DSDT. */
struct acpi_power_info {
	uint16_t pm1a_cnt; /* I/O ports; 0 if absent */
	uint16_t pm1b_cnt;
	uint16_t pm_tmr;   /* ACPI PM timer (3.579545 MHz) I/O port; 0 if absent */
	bool pm_tmr_32bit; /* TMR_VAL_EXT: 32-bit counter, else 24-bit */
	bool s5_valid;
	uint8_t slp_typ_a, slp_typ_b; /* from the DSDT's \_S5 package */
	bool reset_valid;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
};

/* Sum of len bytes (zero for a table with a correct checksum). */
uint8_t acpi_checksum(const void *p, uint64_t len);
/* Check signature, checksum and (revision >= 2) length and extended checksum. */
enum acpi_err acpi_rsdp_check(const struct acpi_rsdp *rsdp);
/* Check a table's length (at least min_len, at most max_len) and checksum. */
enum acpi_err acpi_sdt_check(const struct acpi_sdt_header *h, uint32_t min_len, uint32_t max_len);
/*
 * The root table (XSDT where revision >= 2 and present, else RSDT), checked.
 * Table addresses are physical; tables are reached through the identity map.
 */
enum acpi_err acpi_root(const struct acpi_rsdp *rsdp, const struct acpi_sdt_header **root, bool *is_xsdt);
/* Find the first checked table with signature sig under root. */
enum acpi_err acpi_find(const struct acpi_sdt_header *root, bool is_xsdt, const char sig[4],
                        const struct acpi_sdt_header **out);
/* Find \_S5 in AML (DSDT body) and take SLP_TYPa/b from its package. */
enum acpi_err acpi_aml_find_s5(const uint8_t *aml, uint64_t len, uint8_t *slp_a, uint8_t *slp_b);
/* Fill the power info from a checked FADT; DSDT found through it. */
void acpi_parse_fadt(const struct acpi_sdt_header *fadt, struct acpi_power_info *out);

/*
 * Boot-time glue: check the RSDP the boot path gave (origin says where it came
 * from), or search the BIOS areas when rsdp is NULL; then check the root
 * table and print what was found. Returns ACPI_ERR_NOT_FOUND when the machine
 * has no ACPI (not an error), another error when tables exist but are corrupt
 * (the caller stops: nothing built on them can be trusted).
 */
enum acpi_err acpi_init(const struct acpi_rsdp *rsdp, const char *origin);
/* After a successful acpi_init: the checked table with signature sig, or NULL. */
const struct acpi_sdt_header *acpi_table(const char sig[4]);
const struct acpi_power_info *acpi_power(void);
/* The RSDP's OEM id ("BOCHS " under Bochs and QEMU firmware); "" without ACPI. */
const char *acpi_oem_id(void);

#endif
