# builtin: the guest that "vmscope run" boots with no arguments. It exercises one exit of each kind and
# checks the result, printing "vmscope built-in guest: <check> ok" on COM1 for each:
#   pio     outl 0x5a5aa5a5 to the pc-testdev scratch port 0xe0, inl it back, compare
#   fw_cfg  outw 0 to 0x510 (select signature), rep insb 4 bytes from 0x511 -> "QEMU", EAX/ECX/EDI right
#   mmio    write then read back two dwords of the pc-testdev 64 KiB MMIO window at 0xff000000
#   cpuid   leaf 0: max leaf >= 1 and a non-zero vendor string
#   hlt     LAPIC LINT0 set to ExtINT, PIC remapped to 0x20/0x28 with only IRQ0 unmasked, PIT
#           channel 0 one-shot (mode 0, ~1 ms), a 33-entry IDT whose vector 0x20 handler counts, sends EOI and resumes after the halt
#           loop; "sti; hlt" must end in that handler
# then "vmscope built-in guest: all 5 checks passed".
# If the multiboot command line contains "triple", it then prints "... triple fault requested", loads
# an empty IDT and executes ud2: a triple fault.
# Exit protocol:
#   success: the string "Shutdown" to the Bochs shutdown port 0x8900 (vmscope: power off, status 0);
#            if still running (QEMU has no such port), isa-debug-exit value 0 (status 1).
#            No ACPI PM1a_CNT write: under QEMU+qboot port 0x604 answered only in some runs, which made
#            the status depend on timing.
#   failure: "vmscope built-in guest: <check> FAILED", isa-debug-exit value 1 (status 3).
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.set PIT_COUNT, 1193                 # 1193182 Hz / 1193 = ~1 ms

# CHECK name: print "<prefix><name> ok" if ZF is set, else fail with name.
.macro CHECK name
    .section .rodata
9:  .asciz "\name"
    .text
    mov $9b, %edi
    call report
.endm

.globl _start
_start:
    mov $stack_top, %esp
    mov %ebx, mbi

check_pio:
    mov $0x5a5aa5a5, %eax
    outl %eax, $0xe0
    xor %eax, %eax
    inl $0xe0, %eax
    cmp $0x5a5aa5a5, %eax
    CHECK pio

check_fw_cfg:
    xor %eax, %eax
    mov $0x510, %dx
    outw %ax, %dx
    inc %dx
    mov $buf, %edi
    mov $4, %ecx
    mov $0xdeadbeef, %eax
    cld
    rep insb
    cmp $0xdeadbeef, %eax
    jne 1f
    test %ecx, %ecx
    jne 1f
    cmp $buf + 4, %edi
    jne 1f
    cmpl $0x554d4551, buf            # "QEMU" as a little-endian dword
1:  CHECK fw_cfg

check_mmio:
    movl $0x11223344, 0xff000000
    movl $0xa5a55a5a, 0xff00fffc
    cmpl $0x11223344, 0xff000000
    jne 1f
    cmpl $0xa5a55a5a, 0xff00fffc
1:  CHECK mmio

check_cpuid:
    xor %eax, %eax
    cpuid
    test %eax, %eax
    jz 1f                            # ZF=0 below means fail; force it
    or %ecx, %ebx
    or %edx, %ebx
    jnz 2f
1:  or $1, %eax                      # clear ZF
    jmp 3f
2:  xor %eax, %eax                   # set ZF
3:  CHECK cpuid

