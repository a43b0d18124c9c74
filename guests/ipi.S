# ipi: which vCPUs a FIXED or NMI IPI reaches for every ICR shorthand and destination mode, then the
# local APIC timer modes. Run with --smp 4. SDM vol. 3 references: 11.6.1 (ICR), 11.6.2.1 physical,
# 11.6.2.2 logical (flat: DFR 0xffffffff, LDR bit per CPU; cluster: DFR 0x0fffffff, LDR = cluster:bits),
# 11.5.4 timer (one-shot, periodic; 11.5.4.1 TSC-deadline).
# The BSP starts the APs (smp.inc); every CPU loads the shared IDT, software-enables its APIC and idles in
# sti; hlt. For each case the BSP zeroes the per-CPU counters, writes ICR high then low, waits (bounded,
# PIT) until the expected number of deliveries arrived plus 5 ms for strays, and prints one line
#   ipi <case> <count cpu0> <count cpu1> <count cpu2> <count cpu3>      (FIXED vector 0x40, handler EOIs)
#   nmi <case> <counts...>                                              (NMI, vector 2)
# Logical cases are preceded by a configuration IPI (vector 0x41, all including self) whose handler loads
# LDR and DFR from the table of the case. Then, on the BSP only:
#   timer one-shot <interrupts> ccr <current count>   (1 ms at divide 1; the BSP waits in hlt for it)
#   timer periodic <ok|interrupts> stopped <yes|no>   (1 ms period for ~20 ms, then initial count 0)
#   timer tsc-deadline <interrupts> msr <IA32_TSC_DEADLINE after expiry>  | timer tsc-deadline skipped
#   x2apic id <n> self-ipi <n> to-cpu1 <n>  | x2apic skipped     (BSP switches to x2APIC mode, 11.12)
# Unexpected vectors are counted and printed as "unexpected <n>". Exit: isa-debug-exit 0 (status 1).
.include "mb.inc"
.include "smp.inc"
MULTIBOOT_HEADER
GUEST_STACK
.set CPUS, 4
.set V_FIXED, 0x40
.set V_CONFIG, 0x41
.set V_TIMER, 0x50
.set V_X2, 0x42
.set V_SPURIOUS, 0xff
.set K_FIXED, 0
.set K_NMI, 1
.set K_CONFIG, 2
.set MSR_TSC_DEADLINE, 0x6e0
.set LVT_PERIODIC, 1 << 17
.set LVT_TSC_DEADLINE, 2 << 17
.set LVT_MASK, 1 << 16

.globl _start
_start:
    mov $stack_top, %esp
    call smp_bsp_init
    mov $0xff, %al                   # mask both 8259s: only APIC interrupts here
    outb %al, $0x21
    outb %al, $0xa1
    mov $unexpected_handler, %edx
    call idt_fill
    mov $2, %eax
    mov $nmi_handler, %edx
    call idt_set
    mov $V_FIXED, %eax
    mov $fixed_handler, %edx
    call idt_set
    mov $V_CONFIG, %eax
    mov $config_handler, %edx
    call idt_set
    mov $V_TIMER, %eax
    mov $timer_handler, %edx
    call idt_set
    mov $V_SPURIOUS, %eax
    mov $spurious_handler, %edx
    call idt_set
    mov $V_X2, %eax
    mov $x2_handler, %edx
    call idt_set
    call cpu_setup
    call smp_start_aps
    mov $2000, %ebx                  # wait at most 2 s for the APs
1:  cmpl $(CPUS - 1), aps_ready
    jae 2f
    mov $PIT_1MS, %ecx
    call pit_delay
    dec %ebx
    jnz 1b
    mov $m_noaps, %esi
    call puts
    mov $1, %al
    jmp debug_exit
2:  sti
    mov $cases, %ebp
3:  cmpl $0, 16(%ebp)
    je 4f
    call run_case
    add $20, %ebp
    jmp 3b
4:  call timer_tests
    call x2apic_tests
    mov unexpected, %eax
    test %eax, %eax
    jz 5f
    mov $m_unexp, %esi
    call puts
    mov unexpected, %eax
    call putdec
    mov $'\n', %al
    call putc
5:  mov $m_done, %esi
    call puts
    xor %al, %al
    jmp debug_exit

# cpu_setup: per-CPU start: IDT, APIC software-enabled with spurious vector 0xff.
cpu_setup:
    call idt_load
    movl $(SVR_ENABLE | V_SPURIOUS), APIC_SVR
    ret

ap_main:
    call cpu_setup
    lock incl aps_ready
    sti
1:  hlt
    jmp 1b

