/*
 * Host oracle for vmscope's MMX/SSE/SSE2: runs one instruction, given as machine code, natively on the host
 * CPU with given XMM0/XMM1, MM0/MM1, RAX, MXCSR and a 48-byte memory buffer, and prints the state after it.
 * The instruction's operands are fixed by its encoding: ModRM.reg 0 (XMM0/MM0/EAX), ModRM.rm 1 (XMM1/MM1, or
 * ECX, which holds the RAX value) or [RSI]; RSI = RDI = buffer + offset.
 *
 * Input line:  <code hex> <mxcsr> <x0lo> <x0hi> <x1lo> <x1hi> <mm0> <mm1> <rax> <offset> <m0> .. <m5>  (hex)
 * Output line: <x0lo> <x0hi> <x1lo> <x1hi> <mm0> <mm1> <rax> <rflags> <mxcsr> <m0> .. <m5> <vector>
 * vector is -1, or the exception the instruction raised: 19 (#XM, SIGFPE), 13 (#GP, SIGSEGV/SIGBUS), 6 (#UD,
 * SIGILL); then the registers come from the signal frame (MM0/MM1, RAX and RFLAGS are not meaningful).
 * Build: gcc -O1 -o simd_oracle simd_oracle.c (x86-64 Linux).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

struct state {
    uint64_t x0[2], x1[2], mm0, mm1, rax, flags;   /* offsets 0, 16, 32, 40, 48, 56 */
    uint32_t mxcsr, pad;                          /* 64 */
    uint64_t rsi;                                 /* 72 */
};

void run_insn(struct state *s, void *code);
__asm__(
    ".text\n.globl run_insn\n.type run_insn,@function\nrun_insn:\n"
    "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
    "mov %rdi, %r15\nmov %rsi, %r14\n"
    "movdqu (%r15), %xmm0\nmovdqu 16(%r15), %xmm1\nmovq 32(%r15), %mm0\nmovq 40(%r15), %mm1\n"
    "mov 48(%r15), %rax\nmov %rax, %rcx\nmov 72(%r15), %rsi\nmov %rsi, %rdi\n"
    "ldmxcsr 64(%r15)\n"
    "call *%r14\n"
    "pushfq\npop %rcx\nmov %rcx, 56(%r15)\nstmxcsr 64(%r15)\n"
    "movdqu %xmm0, (%r15)\nmovdqu %xmm1, 16(%r15)\nmovq %mm0, 32(%r15)\nmovq %mm1, 40(%r15)\nmov %rax, 48(%r15)\n"
    "emms\npop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");

static struct state st;
static uint8_t mem[64] __attribute__((aligned(64)));
static sigjmp_buf env;
static volatile int vector;

static void on_signal(int sig, siginfo_t *si, void *ctx) {
    (void) si;
    ucontext_t *uc = ctx;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    memcpy(st.x0, &fp->_xmm[0], 16);
    memcpy(st.x1, &fp->_xmm[1], 16);
    st.mxcsr = fp->mxcsr;
    st.rax = uc->uc_mcontext.gregs[REG_RAX];
    st.flags = uc->uc_mcontext.gregs[REG_EFL];
    vector = sig == SIGFPE ? 19 : sig == SIGILL ? 6 : 13;
    siglongjmp(env, 1);
}

static int hexval(int c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

int main(void) {
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 3;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    char hex[64];
    unsigned mx, off;
    unsigned long long x0l, x0h, x1l, x1h, m0, m1, rax, m[6];
    while (scanf("%63s %x %llx %llx %llx %llx %llx %llx %llx %x %llx %llx %llx %llx %llx %llx", hex, &mx, &x0l, &x0h,
                 &x1l, &x1h, &m0, &m1, &rax, &off, &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 16) {
        size_t n = strlen(hex) / 2;
        for (size_t i = 0; i < n; i++) code[i] = (uint8_t) (hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
        code[n] = 0xc3;   /* ret */
        memset(&st, 0, sizeof st);
        st.x0[0] = x0l; st.x0[1] = x0h; st.x1[0] = x1l; st.x1[1] = x1h;
        st.mm0 = m0; st.mm1 = m1; st.rax = rax; st.mxcsr = mx;
        memcpy(mem, m, 48);
        st.rsi = (uint64_t) (uintptr_t) (mem + (off & 15));
        vector = -1;
        if (sigsetjmp(env, 1) == 0) run_insn(&st, code);
        else __asm__ volatile("emms");
        uint32_t def = 0x1f80;
        __asm__ volatile("ldmxcsr %0" : : "m"(def));
        memcpy(m, mem, 48);
        printf("%llx %llx %llx %llx %llx %llx %llx %llx %x %llx %llx %llx %llx %llx %llx %d\n",
               (unsigned long long) st.x0[0], (unsigned long long) st.x0[1], (unsigned long long) st.x1[0],
               (unsigned long long) st.x1[1], (unsigned long long) st.mm0, (unsigned long long) st.mm1,
               (unsigned long long) st.rax, (unsigned long long) st.flags, st.mxcsr,
               m[0], m[1], m[2], m[3], m[4], m[5], vector);
        fflush(stdout);
    }
    return 0;
}
