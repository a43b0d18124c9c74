package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --bios is checked before any VM exists: one error line naming the file and the rule it breaks. */
class RunBiosOptionTest {
    private static final PrintStream NULL = new PrintStream(new ByteArrayOutputStream());

    @Test void imageSizesFollowQemusRule(@TempDir Path dir) throws Exception {
        Path odd = Files.write(dir.resolve("odd.bin"), new byte[1000]);
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        Path huge = dir.resolve("huge.bin");
        try (var f = java.nio.channels.FileChannel.open(huge, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(new byte[1]), (16L << 20) - 1);
        }
        for (Path p : List.of(odd, empty, huge)) {
            CliException e = assertThrows(CliException.class, () -> new Run().parse(List.of("--bios", p.toString()), NULL));
            assertTrue(e.getMessage().startsWith("--bios: " + p + ": a firmware image must be"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        Path ok = Files.write(dir.resolve("ok.bin"), new byte[128 << 10]);
        assertEquals(ok, new Run().parse(List.of("--bios", ok.toString()), NULL).bios());
    }

    @Test void biosAndKernelAreExclusive(@TempDir Path dir) throws Exception {
        Path rom = Files.write(dir.resolve("rom.bin"), new byte[64 << 10]);
        CliException e = assertThrows(CliException.class,
                () -> new Run().parse(List.of("--bios", rom.toString(), "--kernel", rom.toString()), NULL));
        assertTrue(e.getMessage().contains("--bios and --kernel"), e.getMessage());
    }
}
