# ipi_stress: ICR abuse from two vCPUs; vmscope must neither hang nor crash. Run with --smp 2.
# Command line: "iters=N" random ICR writes per CPU (default 300), "seed=S", and "reserved" to also send
# the reserved delivery modes 011 and 111 (only with --irqchip user: KVM logs every one of them).
#  1. The BSP starts the AP (INIT-SIPI-SIPI, smp.inc); every boot of the AP increments "boots".
#  2. SIPI to the running AP (physical destination 1): must be ignored (SDM vol. 3 9.4.4: only a CPU in
#     wait-for-SIPI takes a SIPI), so boots stays 1.
#  3. The AP sends INIT to itself (physical destination = its own APIC ID 1): it enters wait-for-SIPI;
#     the BSP then sends SIPIs until the AP boots again (boots = 2). One SIPI is not enough: the AP takes
#     its INIT at its next instruction boundary, which on a loaded host may come after the SIPI, and a SIPI
#     to a CPU not yet in wait-for-SIPI is ignored (SDM vol. 3 9.4.4). So, as the MP spec's INIT-SIPI-SIPI
#     with a check (MP spec 1.4 B.4), the BSP resends the SIPI every 100 ms until the boot count moves.
#  4. Both CPUs write N random ICR values (xorshift32): every shorthand, destination mode, destination,
#     trigger/level bit and vector, with three exceptions that keep the guest itself alive: INIT and SIPI
#     always go to APIC ID 1 (the AP may thus INIT itself and be restarted by the BSP's SIPIs; the BSP is
#     never reset), SIPIs use the trampoline vector, and SMI becomes FIXED (there is no SMM handler).
#     Every vector goes to one handler that counts and EOIs.
#  5. The BSP restarts the AP with INIT-SIPI (whatever state the AP is in) and waits for it to boot.
#  6. NMI to the AP, INIT-SIPI, NMI again: both arrive ("stress nmi-init-nmi 2") only if INIT ends the
#     NMI blocking the first handler left behind (it cannot IRET on this host, smp.inc INTR_RETURN).
# Prints "stress sipi-to-running boots 1", "stress init-self boots 2", "stress random done",
# "stress nmi-init-nmi 2", "stress sipi-resends N" (SIPIs the BSP had to repeat), then "stress end ap ok" and exits through isa-debug-exit 0 (status 1); "stress ... lost" and 1 on failure.
.include "mb.inc"
.include "smp.inc"
MULTIBOOT_HEADER
GUEST_STACK
.set AP_ID, 1

.globl _start
_start:
    mov $stack_top, %esp
    call smp_bsp_init
    mov $0xff, %al
    outb %al, $0x21
    outb %al, $0xa1
    mov $300, %eax
    mov $w_iters, %edi
    call cmdline_int
    mov %eax, iters
    mov $12345, %eax
    mov $w_seed, %edi
    call cmdline_int
    or $1, %eax
    mov %eax, seed
    mov $w_reserved, %edi
    call cmdline_has
    setnc reserved
    mov $any_handler, %edx
    call idt_fill
    mov $2, %eax
    mov $nmi_handler, %edx
    call idt_set
    call cpu_setup
    sti
    call smp_start_aps
    mov $1, %eax
    call wait_boots
    jc lost
    # 2. SIPI to a running processor
    movl $(AP_ID << 24), APIC_ICR_HI
    movl $(ICR_ASSERT | ICR_STARTUP | SIPI_VECTOR), APIC_ICR_LO
    mov $(20 * PIT_1MS), %ecx
    call pit_delay
    mov $m_sipi, %esi
    call print_boots
    # 3. the AP INITs itself once it sees phase 3; the BSP restarts it with a SIPI
    movl $3, phase
    mov $1000, %ebx
1:  cmpl $1, ap_parked
    je 2f
    mov $PIT_1MS, %ecx
    call pit_delay
    dec %ebx
    jnz 1b
    jmp lost
