/*
 * Host-CPU oracle for dev.vmscope.emu.softfloat: reads one operation per line from stdin and prints the host's
 * result bits and status, one line per operation. Built by SoftFloatOracleTest with gcc -O0 -m64.
 *
 *   x87 ops:  <op> <fcw> <a.se> <a.sig> <b.se> <b.sig>   ->  <r.se> <r.sig> <r2.se> <r2.sig> <fsw> <eflags>
 *   SSE ops:  <op> <mxcsr> <a> <b> <imm>                 ->  <r> <mxcsr> <eflags>
 * All numbers are hexadecimal. a is ST(0) and b is ST(1) when both are loaded; a is the first SSE operand.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

typedef struct { uint64_t sig; uint16_t se; } __attribute__((packed)) f80;

static f80 A, B, R, R2;
static uint16_t cw, sw;
static uint64_t fl, i64;
static uint32_t i32;
static uint16_t i16;
static unsigned char bcd[10];

#define CLOB "memory", "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"
/* ST0 = A, ST1 = B; INSN leaves one value on top: stored to R. */
#define BIN(INSN) asm volatile("fninit; fldcw %[cw]; fldt %[b]; fldt %[a];" INSN "; fnstsw %[sw]; fnclex; fstpt %[r]; fninit" \
    : [r] "=m"(R), [sw] "=m"(sw) : [a] "m"(A), [b] "m"(B), [cw] "m"(cw) : CLOB)
/* INSN leaves two values: ST0 to R, ST1 to R2. */
#define TWO(INSN) asm volatile("fninit; fldcw %[cw]; fldt %[b]; fldt %[a];" INSN "; fnstsw %[sw]; fnclex; fstpt %[r]; fstpt %[r2]; fninit" \
    : [r] "=m"(R), [r2] "=m"(R2), [sw] "=m"(sw) : [a] "m"(A), [b] "m"(B), [cw] "m"(cw) : CLOB)
/* Compare-like: only the status word and EFLAGS. */
#define CMP(INSN) asm volatile("fninit; fldcw %[cw]; fldt %[b]; fldt %[a];" INSN "; fnstsw %[sw]; fnclex; pushfq; popq %[fl]; fninit" \
    : [sw] "=m"(sw), [fl] "=r"(fl) : [a] "m"(A), [b] "m"(B), [cw] "m"(cw) : CLOB)
/* Store A to memory operand M with INSN. */
#define STORE(INSN, M) asm volatile("fninit; fldcw %[cw]; fldt %[a];" INSN " %[m]; fnstsw %[sw]; fnclex; fninit" \
    : [m] "=m"(M), [sw] "=m"(sw) : [a] "m"(A), [cw] "m"(cw) : CLOB)
/* Load memory operand M with INSN; result to R. */
#define LOAD(INSN, M) asm volatile("fninit; fldcw %[cw];" INSN " %[m]; fnstsw %[sw]; fnclex; fstpt %[r]; fninit" \
    : [r] "=m"(R), [sw] "=m"(sw) : [m] "m"(M), [cw] "m"(cw) : CLOB)

/* With unmasked exceptions the harness reads FSW and clears the exceptions (FNCLEX) before the next waiting
 * instruction, so nothing traps; a suppressed store leaves the zeroed destination. */
