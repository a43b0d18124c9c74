# timers: reads every clock a PC guest can see and prints the values, so that two runs under --deterministic
# must print the same bytes (and differ otherwise). Run with --irqchip user (or --accel emu).
#   tsc <hi><lo>                      RDTSC at the start
#   pmtmr <ticks>                     ACPI PM timer (port 0x608, 3.579545 MHz, ACPI 6.5 4.8.3.3)
#   rtc 20YY-MM-DD HH:MM:SS           CMOS RTC registers 9, 8, 7, 4, 2, 0 (BCD; MC146818 data sheet)
#   pit-delay <tsc delta>             RDTSC around a 10 ms PIT channel 2 delay (port 0x61 OUT2 polling)
#   irq0 <n> <tsc delta>              n PIT channel 0 interrupts (mode 2, 1 ms) through the 8259, sti; hlt
#   lapic <n> <tsc delta>             n LAPIC timer periodic interrupts (0.5 ms; SDM vol. 3 11.5.4), sti; hlt
#   deadline <tsc delta>              one TSC-deadline expiry 2,000,000 TSC ticks ahead (11.5.4.1), when CPUID has it
#   pmtmr-end <ticks> rtc-sec <s>     the PM timer and RTC seconds at the end
# then exits through isa-debug-exit 0 (status 1).
.include "mb.inc"
.include "smp.inc"
MULTIBOOT_HEADER
GUEST_STACK
.set PM_TMR, 0x608
.set V_IRQ0, 0x20
.set V_LAPIC, 0x40
.set TICKS, 20

.globl _start
_start:
    mov $stack_top, %esp
    call smp_bsp_init
    mov $spurious, %edx
    call idt_fill
    mov $V_IRQ0, %eax
    mov $irq0_handler, %edx
    call idt_set
    mov $V_LAPIC, %eax
    mov $lapic_handler, %edx
    call idt_set
    call idt_load
    movl $(SVR_ENABLE | 0xff), APIC_SVR

    mov $m_tsc, %esi
    call puts
    rdtsc
    push %eax
    mov %edx, %eax
    call puthex32
    pop %eax
    call puthex32
    call newline

    mov $m_pmtmr, %esi
    call puts
    mov $PM_TMR, %dx
    inl %dx, %eax
    and $0xffffff, %eax
    call putdec
    call newline

    call print_rtc

    # PIT channel 2 delay, measured with the TSC
    mov $m_pit, %esi
    call puts
    rdtsc
    mov %eax, %edi
    mov $PIT_10MS, %ecx
    call pit_delay
    rdtsc
    sub %edi, %eax
    call putdec
    call newline

    # PIT channel 0 through the 8259 (remapped to 0x20, only IRQ0 unmasked; LINT0 is ExtINT at reset)
    mov $0x11, %al
    outb %al, $0x20
    mov $V_IRQ0, %al
    outb %al, $0x21
    mov $4, %al
    outb %al, $0x21
    mov $1, %al
    outb %al, $0x21
    mov $0xfe, %al
    outb %al, $0x21
    mov $0xff, %al
    outb %al, $0xa1
    mov $0x34, %al                   # channel 0, lobyte/hibyte, mode 2 (rate generator), binary
    outb %al, $0x43
    mov $(PIT_1MS & 0xff), %al
    outb %al, $0x40
    mov $(PIT_1MS >> 8), %al
    outb %al, $0x40
    mov $irq0_count, %ebx
    call count_ticks
    mov $0xff, %al                   # mask IRQ0 again
    outb %al, $0x21
    mov $m_irq0, %esi
    call print_ticks

    # LAPIC timer, periodic, 500,000 bus cycles at divide 1
    movl $0xb, APIC_TIMER_DCR
    movl $(0x20000 | V_LAPIC), APIC_LVT_TIMER
    movl $500000, APIC_TIMER_ICR
    mov $lapic_count, %ebx
    call count_ticks
    movl $0, APIC_TIMER_ICR
    mov $m_lapic, %esi
    call print_ticks

    # TSC-deadline mode, when CPUID.1:ECX[24] says so
    mov $1, %eax
    cpuid
    bt $24, %ecx
    jnc 1f
    movl $(0x40000 | V_LAPIC), APIC_LVT_TIMER
    movl $0, lapic_count
    rdtsc
    mov %eax, %edi
    add $2000000, %eax
    adc $0, %edx
    mov $0x6e0, %ecx                 # IA32_TSC_DEADLINE
    wrmsr
