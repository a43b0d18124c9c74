package dev.vmscope.emu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.VcpuExit;
import org.junit.jupiter.api.Test;

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
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Single x87 instructions (every D8-DF encoding, memory operand at [rbx]) on random register stacks, control
 * words and operands, run on the emulator in 64-bit mode and on the host CPU (src/test/c/x87exec/x87_exec.c),
 * compared bit for bit: FCW, FSW, the tags, EFLAGS, AX, ST0-ST7 and the memory operand area. A trap (#MF from a
 * pending unmasked exception, #UD) must happen on both. FNSTENV/FNSAVE images hold host addresses and are
 * covered by X87ExecTest instead. Size from {@code -Demu.x87.cases=N} (default 4000); skips without gcc or on
 * a non-x86-64 host.
 */
class X87HostOracleTest {
    private static final int CASES = Integer.getInteger("emu.x87.cases", 4000);
    private static final long CODE = 0x1000, MEM = 0x20000;

    @Test void singleInstructionsMatchTheHostCpu() throws Exception {
        Path exe = compile();
        SplittableRandom rnd = new SplittableRandom(Long.getLong("emu.x87.seed", 87));
        List<String> cases = new ArrayList<>();
        for (int k = 0; k < CASES; k++) cases.add(randomCase(rnd));
        List<String> host = runHost(exe, cases);
        List<String> bad = new ArrayList<>();
        int trans = 0, transBad = 0;
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.long64(CODE);
            CpuState base = vm.state();
            base = base.withSystem(base.cr0() | 0x20, 0, base.cr3(), base.cr4(), 0, base.efer(), 0)
                    .withTables(base.gdt(), new CpuState.Table(0, 0), base.tr(), base.ldt());
            for (int k = 0; k < cases.size(); k++) {
                String emu = runEmu(vm, base, cases.get(k));
                String h = host.get(k).startsWith("fault") ? "fault" : host.get(k);
                boolean t = transcendental(cases.get(k));
                if (t) trans++;
                if (emu.equals(h)) continue;
                if (t) { transBad++; continue; }
                if (bad.size() < 40) bad.add("code " + cases.get(k).substring(cases.get(k).lastIndexOf(' ') + 1) + "\nin:   " + cases.get(k) + "\nhost: " + h + "\nemu:  " + emu);
            }
        }
        assertTrue(bad.isEmpty(), bad.size() + " mismatches, first:\n" + String.join("\n\n", bad));
        // The transcendentals are faithful, not always the host's last bit and C1 (softfloat X87Trans; SDM Vol. 1
        // 8.3.10 promises less than 1 ulp), and FYL2XP1/F2XM1 out of their domain are undefined.
        assertTrue(transBad * 50 <= trans, transBad + " of " + trans + " transcendental cases differ");
    }

    private static boolean transcendental(String line) {
        String code = line.substring(line.lastIndexOf(' ') + 1);
        return code.matches("d9f[0-39bef]");
    }

    // ---- case generation ----

    private static String randomCase(SplittableRandom r) {
        int fcw = r.nextInt(10) < 7 ? 0x037F : (r.nextInt() & 0x0F3F) | 0x40;
        int flags = r.nextInt(64);
        if (r.nextInt(10) != 0) flags &= fcw;                         // mostly no pending unmasked exception
        int fsw = (r.nextInt(8) << 11) | (r.nextInt(16) & 7) << 8 | (r.nextBoolean() ? 0x4000 : 0) | flags;
        int tags = 0;
        for (int p = 0; p < 8; p++) if (r.nextInt(10) < 7) tags |= 1 << p;
        int eflags = 0;
        for (int bit : new int[] {0x1, 0x4, 0x10, 0x40, 0x80, 0x800}) if (r.nextBoolean()) eflags |= bit;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%04x %04x %02x %03x", fcw, fsw, tags, eflags));
        for (int i = 0; i < 8; i++) sb.append(' ').append(value80(r));
        sb.append(' ').append(HexFormat.of().formatHex(memory(r)));
        sb.append(' ').append(HexFormat.of().formatHex(instruction(r)));
        return sb.toString();
    }

    /** An 80-bit value as 20 hex digits (sign/exponent, significand), biased toward the interesting classes. */
    private static String value80(SplittableRandom r) {
        int sign = r.nextBoolean() ? 0x8000 : 0;
        long sig = r.nextLong();
        int e;
        switch (r.nextInt(12)) {
            case 0 -> { e = 0; sig = 0; }
            case 1 -> { e = 0x3FFF + r.nextInt(64); sig = (sig | Long.MIN_VALUE) & (-1L << (63 - r.nextInt(64))); }
            case 2, 3 -> { e = 0x3FFF - 70 + r.nextInt(140); sig |= Long.MIN_VALUE; }
            case 4 -> { e = 1 + r.nextInt(0x7FFE); sig |= Long.MIN_VALUE; }
            case 5 -> { e = 0; if (r.nextBoolean()) sig &= Long.MAX_VALUE; else sig |= Long.MIN_VALUE; }
            case 6 -> { e = 0x7FFF; sig = Long.MIN_VALUE; }
            case 7 -> { e = 0x7FFF; sig = (sig | Long.MIN_VALUE) & ~(r.nextBoolean() ? 0L : 1L << 62); }
            case 8 -> { e = 1 + r.nextInt(0x7FFF); sig &= Long.MAX_VALUE; }   // unnormal, pseudo-inf/NaN
            case 9 -> { e = 0x3FFF - 1 - r.nextInt(24); sig |= Long.MIN_VALUE; }
            case 10 -> { e = 0x3FFF; sig = Long.MIN_VALUE; }
            default -> { e = r.nextBoolean() ? 1 + r.nextInt(8) : 0x7FFE - r.nextInt(8); sig |= Long.MIN_VALUE; }
        }
        return String.format("%04x%016x", sign | e, sig);
    }

    /** 128 random bytes with a typed value at offset 0 (float, integer, BCD or 80-bit) most of the time. */
    private static byte[] memory(SplittableRandom r) {
        byte[] m = new byte[128];
        r.nextBytes(m);
        long v;
        int n;
        switch (r.nextInt(8)) {
            case 0 -> { v = Float.floatToRawIntBits((float) special(r)); n = 4; }
            case 1 -> { v = Double.doubleToRawLongBits(special(r)); n = 8; }
            case 2 -> { v = r.nextInt(-40000, 40000); n = 8; }
            case 3 -> { v = r.nextBoolean() ? 0 : r.nextInt(1 << 8) - 128; n = 8; }
            case 4 -> {       // BCD: 18 digits, sign in byte 9
                v = 0;
                for (int d = 0; d < 16; d++) v |= (long) r.nextInt(10) << (4 * d);
                m[8] = (byte) (r.nextInt(10) | r.nextInt(10) << 4);
                m[9] = (byte) (r.nextBoolean() ? 0x80 : 0);
                n = 8;
            }
            case 5 -> {
                String x = value80(r);
                long se = Long.parseLong(x.substring(0, 4), 16);
                v = Long.parseUnsignedLong(x.substring(4), 16);
                m[8] = (byte) se;
                m[9] = (byte) (se >> 8);
                n = 8;
            }
            default -> { return m; }
        }
        for (int b = 0; b < n; b++) m[b] = (byte) (v >>> (8 * b));
        return m;
    }

    private static double special(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0.0;
            case 1 -> -1.5;
            case 2 -> Double.POSITIVE_INFINITY;
            case 3 -> Double.NaN;
            case 4 -> Double.MIN_VALUE * r.nextInt(1, 1000);
            case 5 -> Float.MIN_VALUE * (double) r.nextInt(1, 1000);
            case 6 -> r.nextDouble(-1e6, 1e6);
            default -> Double.longBitsToDouble(r.nextLong());
        };
    }

    /** One D8-DF instruction: a register form, or a memory form addressing [rbx]; FNSTENV/FNSAVE excluded. */
    private static byte[] instruction(SplittableRandom r) {
        for (;;) {
            int op = 0xD8 + r.nextInt(8);
            if (r.nextBoolean()) return new byte[] {(byte) op, (byte) (0xC0 + r.nextInt(64))};
            int reg = r.nextInt(8);
            if (reg == 6 && (op == 0xD9 || op == 0xDD)) continue;
            boolean o16 = (op == 0xD9 || op == 0xDD) && reg == 4 && r.nextBoolean();   // 16-bit FLDENV/FRSTOR
            byte modrm = (byte) (reg << 3 | 3);
            return o16 ? new byte[] {0x66, (byte) op, modrm} : new byte[] {(byte) op, modrm};
        }
    }

    // ---- the emulator side ----

    private static String runEmu(EmuTestVm vm, CpuState base, String line) {
        String[] t = line.split(" ");
        int fcw = Integer.parseInt(t[0], 16), fsw = Integer.parseInt(t[1], 16), tags = Integer.parseInt(t[2], 16);
        int eflags = Integer.parseInt(t[3], 16);
        byte[] st = new byte[80];
        for (int i = 0; i < 8; i++) {
            byte[] be = HexFormat.of().parseHex(t[4 + i]);
            for (int b = 0; b < 10; b++) st[10 * i + b] = be[9 - b];
        }
        int ftw = 0;
        for (int p = 0; p < 8; p++) if ((tags & (1 << p)) == 0) ftw |= 3 << (2 * p);
        vm.load(MEM, HexFormat.of().parseHex(t[12]));
        byte[] code = HexFormat.of().parseHex(t[13]);
        vm.load(CODE, code);
        vm.load(CODE + code.length, new byte[] {(byte) 0xF4});
        long[] g = base.gprs();
        g[1] = MEM;
        CpuState s = base.withGprs(g, CODE, 2 | eflags).withFpu(new CpuState.Fpu(fcw, fsw, ftw, 0, 0, 0, 0, 0, st,
                new byte[CpuState.Fpu.XMM_BYTES], 0x1F80));
        vm.cpu.setState(s);
        VcpuExit e = vm.run();
        if (e instanceof VcpuExit.Shutdown) return "fault";
        if (!(e instanceof VcpuExit.Hlt)) return "exit " + e;
        CpuState o = vm.state();
        CpuState.Fpu f = o.fpu();
        int abridged = 0;
        for (int p = 0; p < 8; p++) if (((f.ftw() >> (2 * p)) & 3) != 3) abridged |= 1 << p;
        StringBuilder sb = new StringBuilder(String.format("%04x %04x %02x %03x %04x", f.fcw(), f.fsw(), abridged,
                o.rflags() & 0x8D5, o.rax() & 0xFFFF));
        byte[] so = f.st();
        for (int i = 0; i < 8; i++) {
            sb.append(' ');
            for (int b = 9; b >= 0; b--) sb.append(String.format("%02x", so[10 * i + b]));
        }
        byte[] m = new byte[128];
        for (int b = 0; b < 128; b++) m[b] = vm.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, MEM + b);
        return sb.append(' ').append(HexFormat.of().formatHex(m)).toString();
    }

    // ---- the host side ----

    private static Path compile() throws IOException, InterruptedException {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "host is not x86-64: no x87 oracle");
        Path base = Path.of(System.getProperty("vmscope.basedir", "."));
        Path src = base.resolve("src/test/c/x87exec/x87_exec.c");
        Path out = Files.createTempDirectory("vmscope-x87-exec").resolve("x87_exec");
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", "-O0", "-m64", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: no x87 oracle");
            throw e;
        }
        String msg = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(cc.waitFor(120, TimeUnit.SECONDS), "gcc timed out");
        if (cc.exitValue() != 0) throw new IllegalStateException("gcc failed:\n" + msg);
        return out;
    }

    private static List<String> runHost(Path exe, List<String> lines) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread feeder = Thread.ofPlatform().start(() -> {
            try (Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII)) {
                for (String l : lines) { w.write(l); w.write('\n'); }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<String> out = new ArrayList<>(lines.size());
        try (BufferedReader rd = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String l; (l = rd.readLine()) != null; ) out.add(l);
        }
        feeder.join();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        if (out.size() != lines.size()) throw new IllegalStateException("host answered " + out.size() + " of " + lines.size());
        return out;
    }
}