static int x87(const char *op) {
    i16 = 0; i32 = 0; i64 = 0; memset(bcd, 0, sizeof bcd);
    if (!strcmp(op, "add")) BIN("fadd %%st(1), %%st");
    else if (!strcmp(op, "sub")) BIN("fsub %%st(1), %%st");
    else if (!strcmp(op, "mul")) BIN("fmul %%st(1), %%st");
    else if (!strcmp(op, "div")) BIN("fdiv %%st(1), %%st");
    else if (!strcmp(op, "sqrt")) BIN("fsqrt");
    else if (!strcmp(op, "prem")) BIN("fprem");
    else if (!strcmp(op, "prem1")) BIN("fprem1");
    else if (!strcmp(op, "rndint")) BIN("frndint");
    else if (!strcmp(op, "scale")) BIN("fscale");
    else if (!strcmp(op, "xtract")) TWO("fxtract");
    else if (!strcmp(op, "sin")) BIN("fsin");
    else if (!strcmp(op, "cos")) BIN("fcos");
    else if (!strcmp(op, "sincos")) TWO("fsincos");
    else if (!strcmp(op, "ptan")) TWO("fptan");
    else if (!strcmp(op, "patan")) BIN("fpatan");
    else if (!strcmp(op, "f2xm1")) BIN("f2xm1");
    else if (!strcmp(op, "yl2x")) BIN("fyl2x");
    else if (!strcmp(op, "yl2xp1")) BIN("fyl2xp1");
    else if (!strcmp(op, "com")) CMP("fcom %%st(1)");
    else if (!strcmp(op, "ucom")) CMP("fucom %%st(1)");
    else if (!strcmp(op, "comi")) CMP("fcomi %%st(1), %%st");
    else if (!strcmp(op, "ucomi")) CMP("fucomi %%st(1), %%st");
    else if (!strcmp(op, "tst")) CMP("ftst");
    else if (!strcmp(op, "xam")) CMP("fxam");
    else if (!strcmp(op, "ist16")) { STORE("fistps", i16); R.sig = i16; }
    else if (!strcmp(op, "ist32")) { STORE("fistpl", i32); R.sig = i32; }
    else if (!strcmp(op, "ist64")) { STORE("fistpll", i64); R.sig = i64; }
    else if (!strcmp(op, "istt16")) { STORE("fisttps", i16); R.sig = i16; }
    else if (!strcmp(op, "istt32")) { STORE("fisttpl", i32); R.sig = i32; }
    else if (!strcmp(op, "istt64")) { STORE("fisttpll", i64); R.sig = i64; }
    else if (!strcmp(op, "st32")) { STORE("fstps", i32); R.sig = i32; }
    else if (!strcmp(op, "st64")) { STORE("fstpl", i64); R.sig = i64; }
    else if (!strcmp(op, "bstp")) { STORE("fbstp", bcd); memcpy(&R, bcd, 10); }
    else if (!strcmp(op, "ld32")) { i32 = (uint32_t) A.sig; LOAD("flds", i32); }
    else if (!strcmp(op, "ld64")) { i64 = A.sig; LOAD("fldl", i64); }
    else if (!strcmp(op, "bld")) { memcpy(bcd, &A, 10); LOAD("fbld", bcd); }
    else if (!strcmp(op, "ldpi")) BIN("fldpi");
    else if (!strcmp(op, "ldl2e")) BIN("fldl2e");
    else if (!strcmp(op, "ldl2t")) BIN("fldl2t");
    else if (!strcmp(op, "ldlg2")) BIN("fldlg2");
    else if (!strcmp(op, "ldln2")) BIN("fldln2");
    else return 0;
    return 1;
}

typedef union { uint64_t q[2]; float f[4]; double d[2]; char v __attribute__((vector_size(16))); } xmm;
static xmm XA, XB;
static uint32_t mx;
static uint64_t ri;

#define SSE(INSN) asm volatile("ldmxcsr %[m];" INSN " %[b], %[a]; stmxcsr %[m]; pushfq; popq %[fl]" \
    : [a] "+x"(XA.v), [m] "+m"(mx), [fl] "=r"(fl) : [b] "x"(XB.v) : "cc")
/* Register-destination conversions to an integer. */
#define CVTI(INSN) asm volatile("ldmxcsr %[m];" INSN " %[b], %[r]; stmxcsr %[m]" \
    : [r] "=r"(ri), [m] "+m"(mx) : [b] "x"(XB.v) : "cc")
#define CVTI32(INSN) asm volatile("ldmxcsr %[m];" INSN " %[b], %k[r]; stmxcsr %[m]" \
    : [r] "=r"(ri), [m] "+m"(mx) : [b] "x"(XB.v) : "cc")
#define FROMI(INSN) asm volatile("ldmxcsr %[m];" INSN " %[b], %[a]; stmxcsr %[m]" \
    : [a] "+x"(XA.v), [m] "+m"(mx) : [b] "r"(XB.q[0]) : "cc")
#define FROMI32(INSN) asm volatile("ldmxcsr %[m];" INSN " %k[b], %[a]; stmxcsr %[m]" \
    : [a] "+x"(XA.v), [m] "+m"(mx) : [b] "r"(XB.q[0]) : "cc")
