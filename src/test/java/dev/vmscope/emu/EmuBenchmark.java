package dev.vmscope.emu;

import dev.vmscope.hypervisor.VcpuExit;

/**
 * MIPS of the software CPU on a ring-0 integer loop and a load/store loop (32-bit flat mode), measured
 * through the backend contract; with "cpubench", guests/cpubench.S's two loops instead. Run:
 * {@code java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes dev.vmscope.emu.EmuBenchmark [instructions [cpubench]]}.
 */
public final class EmuBenchmark {
    // mov ecx, N ; 1: add eax, ecx ; xor ebx, eax ; dec ecx ; jnz 1b ; hlt
    static final String INTEGER_LOOP = "b9%s 01c8 31c3 49 75f9 f4";
    // mov ecx, N ; 1: mov [0x20000 + ecx*4 & 0xffc], eax ... : mov edx, ecx ; and edx, 0xffc ; mov [edx+0x20000], eax ;
    // add eax, [edx+0x20004] ; dec ecx ; jnz 1b ; hlt
    static final String LOAD_STORE_LOOP = "b9%s 89ca 81e2fc0f0000 898200000200 038204000200 49 75e9 f4";

    private EmuBenchmark() {}

    /** Instructions per second of this thread's CPU time (millions; the host is shared) for {@code loop} run {@code n} times after a warm-up. */
    static double mips(String loop, int n) {
        try (EmuTestVm vm = new EmuTestVm()) {
            runOnce(vm, loop, n / 4);
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = mx.getCurrentThreadCpuTime();
            long insns = runOnce(vm, loop, n);
            return insns / ((mx.getCurrentThreadCpuTime() - t0) / 1000.0);
        }
    }

    private static long runOnce(EmuTestVm vm, String loop, int n) {
        vm.load(0x1000, String.format(loop, String.format("%08x", Integer.reverseBytes(n))));
        vm.prot32(0x1000);
        long before = vm.cpu.counters().get("instructions");
        VcpuExit e = vm.run();
        if (!(e instanceof VcpuExit.Hlt)) throw new IllegalStateException("benchmark loop ended with " + e);
        return vm.cpu.counters().get("instructions") - before;
    }

    /**
     * MIPS of guests/cpubench.S (the boot sector {@code vmscope bench} runs) with {@code intIters} and {@code memIters}
     * iterations, in this process: thread CPU time, port reads answered with "transmitter empty".
     */
    static double cpubench(long intIters, long memIters) throws java.io.IOException {
        byte[] img;
        try (var in = EmuBenchmark.class.getResourceAsStream("/guests/cpubench.img")) {
            if (in == null) throw new IllegalStateException("guests/cpubench.img is not built");
            img = in.readAllBytes();
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(img).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(8, (int) intIters).putInt(12, (int) memIters);
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x7c00, img);
            vm.real(0x7c00);
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = mx.getCurrentThreadCpuTime();
            for (;;) {
                VcpuExit e = vm.run();
                if (e instanceof VcpuExit.Hlt) break;
                if (e instanceof VcpuExit.IoIn in) vm.cpu.completeIn(new byte[] {0x20});
                else if (!(e instanceof VcpuExit.IoOut)) throw new IllegalStateException("cpubench ended with " + e);
            }
            long insns = vm.cpu.counters().get("instructions");
            return insns / ((mx.getCurrentThreadCpuTime() - t0) / 1000.0);
        }
    }

    public static void main(String[] args) throws java.io.IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000_000;
        boolean guest = args.length > 1 && args[1].equals("cpubench");
        for (int round = 0; round < 3; round++) {
            if (guest) System.out.printf("cpubench integer: %.1f MIPS, load/store: %.1f MIPS%n", cpubench(n / 10, 0), cpubench(0, n / 11));
            else System.out.printf("integer loop: %.1f MIPS, load/store loop: %.1f MIPS%n", mips(INTEGER_LOOP, n), mips(LOAD_STORE_LOOP, n));
        }
    }
}
