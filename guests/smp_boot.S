# smp_boot: start the APs as firmware does and collect their APIC IDs. Run with --smp N and the
# multiboot command line "cpus=N" (default 4). The BSP runs INIT-SIPI-SIPI (smp.inc); each AP's
# trampoline enters protected mode and marks slot[APIC ID], read from the xAPIC ID register bits 31:24.
# The BSP waits at most 2 s (PIT) for N-1 APs, then prints
#   smp: apic ids 0 1 2 3                (every marked slot, in APIC ID order)
# and exits through isa-debug-exit with 0 (status 1) when all N CPUs reported, else 1 (status 3).
.include "mb.inc"
.include "smp.inc"
MULTIBOOT_HEADER
GUEST_STACK

.globl _start
_start:
    mov $stack_top, %esp
    call smp_bsp_init
    mov $4, %eax
    mov $w_cpus, %edi
    call cmdline_int
    mov %eax, cpus
    mov APIC_ID, %eax
    shr $24, %eax
    and $(MAX_CPUS - 1), %eax
    movb $1, slots(%eax)
    call smp_start_aps
    mov $2000, %ebx                  # at most 2000 x 1 ms
1:  call count_slots
    cmp cpus, %eax
    jae 2f
    mov $PIT_1MS, %ecx
    call pit_delay
    dec %ebx
    jnz 1b
2:  mov $m_ids, %esi
    call puts
    xor %ebx, %ebx
3:  cmpb $0, slots(%ebx)
    je 4f
    mov $' ', %al
    call putc
    mov %ebx, %eax
    call putdec
4:  inc %ebx
    cmp $MAX_CPUS, %ebx
    jb 3b
    mov $'\n', %al
    call putc
    call count_slots
    cmp cpus, %eax
    setne %al
    jmp debug_exit

# count_slots: %eax = number of marked slots. Clobbers %ecx.
count_slots:
    xor %eax, %eax
    xor %ecx, %ecx
1:  cmpb $0, slots(%ecx)
    je 2f
    inc %eax
2:  inc %ecx
    cmp $MAX_CPUS, %ecx
    jb 1b
    ret

# ap_main: %eax = this AP's APIC ID (< MAX_CPUS).
ap_main:
    movb $1, slots(%eax)
    ret

.section .rodata
w_cpus: .asciz "cpus="
m_ids:  .asciz "smp: apic ids"

.section .data
cpus:   .long 4
slots:  .skip MAX_CPUS
