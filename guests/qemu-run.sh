#!/usr/bin/env bash
# Runs a guest under QEMU/KVM the way the tests do: qemu-run.sh GUEST.elf [APPEND] -> COM1 on stdout,
# QEMU's exit status as ours. qboot keeps the firmware part of the boot short; QEMU=... overrides the binary.
set -u
elf=$1; shift
exec timeout 30 "${QEMU:-qemu-system-x86_64}" -accel kvm -m 128 -bios /usr/share/qemu/qboot.rom \
  -kernel "$elf" ${1:+-append "$1"} -display none -serial stdio -monitor none -no-reboot \
  -device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x04 2>/dev/null