2:  mov $PIT_10MS, %ecx
    call pit_delay
    mov $2, %eax
    call sipi_until_boots
    jc lost
    mov $m_init, %esi
    call print_boots
    # 4. random ICR writes on both CPUs
    movl $4, phase
    call random_icrs
    mov $m_random, %esi
    call puts
    # 5. bring the AP back whatever it is doing (phase 5: it then idles instead of writing ICRs again)
    movl $5, phase
    call restart_ap
    jc lost
    # 6. NMI to the AP (its handler cannot IRET, so it stays NMI-blocked), INIT-SIPI, NMI again: the
    #    second one arrives only if INIT cleared the blocking, as a reset does (SDM vol. 3 table 9-1).
    movl $0, nmis + 4                # forget NMIs of the random phase
    call nmi_ap
    call restart_ap
    jc lost
    call nmi_ap
    mov $m_nmi, %esi
    call puts
    mov nmis + 4, %eax
    call putdec
    mov $'\n', %al
    call putc
    mov $m_resends, %esi
    call puts
    mov sipi_resends, %eax
    call putdec
    mov $'\n', %al
    call putc
    mov $m_end, %esi
    call puts
    xor %al, %al
    jmp debug_exit
lost:
    mov $m_lost, %esi
    call print_boots
    mov $1, %al
    jmp debug_exit

# nmi_ap: NMI to APIC ID 1, then wait (at most 200 ms) for its handler to count it. Clobbers %eax-%edx.
nmi_ap:
    mov nmis + 4, %ebx
    movl $(AP_ID << 24), APIC_ICR_HI
    movl $(ICR_ASSERT | ICR_NMI), APIC_ICR_LO
    mov $200, %edx
1:  cmp nmis + 4, %ebx
    jne 2f
    mov $PIT_1MS, %ecx
    call pit_delay
    dec %edx
    jnz 1b
2:  ret

# restart_ap: INIT, 10 ms, SIPIs to APIC ID 1 until its next boot; CF=1 if it did not come back.
restart_ap:
    mov boots, %ebx
    movl $(AP_ID << 24), APIC_ICR_HI
    movl $(ICR_ASSERT | ICR_INIT), APIC_ICR_LO
    mov $PIT_10MS, %ecx
    call pit_delay
    lea 1(%ebx), %eax
    # fall through

# sipi_until_boots: SIPI to APIC ID 1, wait up to 100 ms for boots >= %eax, and again, at most
# SIPI_TRIES times (5 s in all, as wait_boots); CF=1 if the AP never booted. A SIPI that reaches the AP
# after it left wait-for-SIPI is ignored, so a resend is harmless. Clobbers %ecx, %edx, %esi.
.set SIPI_TRIES, 50
sipi_until_boots:
    mov $SIPI_TRIES, %esi
1:  movl $(AP_ID << 24), APIC_ICR_HI
    movl $(ICR_ASSERT | ICR_STARTUP | SIPI_VECTOR), APIC_ICR_LO
    mov $100, %edx
    call wait_boots_ms
    jnc 2f
    incl sipi_resends
    dec %esi
    jnz 1b
    stc
2:  ret

nmi_handler:
    push %eax
    PERCPU_INC nmis
    pop %eax
    INTR_RETURN

cpu_setup:
    call idt_load
    movl $(SVR_ENABLE | 0xff), APIC_SVR
    ret

# wait_boots: wait (at most 5 s: a software CPU on a loaded host is slow to boot an AP) until boots >= %eax;
# CF=1 on timeout. wait_boots_ms: the same for at most %edx ms. Clobbers %ecx, %edx.
wait_boots:
    mov $5000, %edx
wait_boots_ms:
1:  cmp boots, %eax
    jbe 2f
    mov $PIT_1MS, %ecx
    push %eax
    call pit_delay
    pop %eax
    dec %edx
    jnz 1b
    stc
    ret
