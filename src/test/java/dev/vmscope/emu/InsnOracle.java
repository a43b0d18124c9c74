package dev.vmscope.emu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host CPU as oracle for general-purpose instruction sequences: compiles src/test/c/oracle/insn_oracle.c
 * with gcc into target/host-oracles once per JVM and keeps one subprocess that runs batches of cases (the binary
 * protocol is described in the C file). Skips the calling test when gcc or an x86-64 Linux host is missing.
 */
final class InsnOracle implements AutoCloseable {
    static final long DATA = 0x10000000L, CODE = 0x20001000L;
    private static final int MAGIC = 0x3143524f;
    private static Path exe;

    /** A case: GPRs in x86 encoding order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15). */
    record Case(long[] gprs, long rflags, byte[] page, byte[] code) {}

    /** The host's answer: the final (or faulting-instruction) state; {@code vector} is -1 when the code ran to its end. */
    record Result(int vector, int signal, long errorCode, long rip, long faultAddress, long[] gprs, long rflags, byte[] page) {}

    private final Process process;
    private final OutputStream in;
    private final DataInputStream out;

    InsnOracle() throws IOException, InterruptedException {
        process = new ProcessBuilder(executable().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        in = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        out = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
    }

    /** Compiles a C file under src/test/c into target/host-oracles (once per JVM and file). */
    static synchronized Path executable() throws IOException, InterruptedException {
        if (exe != null) return exe;
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "host is not x86-64: no instruction oracle");
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "not Linux: no instruction oracle");
        Path base = Path.of(System.getProperty("vmscope.basedir", "."));
        Path src = base.resolve("src/test/c/oracle/insn_oracle.c");
        Path dir = Files.createDirectories(base.resolve("target/host-oracles"));
        Path bin = dir.resolve("insn_oracle");
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", "-O1", "-m64", "-o", bin.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: no instruction oracle");
            throw e;
        }
        String msg = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(cc.waitFor(120, TimeUnit.SECONDS), "gcc timed out");
        if (cc.exitValue() != 0) throw new IllegalStateException("gcc failed:\n" + msg);
        exe = bin;
        return exe;
    }

    /** Runs the cases on the host; one result per case, in order. */
    List<Result> run(List<Case> cases) throws IOException, InterruptedException {
        Thread feeder = Thread.ofPlatform().start(() -> {
            try {
                ByteBuffer b = ByteBuffer.allocate(8 + 17 * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (Case c : cases) {
                    b.clear();
                    b.putInt(MAGIC).putInt(c.code().length);
                    for (long g : c.gprs()) b.putLong(g);
                    b.putLong(c.rflags());
                    in.write(b.array(), 0, b.position());
                    in.write(c.page());
                    in.write(c.code());
                }
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<Result> results = new ArrayList<>(cases.size());
        byte[] head = new byte[8 + 32 + 128 + 8 + 4];
        ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        for (Case c : cases) {
            out.readFully(head);
            h.clear();
            int kind = h.getInt(), signal = h.getInt();
            long trap = h.getLong(), err = h.getLong(), rip = h.getLong(), addr = h.getLong();
            long[] g = new long[16];
            for (int k = 0; k < 16; k++) g[k] = h.getLong();
            long flags = h.getLong();
            int n = h.getInt();
            byte[] diff = new byte[4 * n];
            out.readFully(diff);
            byte[] page = c.page().clone();
            for (int k = 0; k < n; k++) page[(diff[4 * k] & 0xff) | (diff[4 * k + 1] & 0xff) << 8] = diff[4 * k + 2];
            results.add(new Result(kind == 0 ? -1 : (int) trap, signal, err, rip, addr, g, flags, page));
        }
        feeder.join();
        return results;
    }

    @Override public void close() throws IOException, InterruptedException {
        try {
            in.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(-1).array());
            in.close();
        } catch (IOException e) {
            // the process is gone already
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
