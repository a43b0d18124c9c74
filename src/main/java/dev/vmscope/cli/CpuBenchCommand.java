package dev.vmscope.cli;

import dev.vmscope.bench.BochsEngine;
import dev.vmscope.bench.CpuBench;
import dev.vmscope.bench.CpuBenchImage;
import dev.vmscope.bench.CpuBenchTable;
import dev.vmscope.bench.CpuEngine;
import dev.vmscope.bench.EmuEngine;
import dev.vmscope.bench.QemuEngine;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code vmscope bench --accel emu}: the software-CPU benchmark (dev.vmscope.bench.CpuBench) and its table. */
final class CpuBenchCommand {
    static final Path SEABIOS = Path.of("/usr/share/seabios/bios.bin");

    private CpuBenchCommand() {}

    static int run(Integer iters, int rounds, PrintStream out, PrintStream err) throws Exception {
        Path bios = Files.isReadable(SEABIOS) ? SEABIOS : null;
        if (bios == null) err.println("vmscope: note: " + SEABIOS + " is missing (Debian: apt-get install seabios); SeaBIOS times not measured");
        List<CpuEngine> engines = List.of(EmuEngine.self(), QemuEngine.find(), BochsEngine.find());
        for (CpuEngine e : engines)
            if (e.missing() != null) err.println("vmscope: note: skipping " + e.name() + ": " + e.missing());
        CpuBench.Options o = new CpuBench.Options(rounds, iters == null ? 0 : iters, 1.0, bios);
        CpuBenchImage image = CpuBenchImage.builtin();
        List<CpuBench.Row> rows = CpuBench.run(engines, image, o, err);
        boolean complete = CpuBenchTable.print(rows, image, o, out);
        if (!complete) throw new CliException("some benchmark runs failed (see FAILED above)", 6);
        return 0;
    }
}