2:  clc
    ret

# print_boots: "<text at %esi> <boots>\n".
print_boots:
    call puts
    mov boots, %eax
    call putdec
    mov $'\n', %al
    jmp putc

ap_main:
    call cpu_setup
    movl $0, ap_parked
    lock incl boots
    sti
0:  cmpl $3, phase
    jne 1f
    cmpl $2, boots                   # phase 3 after the first boot: INIT ourselves (destination = own ID)
    jae 1f
    movl $1, ap_parked
    movl $(AP_ID << 24), APIC_ICR_HI
    movl $(ICR_ASSERT | ICR_INIT), APIC_ICR_LO
2:  pause                            # left for good when the INIT is taken
    jmp 2b
1:  mov APIC_ID, %eax                # an MMIO read exit in every round: INITs land on one
    cmpl $4, phase
    jne 0b
    call random_icrs
3:  hlt
    jmp 3b

# random_icrs: iters random ICR writes from this CPU (seed mixed with the APIC ID).
random_icrs:
    mov APIC_ID, %eax
    shr $24, %eax
    imul $0x9e3779b9, %eax
    xor seed, %eax
    or $1, %eax
    mov %eax, %ebx                   # xorshift32 state
    mov iters, %ebp
1:  call next
    mov %eax, %edi                   # ICR high: destination byte from the random value
    and $0xff000000, %edi
    call next
    and $0x000ccfff, %eax            # every writable ICR low bit (SDM figure 11-12)
    mov %eax, %ecx
    shr $8, %ecx
    and $7, %ecx
    cmp $5, %ecx                     # INIT: to the AP only
    je 2f
    cmp $6, %ecx                     # SIPI: to the AP only, trampoline vector
    je 3f
    cmp $2, %ecx                     # SMI: no SMM here, send FIXED instead
    je 4f
    cmp $3, %ecx
    je 5f
    cmp $7, %ecx
    je 5f
    jmp 6f
2:  and $~0x000c0800, %eax           # shorthand none, physical
    mov $(AP_ID << 24), %edi
    jmp 6f
3:  and $~0x000c08ff, %eax
    or $SIPI_VECTOR, %eax
    mov $(AP_ID << 24), %edi
    jmp 6f
4:  and $~0x700, %eax
    jmp 6f
5:  cmpb $0, reserved                # reserved modes only when asked
    jne 6f
    and $~0x700, %eax
6:  mov %edi, APIC_ICR_HI
    mov %eax, APIC_ICR_LO
    lock incl writes
    dec %ebp
    jnz 1b
    ret

# next: xorshift32 on %ebx (Marsaglia 2003: 13, 17, 5); %eax = new state.
next:
    mov %ebx, %eax
    shl $13, %eax
    xor %eax, %ebx
    mov %ebx, %eax
    shr $17, %eax
    xor %eax, %ebx
    mov %ebx, %eax
    shl $5, %eax
    xor %eax, %ebx
    mov %ebx, %eax
    ret

any_handler:
    lock incl interrupts
    movl $0, APIC_EOI
    INTR_RETURN

.section .rodata
w_iters:    .asciz "iters="
w_seed:     .asciz "seed="
w_reserved: .asciz "reserved"
m_sipi:     .asciz "stress sipi-to-running boots "
m_init:     .asciz "stress init-self boots "
m_random:   .asciz "stress random done\n"
m_end:      .asciz "stress end ap ok\n"
m_nmi:      .asciz "stress nmi-init-nmi "
m_lost:     .asciz "stress ap lost, boots "
m_resends:  .asciz "stress sipi-resends "

.section .data
.balign 4
iters:      .long 0
seed:       .long 0
boots:      .long 0
phase:      .long 0
ap_parked:  .long 0
sipi_resends: .long 0
writes:     .long 0
interrupts: .long 0
nmis:       .skip 4 * MAX_CPUS
reserved:   .byte 0
