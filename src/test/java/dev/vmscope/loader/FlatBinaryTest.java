package dev.vmscope.loader;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.memory.GuestMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlatBinaryTest {
    @TempDir Path dir;

    @Test void copiesTheFileToTheAddress() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 1 << 20);
            byte[] sector = TestImages.filled(512, 0x90);
            Path p = Files.write(dir.resolve("boot.bin"), sector);
            LoadResult r = FlatBinary.load(mem, p, 0x7c00, 0x7c00);
            assertArrayEquals(sector, mem.read(0x7c00, 512));
            assertEquals(0x7c00, r.entry());
            assertEquals(LoadResult.BootProtocol.FLAT, r.protocol());
            assertEquals(0, r.infoAddress());
        }
    }

    @Test void rejectsImagesOutsideRamEmptyFilesAndBadEntries() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 1 << 20);
            Path p = Files.write(dir.resolve("blob.bin"), new byte[4096]);
            assertTrue(assertThrows(LoaderException.class, () -> FlatBinary.load(mem, p, (1 << 20) - 100, (1 << 20) - 100))
                    .getMessage().contains("outside guest RAM"));
            assertTrue(assertThrows(LoaderException.class, () -> FlatBinary.load(mem, p, 0x1000, 0x3000))
                    .getMessage().contains("entry 0x3000 is outside"));
            Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
            assertEquals(empty + ": empty file",
                    assertThrows(LoaderException.class, () -> FlatBinary.load(mem, empty, 0, 0)).getMessage());
        }
    }
}
