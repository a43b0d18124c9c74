/*
 * cpubench: the software-CPU speed benchmark (`vmscope bench --accel emu`, issue 9 item 8). One 512-byte
 * boot sector, the same bytes for vmscope (flat, --load-addr 0x7c00 --mode real), QEMU and Bochs (floppy
 * boot through their BIOS, which jumps to 0000:7c00). It needs no BIOS service: it switches to 32-bit
 * protected mode (flat 4 GiB code and data segments, interrupts off, no paging) and runs
 *   (a) INT_ITERS iterations of a register-only integer loop, INT_INSNS instructions each;
 *   (b) MEM_ITERS iterations of a load/store loop over a 288-byte buffer, MEM_INSNS instructions each;
 * then writes "cpubench done\n" to COM1 (polling LSR.THRE, which Bochs's UART needs), "Shutdown" to port
 * 0x8900 (Bochs and vmscope power off) and 0x10 to port 0xf4 (QEMU isa-debug-exit: status 0x21 = 33).
 *
 * The iteration counts are little-endian u32 at fixed image offsets (the host patches them):
 *   offset 4: "CPUB" (magic), 8: INT_ITERS, 12: MEM_ITERS, 16: INT_INSNS, 20: MEM_INSNS.
 * A count of 0 skips its loop. The buffer sits at 0x9000, on another 4 KiB page than the code, so its
 * stores never invalidate decoded or translated code (TCG, Bochs and vmscope all track code pages).
 */
        .set BUF, 0x9000
        .set COM1, 0x3f8

        .code16
        .text
        .globl _start
_start:
        jmp     real_start
        .balign 4, 0x90
        .ascii  "CPUB"                  /* offset 4 */
int_iters:  .long 0                     /* offset 8 */
mem_iters:  .long 0                     /* offset 12 */
        .long   INT_INSNS               /* offset 16: instructions per integer iteration */
        .long   MEM_INSNS               /* offset 20: instructions per load/store iteration */

real_start:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $0x7c00, %sp
        lgdtl   gdt_desc
        movl    %cr0, %eax
        orb     $1, %al
        movl    %eax, %cr0
        ljmpl   $0x08, $prot32

        .code32
prot32:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs
        movw    %ax, %gs
        movl    $0x7c00, %esp

        /* (a) the integer loop: register operands only, one loop branch. */
        movl    int_iters, %ecx
        testl   %ecx, %ecx
        jz      int_done
        movl    $0x12345678, %eax
        movl    $0x9abcdef0, %ebx
        movl    $0x0f1e2d3c, %edx
        xorl    %esi, %esi
        xorl    %edi, %edi
        .globl int_loop
int_loop:
        addl    %ebx, %eax              /* 1 */
        xorl    %edx, %ebx              /* 2 */
        subl    %eax, %edx              /* 3 */
        roll    $3, %eax                /* 4 */
        leal    1(%ebx,%eax,2), %ebx    /* 5 */
        andl    $0x7fffffff, %edx       /* 6 */
        orl     %eax, %edi              /* 7 */
        incl    %esi                    /* 8 */
        decl    %ecx                    /* 9 */
        jnz     int_loop                /* 10 */
        .globl int_loop_end
int_loop_end:
        .set INT_INSNS, 10
int_done:

        /* (b) the load/store loop: 4 loads and 3 stores per iteration over BUF .. BUF+287. */
        movl    mem_iters, %ecx
        testl   %ecx, %ecx
        jz      mem_done
        xorl    %ebx, %ebx
        movl    $0x01020304, %edx
        .globl mem_loop
mem_loop:
        movl    BUF(%ebx), %eax         /* 1 load */
        movl    BUF+4(%ebx), %esi       /* 2 load */
        movl    %eax, BUF+8(%ebx)       /* 3 store */
        addl    %edx, %esi              /* 4 */
        movl    %esi, BUF+12(%ebx)      /* 5 store */
        addl    BUF+16(%ebx), %eax      /* 6 load */
        movl    %eax, BUF+20(%ebx)      /* 7 store */
        addl    $8, %ebx                /* 8 */
        andl    $0xff, %ebx             /* 9 */
        decl    %ecx                    /* 10 */
        jnz     mem_loop                /* 11 */
        .globl mem_loop_end
mem_loop_end:
        .set MEM_INSNS, 11
mem_done:

        /* Report, then power off whichever machine this is. */
        movl    $done_msg, %esi
1:      movb    (%esi), %bl
        testb   %bl, %bl
        jz      3f
        movw    $COM1+5, %dx
2:      inb     %dx, %al
        testb   $0x20, %al              /* LSR.THRE: the transmit holding register is empty */
        jz      2b
        movw    $COM1, %dx
        movb    %bl, %al
        outb    %al, %dx
        incl    %esi
        jmp     1b
3:      movl    $shutdown_msg, %esi
        movw    $0x8900, %dx
        movl    $8, %ecx
        rep outsb
        movb    $0x10, %al
        outb    %al, $0xf4
halt:   hlt
        jmp     halt

done_msg:     .asciz "cpubench done\n"
shutdown_msg: .ascii "Shutdown"

        .balign 8
gdt:    .quad   0
        .quad   0x00cf9a000000ffff      /* 0x08: code, base 0, limit 4 GiB, 32-bit, ring 0 */
        .quad   0x00cf92000000ffff      /* 0x10: data, base 0, limit 4 GiB, read/write */
gdt_desc:
        .word   gdt_desc - gdt - 1
        .long   gdt

        .org    510
        .byte   0x55, 0xaa