#define CMPI(INSN, I) asm volatile("ldmxcsr %[m];" INSN " $" #I ", %[b], %[a]; stmxcsr %[m]" \
    : [a] "+x"(XA.v), [m] "+m"(mx) : [b] "x"(XB.v) : "cc")

/* An unmasked SSE exception is #XM, SIGFPE here: the handler takes MXCSR from the signal frame and jumps back. */
static sigjmp_buf trap_env;
static volatile uint32_t trap_mxcsr;

static void on_fpe(int sig, siginfo_t *si, void *ctx) {
    (void) sig; (void) si;
    trap_mxcsr = ((ucontext_t *) ctx)->uc_mcontext.fpregs->mxcsr;
    siglongjmp(trap_env, 1);
}

static int sse(const char *op, int imm) {
    fl = 0;
    if (!strcmp(op, "addss")) SSE("addss");
    else if (!strcmp(op, "subss")) SSE("subss");
    else if (!strcmp(op, "mulss")) SSE("mulss");
    else if (!strcmp(op, "divss")) SSE("divss");
    else if (!strcmp(op, "sqrtss")) SSE("sqrtss");
    else if (!strcmp(op, "minss")) SSE("minss");
    else if (!strcmp(op, "maxss")) SSE("maxss");
    else if (!strcmp(op, "addsd")) SSE("addsd");
    else if (!strcmp(op, "subsd")) SSE("subsd");
    else if (!strcmp(op, "mulsd")) SSE("mulsd");
    else if (!strcmp(op, "divsd")) SSE("divsd");
    else if (!strcmp(op, "sqrtsd")) SSE("sqrtsd");
    else if (!strcmp(op, "minsd")) SSE("minsd");
    else if (!strcmp(op, "maxsd")) SSE("maxsd");
    else if (!strcmp(op, "comiss")) SSE("comiss");
    else if (!strcmp(op, "ucomiss")) SSE("ucomiss");
    else if (!strcmp(op, "comisd")) SSE("comisd");
    else if (!strcmp(op, "ucomisd")) SSE("ucomisd");
    else if (!strcmp(op, "cvtsd2ss")) SSE("cvtsd2ss");
    else if (!strcmp(op, "cvtss2sd")) SSE("cvtss2sd");
    else if (!strcmp(op, "cvtsd2si32")) CVTI32("cvtsd2si");
    else if (!strcmp(op, "cvttsd2si32")) CVTI32("cvttsd2si");
    else if (!strcmp(op, "cvtss2si32")) CVTI32("cvtss2si");
    else if (!strcmp(op, "cvttss2si32")) CVTI32("cvttss2si");
    else if (!strcmp(op, "cvtsd2si64")) CVTI("cvtsd2si");
    else if (!strcmp(op, "cvttsd2si64")) CVTI("cvttsd2si");
    else if (!strcmp(op, "cvtss2si64")) CVTI("cvtss2si");
    else if (!strcmp(op, "cvttss2si64")) CVTI("cvttss2si");
    else if (!strcmp(op, "cvtsi2sd32")) FROMI32("cvtsi2sd");
    else if (!strcmp(op, "cvtsi2ss32")) FROMI32("cvtsi2ss");
    else if (!strcmp(op, "cvtsi2sd64")) FROMI("cvtsi2sdq");
    else if (!strcmp(op, "cvtsi2ss64")) FROMI("cvtsi2ssq");
    else if (!strcmp(op, "cmpss")) {
        switch (imm) {
        case 0: CMPI("cmpss", 0); break; case 1: CMPI("cmpss", 1); break; case 2: CMPI("cmpss", 2); break;
        case 3: CMPI("cmpss", 3); break; case 4: CMPI("cmpss", 4); break; case 5: CMPI("cmpss", 5); break;
        case 6: CMPI("cmpss", 6); break; default: CMPI("cmpss", 7); break;
        }
    } else if (!strcmp(op, "cmpsd")) {
        switch (imm) {
        case 0: CMPI("cmpsd", 0); break; case 1: CMPI("cmpsd", 1); break; case 2: CMPI("cmpsd", 2); break;
        case 3: CMPI("cmpsd", 3); break; case 4: CMPI("cmpsd", 4); break; case 5: CMPI("cmpsd", 5); break;
        case 6: CMPI("cmpsd", 6); break; default: CMPI("cmpsd", 7); break;
        }
    } else return 0;
    if (!strncmp(op, "cvt", 3) && (strstr(op, "2si") && !strstr(op, "2si2"))) {
        if (strncmp(op, "cvtsi", 5)) XA.q[0] = ri;
    }
    return 1;
}

