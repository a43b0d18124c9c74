package dev.vmscope.guests;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the guests under QEMU/KVM (guests/qemu-run.sh) and compares COM1 output and exit status with
 * src/test/resources/guests: proof that the guests are right, independent of vmscope. Skipped when
 * qemu-system-x86_64, qboot or a usable /dev/kvm is missing.
 */
class QemuGuestsTest {
    record Run(String com1, int status) { }

    static Path script;

    @BeforeAll static void requireQemu() {
        script = Path.of(System.getProperty("vmscope.basedir", ".")).resolve("guests/qemu-run.sh");
        Path kvm = Path.of("/dev/kvm");
        assumeTrue(Files.isReadable(kvm) && Files.isWritable(kvm), "no usable /dev/kvm: QEMU guest tests skipped");
        assumeTrue(Files.isRegularFile(Path.of("/usr/share/qemu/qboot.rom")), "no /usr/share/qemu/qboot.rom: QEMU guest tests skipped");
        boolean qemu = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "qemu-system-x86_64")));
        assumeTrue(qemu, "qemu-system-x86_64 not on PATH: QEMU guest tests skipped");
    }

    static Run run(String elf, String append) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script.toString(), GuestImagesTest.guests().resolve(elf).toString()));
        if (append != null) cmd.add(append);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        // qemu-run.sh bounds QEMU with timeout(1); this only guards against the script itself hanging.
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "qemu-run.sh did not finish");
        return new Run(new String(out, StandardCharsets.ISO_8859_1), p.exitValue());
    }

    static String hostCpuVendor() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
            if (line.startsWith("vendor_id")) return line.substring(line.indexOf(':') + 1).trim();
        return "?";
    }

    @TestFactory Stream<DynamicTest> guestsBehaveAsRecorded() throws IOException {
        Properties expected = new Properties();
        try (InputStream in = QemuGuestsTest.class.getResourceAsStream("/guests/qemu-expected.properties")) {
            expected.load(in);
        }
        String vendor = hostCpuVendor();
        return expected.stringPropertyNames().stream().filter(k -> k.endsWith(".status")).sorted().map(k -> {
            String name = k.substring(0, k.length() - ".status".length());
            return DynamicTest.dynamicTest(name, () -> {
                String com1;
                try (InputStream in = QemuGuestsTest.class.getResourceAsStream("/guests/" + name + ".com1")) {
                    com1 = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).replace("@CPU_VENDOR@", vendor);
                }
                Run r = run(expected.getProperty(name + ".elf", name + ".elf"), expected.getProperty(name + ".append"));
                assertEquals(com1, r.com1(), name + " COM1 output");
                assertEquals(Integer.parseInt(expected.getProperty(k)), r.status(), name + " exit status");
            });
        });
    }

    @Test void benchReportsEveryOperationAndRepeat() throws Exception {
        Run r = run("bench.elf", "iters=500 reps=2");
        assertEquals(1, r.status(), r.com1());
        List<String> lines = r.com1().lines().toList();
        assertEquals("bench iters=500 reps=2", lines.getFirst());
        assertEquals("bench done", lines.getLast());
        Pattern p = Pattern.compile("bench (io|mmio|cpuid) ([12]) (\\d+) (\\d+)");
        List<String> seen = new ArrayList<>();
        for (String line : lines.subList(1, lines.size() - 1)) {
            Matcher m = p.matcher(line);
            assertTrue(m.matches(), line);
            long perOp = Long.parseLong(m.group(3)), total = Long.parseLong(m.group(4));
            assertTrue(perOp > 0, line);
            assertEquals(total / 500, perOp, line);
            seen.add(m.group(1) + m.group(2));
        }
        assertEquals(List.of("io1", "mmio1", "cpuid1", "io2", "mmio2", "cpuid2"), seen);
    }
}
