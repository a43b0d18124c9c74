# acpi_scan: finds the ACPI tables the way an OS without EFI does and uses them to power off.
#   1. scans 0xe0000-0xfffff on 16-byte boundaries for "RSD PTR " with a valid 20-byte checksum
#      (ACPI 6.5 5.2.5.1 "Finding the RSDP on IA-PC Systems", 5.2.5.3 RSDP structure);
#   2. walks the RSDT (RSDP+16) to the MADT ("APIC") and counts enabled Processor Local APIC entries
#      (type 0, flags bit 0; ACPI 5.2.12.2), and to the FADT ("FACP": PM1a_CNT_BLK at 64, PM_TMR_BLK at 76,
#      DSDT at 40; ACPI 5.2.9);
#   3. reads the PM timer twice around a delay and checks that it moved (ACPI 4.8.3.3);
#   4. finds the \_S5 package in the DSDT (NameOp "_S5_" PackageOp PkgLength NumElements, first element
#      SLP_TYPa; ACPI 7.4.2 and the AML grammar of chapter 20) and writes SLP_TYPa << 10 | SLP_EN (bit 13)
#      to PM1a_CNT (ACPI 4.8.3.2.1), which must power the machine off: vmscope exits with status 0.
# Lines printed on COM1: "acpi: rsdp 000e0000", "acpi: cpus 0000000N", "acpi: pmtmr ok", "acpi: s5 0000000N".
# Any failure prints "acpi: FAIL <what>" and exits through isa-debug-exit with a value naming the step.
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK

.set SLP_EN, 1 << 13

.globl _start
_start:
    mov $stack_top, %esp
    # --- 1. RSDP ---
    mov $0xe0000, %ebx
1:  cmpl $0x20445352, (%ebx)          # "RSD "
    jne 2f
    cmpl $0x20525450, 4(%ebx)         # "PTR "
    jne 2f
    mov %ebx, %esi
    mov $20, %ecx
    call checksum
    jz found_rsdp
2:  add $16, %ebx
    cmp $0x100000, %ebx
    jb 1b
    mov $no_rsdp, %esi
    mov $0x31, %al
    jmp fail

found_rsdp:
    mov $msg_rsdp, %esi
    call puts
    mov %ebx, %eax
    call puthex32
    call newline
    mov 16(%ebx), %ebp                # RSDT address
    mov %ebp, %esi
    mov 4(%ebp), %ecx                 # length
    call checksum
    jz 3f
    mov $bad_rsdt, %esi
    mov $0x32, %al
    jmp fail
    # --- 2. walk the RSDT entries ---
3:  mov 4(%ebp), %ecx
    sub $36, %ecx
    shr $2, %ecx                      # entry count
    lea 36(%ebp), %edi
4:  test %ecx, %ecx
    jz 6f
    mov (%edi), %edx                  # table address
    cmpl $0x43495041, (%edx)          # "APIC"
    jne 5f
    mov %edx, madt
5:  cmpl $0x50434146, (%edx)          # "FACP"
    jne 55f
    mov %edx, fadt
55: add $4, %edi
    dec %ecx
    jmp 4b
6:  mov madt, %edx
    test %edx, %edx
    jnz 7f
    mov $no_madt, %esi
    mov $0x33, %al
    jmp fail
    # MADT entries start at 44 (36 header + local APIC address + flags); each is {type, length, ...}.
7:  mov 4(%edx), %ecx
    lea (%edx,%ecx), %ebp             # end
    lea 44(%edx), %edi
    xor %ebx, %ebx                    # CPU count
8:  cmp %ebp, %edi
    jae 10f
    cmpb $0, (%edi)
    jne 9f
    testb $1, 4(%edi)                 # flags: enabled
    jz 9f
    inc %ebx
9:  movzbl 1(%edi), %eax
    test %eax, %eax
    jz 10f                            # a zero length would loop forever
    add %eax, %edi
    jmp 8b
10: mov $msg_cpus, %esi
    call puts
    mov %ebx, %eax
    call puthex32
    call newline
    mov fadt, %edx
    test %edx, %edx
    jnz 11f
    mov $no_fadt, %esi
    mov $0x34, %al
    jmp fail
    # --- 3. PM timer ---
11: mov 76(%edx), %edx                # PM_TMR_BLK (I/O port)
    in %dx, %eax
    mov %eax, %ebx
    mov $1000000, %ecx
12: loop 12b
    in %dx, %eax
    cmp %eax, %ebx
    jne 13f
    mov $pmtmr_stuck, %esi
    mov $0x35, %al
    jmp fail
13: mov $msg_pmtmr, %esi
    call puts
    # --- 4. \_S5 in the DSDT ---
    mov fadt, %edx
    mov 40(%edx), %edi                # DSDT
    mov 4(%edi), %ecx
    lea (%edi,%ecx), %ebp
    add $36, %edi
14: lea 4(%edi), %eax
    cmp %ebp, %eax
    jae 19f
    cmpl $0x5f35535f, (%edi)          # "_S5_"
    je 15f
    inc %edi
    jmp 14b
15: cmpb $0x12, 4(%edi)               # PackageOp
    jne 19f
    movzbl 5(%edi), %eax              # PkgLength lead byte: bits 7:6 = number of following bytes
    shr $6, %eax
    lea 7(%edi,%eax), %edi            # past PkgLength and NumElements
    movzbl (%edi), %eax
    cmp $0x0a, %al                    # BytePrefix
    jne 16f
    movzbl 1(%edi), %eax
    jmp 17f
16: cmp $1, %al                       # ZeroOp (0) and OneOp (1) stand for themselves
    ja 19f
17: mov %eax, %ebx
    mov $msg_s5, %esi
    call puts
    mov %ebx, %eax
    call puthex32
    call newline
    mov fadt, %edx
    mov 64(%edx), %edx                # PM1a_CNT_BLK
    mov %ebx, %eax
    shl $10, %eax
    or $SLP_EN, %eax
    out %ax, %dx
    mov $still_on, %esi
    mov $0x36, %al
    jmp fail
19: mov $no_s5, %esi
    mov $0x37, %al

# fail: print "acpi: FAIL " and the string at %esi, then exit with %al.
fail:
    push %eax
    push %esi
    mov $msg_fail, %esi
    call puts
    pop %esi
    call puts
    call newline
    pop %eax
    jmp debug_exit

# checksum: ZF=1 if the %ecx bytes at %esi sum to 0 mod 256. Clobbers %eax, %ecx, %esi.
checksum:
    xor %eax, %eax
1:  add (%esi), %al
    inc %esi
    loop 1b
    test %al, %al
    ret

newline:
    mov $nl, %esi
    jmp puts

# In .data, not .bss: found tables start unset whatever the loader does with BSS.
.section .data
madt: .long 0
fadt: .long 0

.section .rodata
msg_rsdp: .asciz "acpi: rsdp "
msg_cpus: .asciz "acpi: cpus "
msg_pmtmr: .asciz "acpi: pmtmr ok\n"
msg_s5: .asciz "acpi: s5 "
msg_fail: .asciz "acpi: FAIL "
no_rsdp: .asciz "no RSDP in 0xe0000-0xfffff"
bad_rsdt: .asciz "RSDT checksum"
no_madt: .asciz "no MADT in the RSDT"
no_fadt: .asciz "no FADT in the RSDT"
pmtmr_stuck: .asciz "PM timer does not advance"
still_on: .asciz "still running after S5"
no_s5: .asciz "no \\_S5 package in the DSDT"
nl: .asciz "\n"