# run_case: %ebp -> {icr low, destination or config table, expected deliveries, kind, name}.
run_case:
    mov 12(%ebp), %eax
    mov $fixed_count, %edi
    cmp $K_NMI, %eax
    jne 1f
    mov $nmi_count, %edi
1:  cmp $K_CONFIG, %eax
    jne 2f
    mov $config_count, %edi
    mov 4(%ebp), %esi                # config table: DFR, then LDR for CPUs 0..3
    mov (%esi), %eax
    mov %eax, want_dfr
    mov $want_ldr, %eax
    mov 4(%esi), %ecx
    mov %ecx, (%eax)
    mov 8(%esi), %ecx
    mov %ecx, 4(%eax)
    mov 12(%esi), %ecx
    mov %ecx, 8(%eax)
    mov 16(%esi), %ecx
    mov %ecx, 12(%eax)
2:  xor %eax, %eax                   # zero the counters
    mov $MAX_CPUS, %ecx
3:  movl $0, -4(%edi,%ecx,4)
    loop 3b
    mov 4(%ebp), %eax
    shl $24, %eax
    cmpl $K_CONFIG, 12(%ebp)
    jne 4f
    xor %eax, %eax
4:  mov %eax, APIC_ICR_HI
    mov (%ebp), %eax
    mov %eax, APIC_ICR_LO
    call icr_wait
    mov $1000, %ebx                  # at most 1 s for the expected deliveries
5:  call sum_counts
    cmp 8(%ebp), %eax
    jae 6f
    mov $PIT_1MS, %ecx
    call pit_delay
    dec %ebx
    jnz 5b
6:  mov $(5 * PIT_1MS), %ecx          # then 5 ms more, so that deliveries to wrong CPUs show up too
    call pit_delay
    cmpl $K_CONFIG, 12(%ebp)
    je 9f
    mov $m_ipi, %esi
    cmpl $K_NMI, 12(%ebp)
    jne 7f
    mov $m_nmi, %esi
7:  call puts
    mov 16(%ebp), %esi
    call puts
    xor %ebx, %ebx
8:  mov $' ', %al
    call putc
    mov (%edi,%ebx,4), %eax
    call putdec
    inc %ebx
    cmp $CPUS, %ebx
    jb 8b
    mov $'\n', %al
    call putc
9:  ret

# sum_counts: %eax = sum of the MAX_CPUS counters at %edi. Clobbers %ecx.
sum_counts:
    xor %eax, %eax
    xor %ecx, %ecx
1:  add (%edi,%ecx,4), %eax
    inc %ecx
    cmp $MAX_CPUS, %ecx
    jb 1b
    ret

# ---- LAPIC timer (BSP) ----
timer_tests:
    movl $0xb, APIC_TIMER_DCR          # divide by 1 (SDM figure 11-10)
    # one-shot: 1,000,000 bus cycles, then hlt until the interrupt wakes us
    movl $0, timer_count
    movl $V_TIMER, APIC_LVT_TIMER
    cli
    movl $1000000, APIC_TIMER_ICR
    cmpl $0, timer_count             # already fired (ring 0 is slow here)? then no hlt
    jne 1f
    sti                              # sti; hlt: no interrupt can slip in between (interrupt shadow)
    hlt
1:  mov $(20 * PIT_1MS), %ecx
    cli
    call pit_delay
    sti
    mov $m_oneshot, %esi
    call puts
    mov timer_count, %eax
    call putdec
    mov $m_ccr, %esi
    call puts
    mov APIC_TIMER_CCR, %eax
    call putdec
    mov $'\n', %al
    call putc
    # periodic: 1 ms period for about 20 ms, then writing 0 to the initial count stops it
    movl $0, timer_count
    movl $(V_TIMER | LVT_PERIODIC), APIC_LVT_TIMER
    movl $1000000, APIC_TIMER_ICR
    mov $20, %ebx
0:  mov $PIT_1MS, %ecx
    call pit_delay
    dec %ebx
    jnz 0b
    movl $0, APIC_TIMER_ICR
    mov $(2 * PIT_1MS), %ecx
    call pit_delay
    mov timer_count, %ebx
    mov $(10 * PIT_1MS), %ecx
    call pit_delay
    mov $m_periodic, %esi
    call puts
    cmp $3, %ebx
    jb 2f
    mov $m_ok, %esi
    call puts
    jmp 3f
2:  mov %ebx, %eax
    call putdec
3:  mov $m_stopped, %esi
    cmp timer_count, %ebx
    je 4f
    mov $m_stopped_no, %esi
4:  call puts
    # TSC-deadline, only when CPUID.01H:ECX[24] says so
    mov $1, %eax
    cpuid
    bt $24, %ecx
    jc 5f
    mov $m_tscd_skip, %esi
    jmp puts