check_hlt:
    # IDT gate for vector 0x20: 32-bit interrupt gate (type 0xE, P=1, DPL 0) to irq0 in the current CS.
    mov $irq0, %eax
    mov %ax, idt + 0x20 * 8
    mov %cs, %cx
    mov %cx, idt + 0x20 * 8 + 2
    movw $0x8e00, idt + 0x20 * 8 + 4
    shr $16, %eax
    mov %ax, idt + 0x20 * 8 + 6
    lidt idt_ptr
    # The PIC's INTR reaches the CPU through the local APIC's LINT0, which is masked after reset and
    # only unmasked by firmware (SeaBIOS sets it to ExtINT; qboot and vmscope's direct boot do not).
    # So: software-enable the APIC (SVR bit 8, spurious vector 0xff) and set LVT LINT0 to ExtINT,
    # unmasked (Intel SDM Vol. 3A, "Local Vector Table" and "Spurious Interrupt"). Without an APIC
    # these two writes hit unclaimed MMIO and are dropped.
    movl $0x1ff, 0xfee000f0
    movl $0x700, 0xfee00350
    # 8259A remap: ICW1 edge+ICW4, ICW2 vector base, ICW3 cascade on IRQ2, ICW4 8086 mode (Intel 8259A
    # datasheet, "Initialization Command Words"); then mask everything but IRQ0.
    mov $0x11, %al
    outb %al, $0x20
    outb %al, $0xa0
    mov $0x20, %al
    outb %al, $0x21
    mov $0x28, %al
    outb %al, $0xa1
    mov $0x04, %al
    outb %al, $0x21
    mov $0x02, %al
    outb %al, $0xa1
    mov $0x01, %al
    outb %al, $0x21
    outb %al, $0xa1
    mov $0xfe, %al
    outb %al, $0x21
    mov $0xff, %al
    outb %al, $0xa1
    # 8254 control word 0x30 (Intel 8254 datasheet, "Control Word Format"): channel 0, lobyte/hibyte,
    # mode 0 (interrupt on terminal count), binary.
    mov $0x30, %al
    outb %al, $0x43
    mov $(PIT_COUNT & 0xff), %al
    outb %al, $0x40
    mov $(PIT_COUNT >> 8), %al
    outb %al, $0x40
    mov $3, %ecx
1:  sti
    hlt                              # irq0 continues at hlt_woken, not after hlt
    cli
    loop 1b
hlt_woken:
    mov $0xff, %al                   # mask the PIC again
    outb %al, $0x21
    cmpl $0, ticks
    setne %al
    cmp $1, %al                      # ZF set when the handler ran
    CHECK hlt

all_passed:
    mov $m_prefix, %esi
    call puts
    mov $m_all, %esi
    call puts

    mov mbi, %ebx
    mov $w_triple, %edi
    call cmdline_has
    jc shutdown
    mov $m_prefix, %esi
    call puts
    mov $m_triple, %esi
    call puts
    lidt empty_idt
    ud2

shutdown:
    mov $0x8900, %dx
    mov $s_shutdown, %esi
    mov $8, %ecx
    rep outsb
    mov $0, %al
    jmp debug_exit

# report: ZF set -> print "<prefix><name at %edi> ok"; ZF clear -> print "... FAILED" and exit 1.
report:
    pushf
    mov $m_prefix, %esi
    call puts
    mov %edi, %esi
    call puts
    popf
    jne 1f
    mov $m_ok, %esi
    jmp puts
1:  mov $m_failed, %esi
    call puts
    mov $1, %al
    jmp debug_exit

# The IRQ0 handler does not iret: on the paravirtual host KVM (kvm_pvm) a ring-0 iret is emulated and
# never completes (seen under QEMU there: the vCPU stays on the iret). It counts, sends EOI, drops the
# interrupt frame (EIP, CS, EFLAGS: no privilege change) and continues at hlt_woken with IF still 0.
irq0:
    incl ticks
    mov $0x20, %al                   # non-specific EOI to the master PIC
    outb %al, $0x20
    add $12, %esp
    jmp hlt_woken

.section .rodata
m_prefix:   .asciz "vmscope built-in guest: "
m_ok:       .asciz " ok\n"
m_failed:   .asciz " FAILED\n"
m_all:      .asciz "all 5 checks passed\n"
m_triple:   .asciz "triple fault requested\n"
w_triple:   .asciz "triple"
s_shutdown: .ascii "Shutdown"
.balign 8
idt_ptr:    .word 0x21 * 8 - 1
            .long idt
empty_idt:  .word 0
            .long 0

.section .bss
.balign 8
idt:   .skip 0x21 * 8
mbi:   .skip 4
ticks: .skip 4
buf:   .skip 4
