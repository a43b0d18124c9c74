# ipi_bench: the cost of IPIs and EOIs, in guest TSC cycles. Multiboot command line: "iters=N"
# (default 2000), "reps=R" (default 3), "cpus=C" (default 1; with 2 the cross-CPU case runs too).
# Everything runs in ring 0, which this host's KVM emulates instruction by instruction (see smp.inc,
# INTR_RETURN): the numbers include that emulation and are reported as measured. Per repeat it prints,
# in the format of guests/bench.S (parsed by bench.BenchResults):
#   bench ipi-send <rep> <cycles/op> <total>   ICR write, self-IPI vector 0x40 with IF=0 (send only)
#   bench eoi <rep> <cycles/op> <total>        EOI register write (nothing in service)
#   bench self-ipi <rep> <cycles/op> <total>   self-IPI with IF=1: send, delivery, handler with EOI
#   bench remote-ipi <rep> <cycles/op> <total> fixed IPI to APIC ID 1, spin until its handler counted it
#   bench done
.include "mb.inc"
.include "smp.inc"
MULTIBOOT_HEADER
GUEST_STACK
.set V_SELF, 0x40
.set V_REMOTE, 0x41

.globl _start
_start:
    mov $stack_top, %esp
    call smp_bsp_init
    mov $0xff, %al
    outb %al, $0x21
    outb %al, $0xa1
    mov $2000, %eax
    mov $w_iters, %edi
    call cmdline_int
    mov %eax, iters
    mov $3, %eax
    mov $w_reps, %edi
    call cmdline_int
    mov %eax, reps
    mov $1, %eax
    mov $w_cpus, %edi
    call cmdline_int
    mov %eax, cpus
    mov $bad_handler, %edx
    call idt_fill
    mov $V_SELF, %eax
    mov $count_handler, %edx
    call idt_set
    mov $V_REMOTE, %eax
    call idt_set
    call cpu_setup
    cmpl $1, cpus
    jbe 2f
    call smp_start_aps
    mov $2000, %ebx
1:  cmpl $0, aps_ready
    jne 2f
    mov $PIT_1MS, %ecx
    call pit_delay
    dec %ebx
    jnz 1b
2:  movl $1, rep

repeat:
    # send only: IF=0, so the self-IPI stays requested in IRR
    cli
    call tsc_start
    mov iters, %ecx
1:  movl $(ICR_ASSERT | ICR_SELF | V_SELF), APIC_ICR_LO
    dec %ecx
    jnz 1b
    mov $n_send, %esi
    call report
    sti                              # take the one pending vector
    nop
    cli
    # EOI writes
    call tsc_start
    mov iters, %ecx
1:  movl $0, APIC_EOI
    dec %ecx
    jnz 1b
    mov $n_eoi, %esi
    call report
    # self-IPI round trip: delivered at the next instruction boundary, handler EOIs
    sti
    call tsc_start
    mov iters, %ecx
1:  movl $(ICR_ASSERT | ICR_SELF | V_SELF), APIC_ICR_LO
    dec %ecx
    jnz 1b
    mov $n_self, %esi
    call report
    # to APIC ID 1 and back (its handler counts; we spin on the count, bounded)
    cmpl $0, aps_ready
    je 3f
    movl $(1 << 24), APIC_ICR_HI
    call tsc_start
    mov iters, %ecx
1:  mov count + 4, %ebx
    movl $(ICR_ASSERT | V_REMOTE), APIC_ICR_LO
    mov $1000000, %edx
2:  cmp count + 4, %ebx
    jne 4f
    dec %edx
    jnz 2b
4:  dec %ecx
    jnz 1b
    mov $n_remote, %esi
    call report
3:  incl rep
    mov rep, %eax
    cmp reps, %eax
    jbe repeat
    mov $m_done, %esi
    call puts
    xor %al, %al
    jmp debug_exit

cpu_setup:
    call idt_load
    movl $(SVR_ENABLE | 0xff), APIC_SVR
    ret

ap_main:
    call cpu_setup
    lock incl aps_ready
    sti
1:  hlt
    jmp 1b

# tsc_start: t0 = TSC. report: "bench <name %esi> <rep> <(TSC - t0) / iters> <TSC - t0>\n".
tsc_start:
    lfence
    rdtsc
    mov %eax, t0
    mov %edx, t0 + 4
    ret
report:
    lfence
    rdtsc
    sub t0, %eax
    sbb t0 + 4, %edx
    mov %eax, total
    mov %edx, total + 4
    push %esi
    mov $m_bench, %esi
    call puts
    pop %esi
    call puts
    mov $' ', %al
    call putc
    mov rep, %eax
    call putdec
    mov $' ', %al
    call putc
    mov total, %eax
    mov total + 4, %edx
    divl iters                       # per-op cycles fit in 32 bits
    call putdec
    mov $' ', %al
    call putc
    mov total + 4, %eax              # the 64-bit total, as high * 2^32 + low only when small enough
    test %eax, %eax
    jnz 1f
    mov total, %eax
    call putdec
    jmp 2f
1:  mov $m_big, %esi
    call puts
2:  mov $'\n', %al
    jmp putc

count_handler:
    push %eax
    PERCPU_INC count
    movl $0, APIC_EOI
    pop %eax
    INTR_RETURN

bad_handler:
    mov $m_bad, %esi
    call puts
    mov $1, %al
    jmp debug_exit

.section .rodata
w_iters:  .asciz "iters="
w_reps:   .asciz "reps="
w_cpus:   .asciz "cpus="
m_bench:  .asciz "bench "
m_done:   .asciz "bench done\n"
m_big:    .asciz "0"
m_bad:    .asciz "bench: unexpected interrupt or exception\n"
n_send:   .asciz "ipi-send"
n_eoi:    .asciz "eoi"
n_self:   .asciz "self-ipi"
n_remote: .asciz "remote-ipi"

.section .data
.balign 4
iters:     .long 0
reps:      .long 0
cpus:      .long 1
rep:       .long 0
aps_ready: .long 0
t0:        .quad 0
total:     .quad 0
count:     .skip 4 * MAX_CPUS
