/*
 * exitrom: a 64 KiB firmware image that powers the machine off at once. `vmscope bench --accel emu` runs it
 * with --bios (vmscope) and -bios (QEMU) to measure each engine's start-up up to the first instruction, which
 * it subtracts from the time SeaBIOS takes to print "No bootable device". The reset vector (the image's
 * last 16 bytes, at 0xfffffff0 with CS base 0xffff0000) jumps near to offset 0, so no alias below 1 MiB is
 * needed; there it writes "Shutdown" to port 0x8900 (vmscope, Bochs) and 0x10 to port 0xf4 (QEMU
 * isa-debug-exit,iobase=0xf4: status 33).
 */
        .code16
        .text
        .globl _start
_start:
        movw    $0x8900, %dx
        movb    $'S', %al
        outb    %al, %dx
        movb    $'h', %al
        outb    %al, %dx
        movb    $'u', %al
        outb    %al, %dx
        movb    $'t', %al
        outb    %al, %dx
        movb    $'d', %al
        outb    %al, %dx
        movb    $'o', %al
        outb    %al, %dx
        movb    $'w', %al
        outb    %al, %dx
        movb    $'n', %al
        outb    %al, %dx
        movb    $0x10, %al
        outb    %al, $0xf4
        cli
1:      hlt
        jmp     1b

        .org    0xfff0
reset_vector:
        jmp     _start
        .org    0x10000
