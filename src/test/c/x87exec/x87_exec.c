/*
 * Host-CPU oracle for single x87 instructions (used by X87ExecTest). One line per case on stdin:
 *   fcw fsw tags flags st0 .. st7 mem code
 * (hex; tags = FXSAVE abridged tag byte; st = 20 hex digits, sign/exponent then significand; mem = 128 bytes;
 * code = the instruction bytes, its memory operand at [rbx] = mem). The state is loaded with FXRSTOR, the
 * instruction runs, FXSAVE takes the state (it neither waits nor faults). One line out per case:
 *   fcw fsw tags flags ax st0 .. st7 mem      or "fault <signal>" when the instruction trapped (#MF, #UD).
 * Written for vmscope; x86-64 Linux, gcc.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf jump;
static void on_signal(int sig) { siglongjmp(jump, sig); }

static int hexval(int c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

/* Parses n bytes of hex (big-endian text into little-endian bytes when reverse, else in order). */
static int parse_bytes(const char *s, uint8_t *out, int n, int reverse) {
    if ((int)strlen(s) != 2 * n) return -1;
    for (int i = 0; i < n; i++) {
        int b = hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]);
        out[reverse ? n - 1 - i : i] = (uint8_t)b;
    }
    return 0;
}

int main(void) {
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static uint8_t img[512] __attribute__((aligned(16))), out[512] __attribute__((aligned(16)));
    static uint8_t mem[256];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    char line[4096];
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    while (fgets(line, sizeof line, stdin)) {
        char *tok[16];
        int n = 0;
        for (char *t = strtok(line, " \n"); t && n < 16; t = strtok(NULL, " \n")) tok[n++] = t;
        if (n != 14) { printf("bad line\n"); continue; }
        memset(img, 0, sizeof img);
        unsigned fcw = strtoul(tok[0], NULL, 16), fsw = strtoul(tok[1], NULL, 16), tags = strtoul(tok[2], NULL, 16);
        unsigned long flags = strtoul(tok[3], NULL, 16);
        img[0] = fcw; img[1] = fcw >> 8; img[2] = fsw; img[3] = fsw >> 8; img[4] = tags;
        uint32_t mxcsr = 0x1f80;
        memcpy(img + 24, &mxcsr, 4);
        for (int i = 0; i < 8; i++) parse_bytes(tok[4 + i], img + 32 + 16 * i, 10, 1);
        memset(mem, 0, sizeof mem);
        parse_bytes(tok[12], mem, 128, 0);
        int len = (int)strlen(tok[13]) / 2;
        parse_bytes(tok[13], code, len, 0);
        code[len] = 0xc3;
        unsigned long fl_out = 0;
        uint16_t ax = 0;
        int sig = sigsetjmp(jump, 1);
        if (sig) {
            __asm__ volatile("fninit");
            printf("fault %d\n", sig);
            continue;
        }
        __asm__ volatile(
            "fxrstor %[img]\n\t"
            "pushfq\n\tpopq %%rax\n\tandq $~0x8d5, %%rax\n\torq %[fl], %%rax\n\tpushq %%rax\n\tpopfq\n\t"
            "movl $0, %%eax\n\t"
            "leaq -128(%%rsp), %%rsp\n\tcall *%[fn]\n\tleaq 128(%%rsp), %%rsp\n\t"
            "pushfq\n\tpopq %[flo]\n\t"
            "movw %%ax, %[ax]\n\t"
            "fxsave %[out]\n\t"
            "fninit\n\t"
            : [flo] "=m"(fl_out), [out] "=m"(out), [ax] "=m"(ax)
            : [img] "m"(img), [fl] "r"(flags), [fn] "r"(code), "b"(mem)
            : "rax", "memory", "cc");
        printf("%04x %04x %02x %03lx %04x", out[0] | out[1] << 8, out[2] | out[3] << 8, out[4], fl_out & 0x8d5, ax);
        for (int i = 0; i < 8; i++) {
            printf(" ");
            for (int j = 9; j >= 0; j--) printf("%02x", out[32 + 16 * i + j]);
        }
        printf(" ");
        for (int i = 0; i < 128; i++) printf("%02x", mem[i]);
        printf("\n");
    }
    return 0;
}