2:  cli
    cmpl $0, lapic_count
    jne 3f
    sti
    hlt
    jmp 2b
3:  rdtsc
    sub %edi, %eax
    push %eax
    mov $m_deadline, %esi
    call puts
    pop %eax
    call putdec
    call newline
1:
    mov $m_pmend, %esi
    call puts
    mov $PM_TMR, %dx
    inl %dx, %eax
    and $0xffffff, %eax
    call putdec
    mov $m_rtcsec, %esi
    call puts
    xor %al, %al
    call cmos_read
    call puthex8
    call newline
    xor %al, %al
    jmp debug_exit

# count_ticks: sti; hlt until the counter at %ebx reaches TICKS; %edi = TSC delta. Clobbers %eax, %edx.
count_ticks:
    rdtsc
    mov %eax, %edi
1:  cli
    cmpl $TICKS, (%ebx)
    jae 2f
    sti
    hlt
    jmp 1b
2:  rdtsc
    sub %eax, %edi
    neg %edi
    ret

# print_ticks: "<text at %esi><count at %ebx> <%edi>\n".
print_ticks:
    call puts
    mov (%ebx), %eax
    call putdec
    mov $' ', %al
    call putc
    mov %edi, %eax
    call putdec
    jmp newline

# print_rtc: "rtc 20YY-MM-DD HH:MM:SS\n" (waits while the RTC says an update is in progress, register A bit 7).
print_rtc:
1:  mov $0xa, %al
    call cmos_read
    test $0x80, %al
    jnz 1b
    mov $m_rtc, %esi
    call puts
    mov $9, %al
    mov $'-', %ah
    call rtc_field
    mov $8, %al
    mov $'-', %ah
    call rtc_field
    mov $7, %al
    mov $' ', %ah
    call rtc_field
    mov $4, %al
    mov $':', %ah
    call rtc_field
    mov $2, %al
    mov $':', %ah
    call rtc_field
    xor %al, %al
    call cmos_read
    call puthex8
    jmp newline

# rtc_field: CMOS register %al as two BCD digits, then the character %ah.
rtc_field:
    push %eax
    call cmos_read
    call puthex8
    pop %eax
    mov %ah, %al
    jmp putc

# cmos_read: %al = CMOS register %al (NMI stays enabled: bit 7 clear).
cmos_read:
    outb %al, $0x70
    inb $0x71, %al
    ret

# puthex8: %al as two hex digits. Clobbers %eax, %ecx, %edx.
puthex8:
    push %eax
    shr $4, %al
    call hexdigit
    pop %eax
hexdigit:
    and $0xf, %al
    add $'0', %al
    cmp $'9', %al
    jbe putc
    add $('a' - '9' - 1), %al
    jmp putc

newline:
    mov $'\n', %al
    jmp putc

irq0_handler:
    push %eax
    incl irq0_count
    mov $0x20, %al                   # non-specific EOI to the master 8259
    outb %al, $0x20
    pop %eax
    INTR_RETURN

lapic_handler:
    incl lapic_count
    movl $0, APIC_EOI
    INTR_RETURN

spurious:
    INTR_RETURN

ap_main:                             # smp.inc's trampoline target; this guest starts no AP
    cli
    hlt
    jmp ap_main

.section .rodata
m_tsc:      .asciz "tsc "
m_pmtmr:    .asciz "pmtmr "
m_rtc:      .asciz "rtc 20"
m_pit:      .asciz "pit-delay "
m_irq0:     .asciz "irq0 "
m_lapic:    .asciz "lapic "
m_deadline: .asciz "deadline "
m_pmend:    .asciz "pmtmr-end "
m_rtcsec:   .asciz " rtc-sec "

.section .data
.balign 4
irq0_count:  .long 0
lapic_count: .long 0
