/* elf.h: the ELF layouts the guest loaders read (System V ABI, "ELF Header", "Program Header", "Note Section"). */
#ifndef VMM_PARTITION_ELF_H
#define VMM_PARTITION_ELF_H

#include <stdint.h>

#define EI_CLASS 4
#define EI_DATA 5
#define EI_NIDENT 16
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_NOTE 4

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
_Static_assert(sizeof(struct elf32_ehdr) == 52, "Elf32_Ehdr layout");

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr layout");

struct elf32_phdr {
	uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};
_Static_assert(sizeof(struct elf32_phdr) == 32, "Elf32_Phdr layout");

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr layout");

/* A note's header; the name, then the descriptor follow, each padded to 4 bytes (ELF64 on x86 too). */
struct elf_note {
	uint32_t n_namesz, n_descsz, n_type;
};
_Static_assert(sizeof(struct elf_note) == 12, "Elf_Nhdr layout");

#endif