5:  movl $0, timer_count
    movl $(V_TIMER | LVT_TSC_DEADLINE), APIC_LVT_TIMER
    rdtsc
    add $2000000, %eax
    adc $0, %edx
    mov $MSR_TSC_DEADLINE, %ecx
    wrmsr
    mov $200, %ebx                   # at most 200 ms
6:  cmpl $0, timer_count
    jne 7f
    mov $PIT_1MS, %ecx
    call pit_delay
    dec %ebx
    jnz 6b
7:  mov $(5 * PIT_1MS), %ecx
    call pit_delay
    mov $m_tscd, %esi
    call puts
    mov timer_count, %eax
    call putdec
    mov $m_msr, %esi
    call puts
    mov $MSR_TSC_DEADLINE, %ecx
    rdmsr
    or %edx, %eax
    call putdec
    mov $'\n', %al
    call putc
    movl $LVT_MASK, APIC_LVT_TIMER
    ret

# ---- x2APIC (BSP only; the APs stay in xAPIC mode), when CPUID.01H:ECX[21] says so (SDM 11.12) ----
# Prints "x2apic id <ID MSR 0x802> self-ipi <n> to-cpu1 <n>" or "x2apic skipped".
.set MSR_APIC_BASE, 0x1b
.set MSR_X2_ID, 0x802
.set MSR_X2_EOI, 0x80b
.set MSR_X2_ICR, 0x830
.set MSR_X2_SELF_IPI, 0x83f
x2apic_tests:
    mov $1, %eax
    cpuid
    bt $21, %ecx
    jc 1f
    mov $m_x2_skip, %esi
    jmp puts
1:  cli
    mov $MSR_APIC_BASE, %ecx
    rdmsr
    or $0xc00, %eax                  # global enable 11, x2APIC enable 10
    wrmsr
    sti
    mov $V_X2, %eax
    mov $MSR_X2_SELF_IPI, %ecx
    xor %edx, %edx
    wrmsr
    mov $0, %eax
    mov $fixed_count, %edi
    movl $0, 4(%edi)
    mov $MSR_X2_ICR, %ecx            # fixed vector 0x40 to x2APIC ID 1 (destination in EDX, 11.12.9)
    mov $(ICR_ASSERT | V_FIXED), %eax
    mov $1, %edx
    wrmsr
    mov $200, %ebx
2:  cmpl $0, x2_count
    je 3f
    cmpl $0, fixed_count + 4
    jne 4f
3:  mov $PIT_1MS, %ecx
    call pit_delay
    dec %ebx
    jnz 2b
4:  mov $m_x2, %esi
    call puts
    mov $MSR_X2_ID, %ecx
    rdmsr
    call putdec
    mov $m_x2_self, %esi
    call puts
    mov x2_count, %eax
    call putdec
    mov $m_x2_cpu1, %esi
    call puts
    mov fixed_count + 4, %eax
    call putdec
    mov $'\n', %al
    jmp putc

x2_handler:
    push %eax
    push %ecx
    push %edx
    lock incl x2_count
    mov $MSR_X2_EOI, %ecx
    xor %eax, %eax
    xor %edx, %edx
    wrmsr
    pop %edx
    pop %ecx
    pop %eax
    INTR_RETURN

# ---- interrupt handlers (ring 0, interrupt gates: IF is clear inside) ----
fixed_handler:
    push %eax
    PERCPU_INC fixed_count
    movl $0, APIC_EOI
    pop %eax
    INTR_RETURN

nmi_handler:
    push %eax
    PERCPU_INC nmi_count
    pop %eax
    INTR_RETURN

timer_handler:
    push %eax
    PERCPU_INC timer_count
    movl $0, APIC_EOI
    pop %eax
    INTR_RETURN

# config_handler: this CPU's LDR from want_ldr[APIC ID], DFR from want_dfr (SDM 11.6.2.2: set DFR
# before LDR on every CPU, all in the same model).
config_handler:
    push %eax
    push %ecx
    mov want_dfr, %eax
    mov %eax, APIC_DFR
    mov APIC_ID, %eax
    shr $24, %eax
    and $3, %eax
    mov want_ldr(,%eax,4), %ecx
    mov %ecx, APIC_LDR
    PERCPU_INC config_count
    movl $0, APIC_EOI
    pop %ecx
    pop %eax
    INTR_RETURN

spurious_handler:                    # no EOI for the spurious vector (SDM 11.9)
    INTR_RETURN

unexpected_handler:
    lock incl unexpected
    movl $0, APIC_EOI
    INTR_RETURN

.section .rodata
# Cases: ICR low, destination (or config table), expected deliveries, kind, name. A zero name ends it.
.macro CASE icr, dest, expect, kind, name
    .long \icr, \dest, \expect, \kind, \name
