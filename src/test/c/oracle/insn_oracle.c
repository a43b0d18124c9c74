/*
 * The host CPU as oracle for general-purpose instruction sequences (64-bit user mode).
 *
 * Reads cases from stdin (binary, little-endian), runs each natively and writes one result per case:
 *   case:   u32 magic 'ORC1', u32 code length (0xffffffff ends), u64 gpr[16] (x86 encoding order rax, rcx,
 *           rdx, rbx, rsp, rbp, rsi, rdi, r8..r15), u64 rflags, u8 page[4096], u8 code[length]
 *   result: u32 kind (0 ran to the end, 1 signal), u32 signo, u64 trapno (exception vector), u64 error code,
 *           u64 rip, u64 fault address, u64 gpr[16], u64 rflags, u32 n, then n x {u16 offset, u8 value, u8 0}:
 *           the data page bytes that changed.
 * Layout (all below 2 GiB so the glue addresses them with absolute disp32): the data page at DATA between
 * PROT_NONE guard pages, the glue at GLUE (prologue, and the epilogue at GLUE+0x800), the test code at CODE
 * followed by a JMP to the epilogue, and the state block at STATE. The prologue loads every GPR and RFLAGS
 * from the block and jumps to the code; the epilogue stores them back. Faults arrive as signals on an
 * alternate stack (the code's RSP points into the data page) and leave through siglongjmp with the registers
 * of the faulting instruction from the signal context (REG_TRAPNO is the vector).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define DATA 0x10000000UL
#define GUARD 0x10000UL
#define GLUE 0x20000000UL
#define CODE 0x20001000UL
#define STATE 0x30000000UL
#define S_IN 0x000
#define S_FLAGS 0x080
#define S_OUT 0x100
#define S_OUTFLAGS 0x180
#define S_HOSTRSP 0x200

static sigjmp_buf env;
static volatile int got_signal;
static uint64_t sig_regs[16], sig_flags, sig_rip, sig_trapno, sig_err, sig_addr;
static int sig_no;

/* gregs index for each GPR in x86 encoding order. */
static const int GREG[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                             REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

static void on_signal(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    for (int i = 0; i < 16; i++) sig_regs[i] = uc->uc_mcontext.gregs[GREG[i]];
    sig_flags = uc->uc_mcontext.gregs[REG_EFL];
    sig_rip = uc->uc_mcontext.gregs[REG_RIP];
    sig_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    sig_err = uc->uc_mcontext.gregs[REG_ERR];
    sig_addr = (uint64_t) si->si_addr;
    sig_no = sig;
    got_signal = 1;
    siglongjmp(env, 1);
}

static uint8_t *put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); return p + 4; }

/* mov r64, [disp32] (load) or mov [disp32], r64 (store): REX.W(+R) 8B/89, ModRM 00 reg 100, SIB 25. */
static uint8_t *mov_abs(uint8_t *p, int reg, uint32_t addr, int store) {
    *p++ = 0x48 | (reg >= 8 ? 4 : 0);
    *p++ = store ? 0x89 : 0x8b;
    *p++ = 0x04 | (reg & 7) << 3;
    *p++ = 0x25;
    return put32(p, addr);
}

static void write_glue(void) {
    uint8_t *p = (uint8_t *) GLUE;
    static const uint8_t save[] = {0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57};
    memcpy(p, save, sizeof save);
    p += sizeof save;
    p = mov_abs(p, 4, STATE + S_HOSTRSP, 1);
    *p++ = 0xff; *p++ = 0x34; *p++ = 0x25; p = put32(p, STATE + S_FLAGS);   /* push qword [flags] */
    *p++ = 0x9d;                                                           /* popfq */
    for (int i = 0; i < 16; i++) if (i != 4) p = mov_abs(p, i, STATE + S_IN + 8 * i, 0);
    p = mov_abs(p, 4, STATE + S_IN + 8 * 4, 0);
    *p++ = 0xe9; p = put32(p, (uint32_t) (CODE - ((uint64_t) p + 4)));

    p = (uint8_t *) (GLUE + 0x800);
    for (int i = 0; i < 16; i++) p = mov_abs(p, i, STATE + S_OUT + 8 * i, 1);
    p = mov_abs(p, 4, STATE + S_HOSTRSP, 0);
    *p++ = 0x9c;                                                           /* pushfq */
    *p++ = 0x8f; *p++ = 0x04; *p++ = 0x25; p = put32(p, STATE + S_OUTFLAGS); /* pop qword [outflags] */
    *p++ = 0xfc;                                                           /* cld */
    static const uint8_t restore[] = {0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3};
    memcpy(p, restore, sizeof restore);
}

static void *map_fixed(uint64_t addr, size_t len, int prot) {
    void *m = mmap((void *) addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *) addr) {
        fprintf(stderr, "insn_oracle: cannot map 0x%lx\n", (unsigned long) addr);
        exit(2);
    }
    return m;
}

static int read_all(void *buf, size_t n) { return fread(buf, 1, n, stdin) == n; }

int main(void) {
    map_fixed(DATA - GUARD, 2 * GUARD + 0x1000, PROT_NONE);
    if (mprotect((void *) DATA, 0x1000, PROT_READ | PROT_WRITE)) return 2;
    map_fixed(GLUE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(STATE, 0x2000, PROT_READ | PROT_WRITE);
    write_glue();

    stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
    for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; k++) sigaction(sigs[k], &sa, NULL);

    static uint8_t initial[4096];
    static uint8_t out[64 * 1024];
    uint64_t *state = (uint64_t *) STATE;
    for (;;) {
        uint32_t hdr[2];
        if (!read_all(hdr, 8) || hdr[1] == 0xffffffffu) break;
        uint32_t len = hdr[1];
        if (hdr[0] != 0x3143524f || len > 0xe00) {
            fprintf(stderr, "insn_oracle: bad case header\n");
            return 2;
        }
        if (!read_all(state + S_IN / 8, 16 * 8) || !read_all(state + S_FLAGS / 8, 8)
                || !read_all(initial, 4096) || !read_all((void *) CODE, len)) break;
        memcpy((void *) DATA, initial, 4096);
        uint8_t *j = (uint8_t *) CODE + len;                 /* jmp rel32 to the epilogue */
        *j = 0xe9;
        put32(j + 1, (uint32_t) (GLUE + 0x800 - ((uint64_t) j + 5)));

        got_signal = 0;
        if (sigsetjmp(env, 1) == 0) ((void (*)(void)) GLUE)();

        uint8_t *p = out;
        p = put32(p, got_signal ? 1 : 0);
        p = put32(p, got_signal ? (uint32_t) sig_no : 0);
        uint64_t hdr64[4] = {got_signal ? sig_trapno : 0, got_signal ? sig_err : 0,
                             got_signal ? sig_rip : CODE + len, got_signal ? sig_addr : 0};
        memcpy(p, hdr64, 32); p += 32;
        memcpy(p, got_signal ? sig_regs : state + S_OUT / 8, 128); p += 128;
        memcpy(p, got_signal ? &sig_flags : state + S_OUTFLAGS / 8, 8); p += 8;
        uint8_t *count = p;
        p += 4;
        uint32_t n = 0;
        const uint8_t *d = (const uint8_t *) DATA;
        for (int k = 0; k < 4096; k++) {
            if (d[k] != initial[k]) {
                *p++ = k & 0xff; *p++ = k >> 8; *p++ = d[k]; *p++ = 0;
                n++;
            }
        }
        put32(count, n);
        fwrite(out, 1, p - out, stdout);
        fflush(stdout);
    }
    return 0;
}
