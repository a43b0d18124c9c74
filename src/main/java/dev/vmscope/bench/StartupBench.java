package dev.vmscope.bench;

import dev.vmscope.machine.BuiltinGuests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Start-up and footprint: process start to the guest's first COM1 byte, to process exit, and peak RSS,
 * for `vmscope run` and for `qemu-system-x86_64 -M microvm` booting the same tiny multiboot guest.
 */
public final class StartupBench {
    public record Row(String what, double firstByteMedMs, double exitMedMs, long rssMedKb, int runs) {}

    private StartupBench() {}

    /** How to start this vmscope again: the launcher when we were started by it, else java -jar. */
    public static List<String> selfCommand() {
        String launcher = System.getenv("VMSCOPE_LAUNCHER");
        if (launcher != null) return List.of(launcher);
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = Path.of(System.getProperty("java.class.path").split(":")[0]).toAbsolutePath().toString();
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar);
    }

    public static Row measure(String what, List<String> cmd, int runs) throws IOException, InterruptedException {
        double[] first = new double[runs], exit = new double[runs];
        long[] rss = new long[runs];
        for (int i = 0; i < runs; i++) {
            ProcessProbe.Sample s = ProcessProbe.run(cmd, 120_000);
            first[i] = s.firstByteMs();
            exit[i] = s.exitMs();
            rss[i] = s.peakRssKb();
        }
        Arrays.sort(first);
        Arrays.sort(exit);
        Arrays.sort(rss);
        return new Row(what, first[runs / 2], exit[runs / 2], rss[runs / 2], runs);
    }

    public static List<Row> run(int runs, String qemu) throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        Path hello = BuiltinGuests.extract("hello");
        List<String> self = new ArrayList<>(selfCommand());
        self.addAll(List.of("run", "--no-summary"));
        rows.add(measure("vmscope run (built-in guest)", self, runs));
        List<String> selfHello = new ArrayList<>(selfCommand());
        selfHello.addAll(List.of("run", "--no-summary", "--kernel", hello.toString()));
        rows.add(measure("vmscope run --kernel hello.elf", selfHello, runs));
        if (qemu != null) {
            rows.add(measure("qemu -M microvm -kernel hello.elf", List.of(qemu, "-M", "microvm", "-accel", "kvm", "-m", "128",
                    "-kernel", hello.toString(), "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"), runs));
        }
        return rows;
    }
}
