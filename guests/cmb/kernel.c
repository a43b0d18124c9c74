/*
 * cmb: a small multiboot v1 kernel in C. Its COM1 output depends only on the machine (fw_cfg, CPUID
 * vendor) and not on RAM size or file names, so vmscope and QEMU must print the same text:
 *   cmb: multiboot magic ok
 *   cmb: fw_cfg signature QEMU
 *   cmb: cpu vendor <12 characters from CPUID leaf 0>
 *   cmb: compute(<i>) counter=<counter>     for i = 0..9
 *   cmb: done checksum=<hex>
 * then it exits through isa-debug-exit (port 0xf4) with value 0 (process status 1).
 * Also the GDB-stub test kernel: built with -g, keeps symbols; compute() is called in a loop and the
 * global `counter` changes on every call. For watchpoint tests each round also writes one element of the
 * 100-byte `history` (the first time its last one), reads `probe` (never written) and increments `touched`;
 * `untouched` is never accessed. None of them changes the output.
 */
#include <stdint.h>

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4
#define FW_CFG_SELECTOR 0x510 /* QEMU docs/specs/fw_cfg.rst: 16-bit selector, 8-bit data at +1 */
#define FW_CFG_DATA 0x511
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

volatile uint32_t counter;
volatile uint32_t history[25];
volatile uint32_t probe;
volatile uint32_t touched;
volatile uint32_t untouched;

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void putc(char c) { outb(COM1, (uint8_t)c); }

static void puts(const char *s) {
    while (*s) putc(*s++);
}

static void putdec(uint32_t v) {
    char buf[11];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) putc(buf[--n]);
}

static void puthex(uint32_t v) {
    for (int shift = 28; shift >= 0; shift -= 4) putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

/* One step of a deterministic mix: a small LCG round plus a rotate, so every call changes counter. */
__attribute__((noinline)) uint32_t compute(uint32_t x) {
    uint32_t y = x * 1103515245u + 12345u;
    counter = (y << 7) | (y >> 25);
    return counter;
}

static void fw_cfg_signature(char out[5]) {
    outw(FW_CFG_SELECTOR, 0); /* item 0: the signature */
    for (int i = 0; i < 4; i++) out[i] = (char)inb(FW_CFG_DATA);
    out[4] = 0;
}

static void cpu_vendor(char out[13]) {
    uint32_t eax = 0, regs[3];
    __asm__ volatile("cpuid" : "+a"(eax), "=b"(regs[0]), "=d"(regs[1]), "=c"(regs[2]));
    for (int i = 0; i < 12; i++) out[i] = (char)(regs[i / 4] >> (8 * (i % 4)));
    out[12] = 0;
}

void kmain(uint32_t magic, uint32_t info) {
    (void)info;
    puts(magic == MULTIBOOT_BOOTLOADER_MAGIC ? "cmb: multiboot magic ok\n" : "cmb: multiboot magic BAD\n");
    char sig[5];
    fw_cfg_signature(sig);
    puts("cmb: fw_cfg signature ");
    puts(sig);
    putc('\n');
    char vendor[13];
    cpu_vendor(vendor);
    puts("cmb: cpu vendor ");
    puts(vendor);
    putc('\n');
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 10; i++) {
        sum ^= compute(counter + i);
        sum += probe;                  /* a read: probe stays 0 */
        history[24 - 2 * i] = counter;
        touched++;
        puts("cmb: compute(");
        putdec(i);
        puts(") counter=");
        putdec(counter);
        putc('\n');
    }
    puts("cmb: done checksum=");
    puthex(sum);
    putc('\n');
    outb(DEBUG_EXIT, 0);
}