static unsigned char fx[512] __attribute__((aligned(16)));

/* FXSAVE64 after a scenario: 0 = two loads, 1 = two loads then an MMX write of B's significand to MM3,
 * 2 = scenario 1 then EMMS, 3 = two loads, one pop, FINCSTP. Prints bytes 0-159 in hex. */
static void fxsave_scenario(int k) {
    memset(fx, 0, sizeof fx);
    /* empty registers keep stale contents: zero them all first */
    asm volatile("fninit; fldz; fldz; fldz; fldz; fldz; fldz; fldz; fldz; fninit" ::: CLOB);
    switch (k) {
    case 0: asm volatile("fninit; fldt %[b]; fldt %[a]; fxsave64 %[fx]; fninit" : [fx] "=m"(fx) : [a] "m"(A), [b] "m"(B) : CLOB); break;
    case 1: asm volatile("fninit; fldt %[b]; fldt %[a]; movq %[q], %%mm3; fxsave64 %[fx]; emms; fninit"
                : [fx] "=m"(fx) : [a] "m"(A), [b] "m"(B), [q] "m"(B.sig) : CLOB, "mm3"); break;
    case 2: asm volatile("fninit; fldt %[b]; fldt %[a]; movq %[q], %%mm3; emms; fxsave64 %[fx]; fninit"
                : [fx] "=m"(fx) : [a] "m"(A), [b] "m"(B), [q] "m"(B.sig) : CLOB, "mm3"); break;
    default: asm volatile("fninit; fldt %[b]; fldt %[a]; fstp %%st(0); fincstp; fxsave64 %[fx]; fninit"
                : [fx] "=m"(fx) : [a] "m"(A), [b] "m"(B) : CLOB); break;
    }
    for (int i = 0; i < 160; i++) printf("%02x", fx[i]);
    printf("\n");
}

int main(void) {
    char op[32];
    unsigned a1, b1, ctl;
    unsigned long long a2, b2;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    while (scanf("%31s %x", op, &ctl) == 2) {
        if (op[0] == 's' && op[1] == '_') {   /* SSE: s_<name> <mxcsr> <a> <b> <imm> */
            int imm;
            if (scanf("%llx %llx %x", &a2, &b2, &imm) != 3) return 2;
            memset(&XA, 0, sizeof XA); memset(&XB, 0, sizeof XB);
            XA.q[0] = a2; XB.q[0] = b2; mx = ctl; ri = 0;
            int trapped = 0;
            if (sigsetjmp(trap_env, 1)) {
                trapped = 1;
                mx = trap_mxcsr;
                XA.q[0] = a2;
                fl = 0;
            } else if (!sse(op + 2, imm)) {
                fprintf(stderr, "unknown op %s\n", op);
                return 2;
            }
            printf("%016llx %08x %04llx %d\n", (unsigned long long) XA.q[0], mx, (unsigned long long) (fl & 0x8d5), trapped);
        } else {
            if (scanf("%x %llx %x %llx", &a1, &a2, &b1, &b2) != 4) return 2;
            A.se = a1; A.sig = a2; B.se = b1; B.sig = b2; cw = ctl;
            memset(&R, 0, sizeof R); memset(&R2, 0, sizeof R2); fl = 0;
            if (!strcmp(op, "fxsave")) { fxsave_scenario(ctl); fflush(stdout); continue; }
            if (!x87(op)) { fprintf(stderr, "unknown op %s\n", op); return 2; }
            printf("%04x %016llx %04x %016llx %04x %04llx\n", R.se, (unsigned long long) R.sig, R2.se,
                   (unsigned long long) R2.sig, sw, (unsigned long long) (fl & 0x8d5));
        }
        fflush(stdout);
    }
    return 0;
}
