#!/bin/sh
# run.sh: boot an image in an emulator with the serial console on this terminal.
# Usage: run.sh bochs|bochs3|qemu ISO [CPUS] [MEGS]
# Bochs is the default because it emulates VMX; QEMU here (TCG) has none. bochs3 is Bochs 3.0,
# whose VMX has posted-interrupt processing, from a Debian 13 root (bochs3-root.sh).
set -eu
emu=$1
iso=$2
cpus=${3:-2}
megs=${4:-256}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# bochsrc for an ISO at $1, the serial console into $2, the log at $3 (paths as Bochs sees them).
bochsrc() {
	cat <<CONF
megs: $megs
cpu: model=corei7_skylake_x, count=$cpus, reset_on_triple_fault=0, ips=50000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$1, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$2
clock: sync=none
speaker: enabled=0
sound: driver=dummy
log: $3
display_library: rfb, options="timeout=0"
CONF
}

powered_off() {
	grep -q "soft power off" "$1" && echo "run: powered off." ||
		{ echo "run: Bochs stopped without a power-off; last lines of its log:"; tail -5 "$1"; }
}

case "$emu" in
bochs)
	echo continue > "$tmp/rc"
	bochsrc "$iso" /dev/stdout "$tmp/bochs.log" > "$tmp/bochsrc"
	echo "run: Bochs ($cpus CPUs, corei7_skylake_x), serial console below; it ends when the hypervisor powers off."
	# Bochs prints its CPU state on stdout when the machine powers off: drop those lines.
	bochs -q -f "$tmp/bochsrc" -rc "$tmp/rc" 2>/dev/null | grep --line-buffered -v '^([0-9]*)\.\[' | tr -d '\r' || true
	powered_off "$tmp/bochs.log"
	;;
bochs3)
	# Bochs 3.0 (posted-interrupt processing) from the Debian 13 root: its files must live inside the root.
	root=$(sh "$(dirname "$0")/bochs3-root.sh")
	dir=$(mktemp -d "$root/tmp/apicvisor-run.XXXXXX")
	trap 'rm -rf "$tmp" "$dir"' EXIT INT TERM
	in=${dir#"$root"}
	cp "$iso" "$dir/hv.iso"
	echo continue > "$dir/rc"
	: > "$dir/serial.log"
	bochsrc "$in/hv.iso" "$in/serial.log" "$in/bochs.log" > "$dir/bochsrc"
	echo "run: Bochs 3.0 in $root ($cpus CPUs, corei7_skylake_x), serial console below; it ends when the hypervisor powers off."
	chroot "$root" bochs -q -f "$in/bochsrc" -rc "$in/rc" >/dev/null 2>&1 &
	emulator=$!
	# tail ends once Bochs has, after a last read.
	tail -s 0.2 -f --pid="$emulator" "$dir/serial.log" | tr -d '\r'
	wait "$emulator" || true
	powered_off "$dir/bochs.log"
	;;
qemu)
	echo "run: QEMU (TCG, $cpus CPUs, no VMX), serial console below."
	qemu-system-x86_64 -machine q35 -cpu max -smp "$cpus" -m "$(( megs > 512 ? megs : 512 ))" -display none -monitor none \
		-serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" || true
	;;
*)
	echo "usage: $0 bochs|bochs3|qemu ISO [CPUS] [MEGS]" >&2
	exit 2
	;;
esac
