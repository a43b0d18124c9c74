package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.airlift.compress.zstd.ZstdOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: "zcat trace.gz | vmscope stats -" and "vmscope stats trace.gz" give identical reports (and xz, zstd). */
class CompressedTraceTest {
    interface Wrap { OutputStream wrap(OutputStream o) throws IOException; }

    private static byte[] compress(byte[] b, Wrap w) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (OutputStream z = w.wrap(o)) { z.write(b); }
        return o.toByteArray();
    }

    @Test
    void compressedFileAndPipedTextGiveTheSameReport(@TempDir Path dir) throws IOException {
        byte[] trace = Files.readAllBytes(Cli.sample("perf-script-amd.txt"));
        for (String ext : new String[] {"gz", "xz", "zst"}) {
            Wrap w = switch (ext) {
                case "gz" -> GZIPOutputStream::new;
                case "xz" -> o -> new XZOutputStream(o, new LZMA2Options());
                default -> ZstdOutputStream::new;
            };
            Path f = Files.write(dir.resolve("trace." + ext), compress(trace, w));
            for (boolean json : new boolean[] {false, true}) {
                Cli.Out file = json ? Cli.run("stats", "--json", f.toString()) : Cli.run("stats", f.toString());
                Cli.Out pipe = json ? Cli.run(new ByteArrayInputStream(trace), "stats", "--json", "--name", f.toString(), "-")
                        : Cli.run(new ByteArrayInputStream(trace), "stats", "--name", f.toString(), "-");
                assertEquals(0, file.status(), file.err());
                assertEquals(file.status(), pipe.status());
                assertEquals(file.out(), pipe.out(), ext + (json ? " --json" : ""));
            }
        }
    }
}