.endm
.set PHYS, ICR_ASSERT | V_FIXED
.set LOGI, ICR_ASSERT | ICR_LOGICAL | V_FIXED
.set CONFIG, ICR_ASSERT | ICR_ALL | V_CONFIG
.balign 4
cases:
    CASE PHYS, 2, 1, K_FIXED, n_phys2
    CASE PHYS, 0, 1, K_FIXED, n_phys0
    CASE PHYS | ICR_SELF, 0, 1, K_FIXED, n_self
    CASE PHYS | ICR_ALL, 0, 4, K_FIXED, n_all
    CASE PHYS | ICR_ALL_BUT_SELF, 0, 3, K_FIXED, n_allbut
    CASE PHYS, 0xff, 4, K_FIXED, n_physff
    CASE PHYS, 7, 0, K_FIXED, n_phys7
    CASE CONFIG, flat, 4, K_CONFIG, n_cfg
    CASE LOGI, 0x0a, 2, K_FIXED, n_flat0a
    CASE LOGI, 0x0f, 4, K_FIXED, n_flat0f
    CASE LOGI, 0x00, 0, K_FIXED, n_flat00
    CASE CONFIG, cluster, 4, K_CONFIG, n_cfg
    CASE LOGI, 0x13, 2, K_FIXED, n_cl13
    CASE LOGI, 0x02, 1, K_FIXED, n_cl02
    CASE LOGI, 0xff, 4, K_FIXED, n_clff
    # NMI handlers cannot IRET on this host (INTR_RETURN): CPUs 1 and 3 stay NMI-blocked after their
    # first NMI, so the all-but-self NMI is expected to show only on CPU 2.
    CASE ICR_ASSERT | ICR_NMI, 1, 1, K_NMI, n_phys1
    CASE ICR_ASSERT | ICR_NMI | ICR_LOGICAL, 0x12, 1, K_NMI, n_cl12
    CASE ICR_ASSERT | ICR_NMI | ICR_ALL_BUT_SELF, 0, 1, K_NMI, n_allbut
    CASE ICR_ASSERT | ICR_LOGICAL | 0x100 | V_FIXED, 0x13, 1, K_FIXED, n_lowest13
    .long 0, 0, 0, 0, 0
# Logical configurations: DFR, then LDR of APIC IDs 0..3.
flat:    .long 0xffffffff, 0x01000000, 0x02000000, 0x04000000, 0x08000000
cluster: .long 0x0fffffff, 0x01000000, 0x02000000, 0x11000000, 0x12000000
n_phys2:    .asciz "phys-2"
n_phys0:    .asciz "phys-self"
n_self:     .asciz "shorthand-self"
n_all:      .asciz "shorthand-all"
n_allbut:   .asciz "shorthand-all-but-self"
n_physff:   .asciz "phys-broadcast-ff"
n_phys7:    .asciz "phys-absent-7"
n_cfg:      .asciz "config"
n_flat0a:   .asciz "flat-0a"
n_flat0f:   .asciz "flat-0f"
n_flat00:   .asciz "flat-00"
n_cl13:     .asciz "cluster-13"
n_cl02:     .asciz "cluster-02"
n_clff:     .asciz "cluster-broadcast-ff"
n_phys1:    .asciz "phys-1"
n_cl12:     .asciz "cluster-12"
n_lowest13: .asciz "lowest-priority-cluster-13"
m_ipi:      .asciz "ipi "
m_nmi:      .asciz "nmi "
m_noaps:    .asciz "ipi: the APs did not start\n"
m_unexp:    .asciz "unexpected "
m_done:     .asciz "ipi done\n"
m_oneshot:  .asciz "timer one-shot "
m_ccr:      .asciz " ccr "
m_periodic: .asciz "timer periodic "
m_ok:       .asciz "ok"
m_stopped:  .asciz " stopped yes\n"
m_stopped_no: .asciz " stopped no\n"
m_tscd:     .asciz "timer tsc-deadline "
m_msr:      .asciz " msr "
m_tscd_skip: .asciz "timer tsc-deadline skipped\n"
m_x2_skip:  .asciz "x2apic skipped\n"
m_x2:       .asciz "x2apic id "
m_x2_self:  .asciz " self-ipi "
m_x2_cpu1:  .asciz " to-cpu1 "

.section .data
.balign 4
aps_ready:    .long 0
unexpected:   .long 0
want_dfr:     .long 0xffffffff
want_ldr:     .skip 16
fixed_count:  .skip 4 * MAX_CPUS
nmi_count:    .skip 4 * MAX_CPUS
config_count: .skip 4 * MAX_CPUS
timer_count:  .skip 4 * MAX_CPUS
x2_count:     .long 0
