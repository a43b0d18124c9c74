package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.virtio.Drive;
import dev.vmscope.loader.LinuxEntry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --drive in QEMU's spellings and --linux-entry; a bad drive is one line before any VM exists. */
class RunDriveOptionTest {
    private static final PrintStream NULL = new PrintStream(new ByteArrayOutputStream());

    @Test void drivesInBothSpellingsAndTheLinuxEntry() {
        var cfg = new Run().parse(List.of("-drive", "file=a.img,format=raw,if=virtio", "--drive=file=b.img,readonly=on",
                "--linux-entry", "vmlinux"), NULL);
        assertEquals(List.of(new Drive(Path.of("a.img"), false), new Drive(Path.of("b.img"), true)), cfg.drives());
        assertEquals(LinuxEntry.VMLINUX, cfg.linuxEntry());
        assertEquals(LinuxEntry.BOOT32, new Run().parse(List.of(), NULL).linuxEntry(), "the 32-bit entry stays the default");
        CliException e = assertThrows(CliException.class, () -> new Run().parse(List.of("--drive", "file=a,if=ide"), NULL));
        assertTrue(e.getMessage().contains("if=ide is not supported"), e.getMessage());
        assertThrows(CliException.class, () -> new Run().parse(List.of("--linux-entry", "16"), NULL));
    }

    @Test void badImagesAreOneLineBeforeAnyBackend(@TempDir Path dir) throws Exception {
        RunCliTest.oneLine(RunCliTest.run("run", "--drive", "file=" + dir.resolve("none.img") + ",format=raw,if=virtio"),
                "none.img: no such file");
        Path small = Files.write(dir.resolve("small.img"), new byte[10]);
        RunCliTest.oneLine(RunCliTest.run("run", "-drive", "file=" + small), "less than one 512-byte sector");
    }
}
