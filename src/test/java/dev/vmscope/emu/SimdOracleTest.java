package dev.vmscope.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmscope.hypervisor.CpuState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every implemented MMX/SSE/SSE2 opcode and prefix form, register and memory operands, run once on the software
 * CPU and once natively on the host (src/test/c/simd/simd_oracle.c executes the same instruction bytes), over
 * random and special operands (NaNs, denormals, infinities, saturation edges), every rounding mode, DAZ/FTZ,
 * masked and unmasked exceptions and misaligned memory. Compared: XMM0/XMM1, MM0/MM1, RAX, MXCSR, the memory
 * buffer, EFLAGS for (U)COMISx, and the exception (#XM, #GP alignment, #UD). RCPxS/RSQRTxS are compared against
 * the SDM's error bound instead of bit for bit (their tables are implementation-specific).
 * Size: -Dvmscope.simd.cases=N (default 20000); seed: -Dvmscope.simd.seed.
 */
class SimdOracleTest {
    static final int CASES = Integer.getInteger("vmscope.simd.cases", 20000);
    static final long SEED = Long.getLong("vmscope.simd.seed", 0x51DD);
    static final long MEM = 0x40000, CODE = 0x1000;
    static final int FLAGS = 1, APPROX = 2;
    static final int IMM_NONE = 0, IMM_ANY = 1, IMM_SHIFT = 2;

    /** One instruction form: prefixes, 0F opcode, ModRM.reg extension (or -1), forms "r"/"m"/"rm", value type. */
    record Form(String name, String prefix, int op, int ext, String forms, int imm, char type, int extra) {}

    static final List<Form> FORMS = new ArrayList<>();

    static void add(String pfx, int op, String forms, char type, int imm, int ext, int extra) {
        String name = (pfx.isEmpty() ? "" : pfx.replace(" ", "") + ".") + String.format("0f%02x", op) + (ext >= 0 ? "/" + ext : "");
        FORMS.add(new Form(name, pfx, op, ext, forms, imm, type, extra));
    }

    static void add(String pfx, int op, String forms, char type) { add(pfx, op, forms, type, IMM_NONE, -1, 0); }

    static {
        for (int op : new int[] {0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f}) {
            add("", op, "rm", 'S'); add("66", op, "rm", 'D'); add("f3", op, "rm", 'S'); add("f2", op, "rm", 'D');
        }
        for (int op : new int[] {0x52, 0x53}) { add("", op, "rm", 'S', 0, -1, APPROX); add("f3", op, "rm", 'S', 0, -1, APPROX); }
        for (int op = 0x54; op <= 0x57; op++) { add("", op, "rm", 'S'); add("66", op, "rm", 'D'); }
        add("", 0xc2, "rm", 'S', IMM_ANY, -1, 0); add("66", 0xc2, "rm", 'D', IMM_ANY, -1, 0);
        add("f3", 0xc2, "rm", 'S', IMM_ANY, -1, 0); add("f2", 0xc2, "rm", 'D', IMM_ANY, -1, 0);
        add("", 0xc6, "rm", 'S', IMM_ANY, -1, 0); add("66", 0xc6, "rm", 'D', IMM_ANY, -1, 0);
        for (int op : new int[] {0x14, 0x15}) { add("", op, "rm", 'S'); add("66", op, "rm", 'D'); }
        for (int op : new int[] {0x2e, 0x2f}) { add("", op, "rm", 'S', 0, -1, FLAGS); add("66", op, "rm", 'D', 0, -1, FLAGS); }
        add("", 0x5a, "rm", 'S'); add("66", 0x5a, "rm", 'D'); add("f3", 0x5a, "rm", 'S'); add("f2", 0x5a, "rm", 'D');
        add("", 0x5b, "rm", 'I'); add("66", 0x5b, "rm", 'S'); add("f3", 0x5b, "rm", 'S');
        add("66", 0xe6, "rm", 'D'); add("f3", 0xe6, "rm", 'I'); add("f2", 0xe6, "rm", 'D');
        for (String p : new String[] {"", "66", "f3", "f2", "f3 48", "f2 48"}) add(p, 0x2a, "rm", 'I');
        for (int op : new int[] {0x2c, 0x2d}) {
            add("", op, "rm", 'S'); add("66", op, "rm", 'D'); add("f3", op, "rm", 'S'); add("f2", op, "rm", 'D');
            add("f3 48", op, "rm", 'S'); add("f2 48", op, "rm", 'D');
        }
        add("", 0x50, "r", 'S'); add("66", 0x50, "r", 'D');
        for (int op : new int[] {0x10, 0x11}) for (String p : new String[] {"", "66", "f3", "f2"}) add(p, op, "rm", 'S');
        for (int op : new int[] {0x28, 0x29}) { add("", op, "rm", 'S'); add("66", op, "rm", 'D'); }
        add("", 0x12, "rm", 'S'); add("66", 0x12, "m", 'D'); add("", 0x16, "rm", 'S'); add("66", 0x16, "m", 'D');
        for (int op : new int[] {0x13, 0x17, 0x2b}) { add("", op, "m", 'S'); add("66", op, "m", 'D'); }
        for (int op = 0x60; op <= 0xfe; op++) {
            if (op >= 0x60 && op <= 0x6b || op >= 0x74 && op <= 0x76 || op >= 0xd1 && op <= 0xd5 || op >= 0xd8 && op <= 0xe5
                    || op >= 0xe8 && op <= 0xef || op >= 0xf1 && op <= 0xf6 || op >= 0xf8) {
                if (op == 0xe6) continue;
                add("", op, "rm", 'I'); add("66", op, "rm", 'I');
            }
        }
        add("66", 0x6c, "rm", 'I'); add("66", 0x6d, "rm", 'I');
        for (String p : new String[] {"", "66", "48", "66 48"}) { add(p, 0x6e, "rm", 'I'); add(p, 0x7e, "rm", 'I'); }
        add("f3", 0x7e, "rm", 'I');
        for (int op : new int[] {0x6f, 0x7f}) { add("", op, "rm", 'I'); add("66", op, "rm", 'I'); add("f3", op, "rm", 'I'); }
        for (String p : new String[] {"", "66", "f3", "f2"}) add(p, 0x70, "rm", 'I', IMM_ANY, -1, 0);
        for (String p : new String[] {"", "66"}) {
            for (int ext : new int[] {2, 4, 6}) { add(p, 0x71, "r", 'I', IMM_SHIFT, ext, 0); add(p, 0x72, "r", 'I', IMM_SHIFT, ext, 0); }
            add(p, 0x73, "r", 'I', IMM_SHIFT, 2, 0); add(p, 0x73, "r", 'I', IMM_SHIFT, 6, 0);
            add(p, 0xc4, "rm", 'I', IMM_ANY, -1, 0); add(p, 0xc5, "r", 'I', IMM_ANY, -1, 0);
            add(p, 0xd7, "r", 'I'); add(p, 0xe7, "m", 'I'); add(p, 0xf7, "r", 'I');
        }
        add("66", 0x73, "r", 'I', IMM_SHIFT, 3, 0); add("66", 0x73, "r", 'I', IMM_SHIFT, 7, 0);
        add("66", 0xd6, "rm", 'I'); add("f3", 0xd6, "r", 'I'); add("f2", 0xd6, "r", 'I');
        add("", 0xc3, "m", 'I'); add("48", 0xc3, "m", 'I');
        add("", 0xae, "m", 'M', IMM_NONE, 2, 0); add("", 0xae, "m", 'M', IMM_NONE, 3, 0);
    }

    record Case(Form form, String code, int mxcsr, long[] x, long mm0, long mm1, long rax, int off, long[] mem) {
        String line() {
            StringBuilder b = new StringBuilder(code).append(' ').append(Integer.toHexString(mxcsr));
            for (long v : x) b.append(' ').append(Long.toHexString(v));
            b.append(' ').append(Long.toHexString(mm0)).append(' ').append(Long.toHexString(mm1)).append(' ')
                    .append(Long.toHexString(rax)).append(' ').append(Integer.toHexString(off));
            for (long v : mem) b.append(' ').append(Long.toHexString(v));
            return b.toString();
        }
    }

    @Test
    void matchesHost() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) cases.add(generate(rnd, FORMS.get(i % FORMS.size())));
        List<String> lines = new ArrayList<>();
        for (Case c : cases) lines.add(c.line());
        List<String> host = runHost(lines);
        Map<String, int[]> counts = new LinkedHashMap<>();
        StringBuilder diffs = new StringBuilder();
        int bad = 0, faults = 0;
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.long64(CODE);
            CpuState base = vm.state();
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                String emu = runEmu(vm, base, c);
                int[] n = counts.computeIfAbsent(c.form.name, k -> new int[2]);
                n[0]++;
                if (!host.get(i).endsWith(" -1")) faults++;
                if (!same(c.form, host.get(i).split(" "), emu.split(" "))) {
                    n[1]++;
                    if (bad++ < 30) diffs.append(c.form.name).append(": ").append(lines.get(i)).append("\n   host ")
                            .append(host.get(i)).append("\n   emu  ").append(emu).append('\n');
                }
            }
        }
        StringBuilder failing = new StringBuilder();
        counts.forEach((k, v) -> { if (v[1] > 0) failing.append(k).append(' ').append(v[1]).append('/').append(v[0]).append("  "); });
        System.out.println("SIMD vs host: " + cases.size() + " cases, " + FORMS.size() + " forms, " + faults
                + " faulting on the host, " + bad + " different " + failing);
        assertEquals(0, bad, failing + "\n" + diffs);
    }

    // ---- operand generation ----

    static Case generate(SplittableRandom rnd, Form f) {
        boolean mem = f.forms.equals("m") || f.forms.equals("rm") && rnd.nextBoolean();
        int reg = f.ext >= 0 ? f.ext : 0;
        int modrm = mem ? 0x06 | reg << 3 : 0xc1 | reg << 3;
        StringBuilder code = new StringBuilder();
        String[] pre = f.prefix.isEmpty() ? new String[0] : f.prefix.split(" ");
        for (String p : pre) code.append(p);
        code.append(String.format("0f%02x%02x", f.op, modrm));
        if (f.imm == IMM_ANY) code.append(String.format("%02x", rnd.nextInt(256)));
        if (f.imm == IMM_SHIFT) code.append(String.format("%02x", rnd.nextInt(8) == 0 ? rnd.nextInt(256) : rnd.nextInt(70)));
        int mxcsr = rnd.nextInt(4) << 13 | (rnd.nextInt(3) == 0 ? 0x40 : 0) | (rnd.nextInt(3) == 0 ? 0x8000 : 0)
                | (rnd.nextInt(4) == 0 ? rnd.nextInt(64) : 0);
        mxcsr |= rnd.nextInt(5) == 0 ? 0x1f80 & ~(rnd.nextInt(64) << 7) : 0x1f80;
        long[] x = new long[4];
        for (int i = 0; i < 4; i++) x[i] = value(rnd, f.type);
        if (rnd.nextInt(4) == 0) { x[2] = near(rnd, x[0], f.type); x[3] = near(rnd, x[1], f.type); }
        if (f.type == 'I' && rnd.nextInt(3) == 0) { x[2] = rnd.nextInt(70); x[3] = rnd.nextLong(); }   // shift counts
        long[] m = new long[6];
        for (int i = 0; i < 6; i++) m[i] = value(rnd, f.type);
        int k = rnd.nextInt(8), off = k < 4 ? 0 : k < 6 ? 8 : k == 6 ? 4 : rnd.nextInt(16);
        if (f.type == 'M') {
            off = 0;
            // bit 17 is reserved on Intel (our MXCSR_MASK 0xFFFF) but AMD's misaligned-SSE mask: left out
            m[0] = rnd.nextInt(4) == 0 ? rnd.nextLong() | 1L << 31 : (rnd.nextLong() & 0xffff) | (rnd.nextInt(8) == 0 ? 1L << (18 + rnd.nextInt(14)) | 1L << 16 & rnd.nextLong() : 0);
        }
        long rax = f.type == 'I' && rnd.nextBoolean() ? rnd.nextInt() : rnd.nextLong() >> rnd.nextInt(64);
        return new Case(f, code.toString(), mxcsr, x, value(rnd, 'I'), value(rnd, 'I'), rax, off, m);
    }

    static long value(SplittableRandom rnd, char type) {
        return switch (type) {
            case 'S' -> f32(rnd) & 0xffffffffL | (long) f32(rnd) << 32;
            case 'D' -> f64(rnd);
            default -> switch (rnd.nextInt(6)) {
                case 0 -> rnd.nextLong() & 0x8080808080808080L;
                case 1 -> rnd.nextLong() & 0x00ff00ff00ff00ffL | 0x7f007f0080008000L & rnd.nextLong();
                case 2 -> rnd.nextInt() & 0xffffffffL | (long) rnd.nextInt(3) - 1 << 32;
                default -> rnd.nextLong();
            };
        };
    }

    /** Close to {@code v}: equal elements for PCMPEQ/comparisons, few-ulp differences for arithmetic. */
    static long near(SplittableRandom rnd, long v, char type) {
        return switch (rnd.nextInt(3)) {
            case 0 -> v;
            case 1 -> v ^ 1L << rnd.nextInt(64);
            default -> type == 'I' ? v ^ 0xffL << 8 * rnd.nextInt(8) : v + rnd.nextInt(5) - 2;
        };
    }

    static int f32(SplittableRandom rnd) {
        int s = rnd.nextBoolean() ? 0x80000000 : 0;
        return switch (rnd.nextInt(14)) {
            case 0 -> s;                                                     // zero
            case 1 -> s | 0x7f800000;                                        // infinity
            case 2 -> s | 0x7fc00000 | rnd.nextInt(0x400000);                // QNaN
            case 3 -> s | 0x7f800000 | 1 + rnd.nextInt(0x3fffff);            // SNaN
            case 4 -> s | 1 + rnd.nextInt(0x7fffff);                         // denormal
            case 5 -> s | (1 + rnd.nextInt(24)) << 23 | rnd.nextInt(0x800000); // near the bottom
            case 6 -> s | (0xfe - rnd.nextInt(3)) << 23 | rnd.nextInt(0x800000); // near the top
            case 7 -> s | (0x9d + rnd.nextInt(4)) << 23 | rnd.nextInt(0x800000); // near 2^31 (integer limits)
            case 8 -> Float.floatToRawIntBits((float) (rnd.nextInt(2001) - 1000) / (1 + rnd.nextInt(4)));
            default -> s | (0x60 + rnd.nextInt(0x40)) << 23 | rnd.nextInt(0x800000);
        };
    }

    static long f64(SplittableRandom rnd) {
        long s = rnd.nextBoolean() ? Long.MIN_VALUE : 0, f = rnd.nextLong() & 0xfffffffffffffL;
        return switch (rnd.nextInt(14)) {
            case 0 -> s;
            case 1 -> s | 0x7ff0000000000000L;
            case 2 -> s | 0x7ff8000000000000L | f;
            case 3 -> s | 0x7ff0000000000000L | (f >>> 1 | 1);
            case 4 -> s | (f | 1);
            case 5 -> s | (long) (1 + rnd.nextInt(53)) << 52 | f;
            case 6 -> s | (long) (0x7fe - rnd.nextInt(3)) << 52 | f;
            case 7 -> s | (long) (0x41d + rnd.nextInt(4)) << 52 | f;                // near 2^31
            case 8 -> s | (long) (0x43c + rnd.nextInt(5)) << 52 | f;                // near 2^63
            case 9 -> s | (long) (0x36a + rnd.nextInt(30)) << 52 | f;               // single range bottom
            case 10 -> Double.doubleToRawLongBits((rnd.nextInt(2001) - 1000) / (double) (1 + rnd.nextInt(4)));
            default -> s | (long) (0x3c0 + rnd.nextInt(0x80)) << 52 | f;
        };
    }

    // ---- the two CPUs ----

    static String runEmu(EmuTestVm vm, CpuState base, Case c) {
        EmuCpu cpu = (EmuCpu) vm.cpu;
        cpu.setState(base);
        cpu.cr4 |= CpuRegs.CR4_OSFXSR | CpuRegs.CR4_OSXMMEXCPT;
        byte[] code = HexFormat.of().parseHex(c.code + "f4");
        vm.load(CODE, code);
        for (int i = 0; i < 6; i++) vm.write64(MEM + 8 * i, c.mem[i]);
        System.arraycopy(c.x, 0, cpu.fpu.xmm, 0, 4);
        cpu.fpu.mxcsr = c.mxcsr;
        cpu.fpu.setMmx(0, c.mm0);
        cpu.fpu.setMmx(1, c.mm1);
        cpu.r[0] = cpu.r[1] = c.rax;
        cpu.r[6] = cpu.r[7] = MEM + c.off;
        int vector = -1;
        try {
            cpu.step();
        } catch (Fault f) {
            vector = f.vector;
        } catch (RuntimeException e) {
            vector = -100;   // emulation failure: never expected
        }
        long[] x = cpu.fpu.xmm;
        StringBuilder b = new StringBuilder();
        for (long v : new long[] {x[0], x[1], x[2], x[3], cpu.fpu.mmx(0), cpu.fpu.mmx(1), cpu.r[0], cpu.getFlags()}) {
            b.append(Long.toHexString(v)).append(' ');
        }
        b.append(Integer.toHexString(cpu.fpu.mxcsr));
        for (int i = 0; i < 6; i++) b.append(' ').append(Long.toHexString(vm.read64(MEM + 8 * i)));
        return b.append(' ').append(vector).toString();
    }

    /** Fields: x0lo x0hi x1lo x1hi mm0 mm1 rax rflags mxcsr m0..m5 vector. */
    static boolean same(Form f, String[] h, String[] e) {
        if (!h[15].equals(e[15])) return false;
        boolean fault = !h[15].equals("-1");
        for (int i = 0; i < 15; i++) {
            if (i == 7) {
                if ((f.extra & FLAGS) != 0 && !fault
                        && (Long.parseUnsignedLong(h[7], 16) & 0x8d5) != (Long.parseUnsignedLong(e[7], 16) & 0x8d5)) return false;
                continue;
            }
            if (fault && (i == 4 || i == 5)) continue;
            if (h[i].equals(e[i])) continue;
            if ((f.extra & APPROX) != 0 && i < 2 && approxLane(f.op, Long.parseUnsignedLong(h[i], 16), Long.parseUnsignedLong(e[i], 16))) continue;
            return false;
        }
        return true;
    }

    /** RCP/RSQRT lanes: equal, or both within 1.5 * 2^-12 relative error of each other's exact value (SDM RCPPS). */
    static boolean approxLane(int op, long h, long e) {
        for (int k = 0; k < 2; k++) {
            int a = (int) (h >>> 32 * k), b = (int) (e >>> 32 * k);
            if (a == b) continue;
            double fa = Float.intBitsToFloat(a), fb = Float.intBitsToFloat(b);
            if (Double.isNaN(fa) || Double.isNaN(fb) || Double.isInfinite(fa) || Double.isInfinite(fb)) return false;
            if (Math.abs(fa - fb) > 1.5 * Math.scalb(1.0, -12) * Math.abs(fb) + Math.ulp((float) fb)) {
                // Tiny results: implementations flush near the smallest normal differently.
                if (!(op == 0x53 && (fa == 0 || fb == 0) && Math.abs(fa + fb) < 0x1p-124)) return false;
            }
        }
        return true;
    }

    private static Path exe;

    static synchronized Path executable() throws IOException, InterruptedException {
        if (exe != null) return exe;
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "host is not x86-64: no SIMD oracle");
        Path src = Path.of(System.getProperty("vmscope.basedir", ".")).resolve("src/test/c/simd/simd_oracle.c");
        Path out = Files.createTempDirectory("vmscope-simd-oracle").resolve("simd_oracle");
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", "-O1", "-o", out.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: no SIMD oracle");
            throw e;
        }
        String msg = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(cc.waitFor(120, TimeUnit.SECONDS), "gcc timed out");
        if (cc.exitValue() != 0) throw new IllegalStateException("gcc failed:\n" + msg);
        exe = out;
        return exe;
    }

    static List<String> runHost(List<String> lines) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(executable().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread feeder = Thread.ofPlatform().start(() -> {
            try (Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII)) {
                for (String l : lines) { w.write(l); w.write('\n'); }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<String> out = new ArrayList<>(lines.size());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String l; (l = r.readLine()) != null; ) out.add(l);
        }
        feeder.join();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        if (out.size() != lines.size()) throw new IllegalStateException("oracle answered " + out.size() + " of " + lines.size());
        return out;
    }
}
