#!/bin/sh
# run.sh: boot an image in an emulator with the serial console on this terminal.
# Usage: run.sh bochs|qemu ISO [CPUS]
# Bochs is the default because it emulates VMX; QEMU here (TCG) has none.
set -eu
emu=$1
iso=$2
cpus=${3:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

case "$emu" in
bochs)
	echo continue > "$tmp/rc"
	cat > "$tmp/bochsrc" <<CONF
megs: 256
cpu: model=corei7_skylake_x, count=$cpus, reset_on_triple_fault=0, ips=50000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=/dev/stdout
clock: sync=none
speaker: enabled=0
sound: driver=dummy
log: $tmp/bochs.log
display_library: rfb, options="timeout=0"
CONF
	echo "run: Bochs ($cpus CPUs, corei7_skylake_x), serial console below; it ends when the hypervisor powers off."
	# Bochs prints its CPU state on stdout when the machine powers off: drop those lines.
	bochs -q -f "$tmp/bochsrc" -rc "$tmp/rc" 2>/dev/null | grep --line-buffered -v '^([0-9]*)\.\[' | tr -d '\r' || true
	grep -q "soft power off" "$tmp/bochs.log" && echo "run: powered off." ||
		{ echo "run: Bochs stopped without a power-off; last lines of its log:"; tail -5 "$tmp/bochs.log"; }
	;;
qemu)
	echo "run: QEMU (TCG, $cpus CPUs, no VMX), serial console below."
	qemu-system-x86_64 -machine q35 -cpu max -smp "$cpus" -m 512 -display none -monitor none \
		-serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" || true
	;;
*)
	echo "usage: $0 bochs|qemu ISO [CPUS]" >&2
	exit 2
	;;
esac
