package dev.vmscope.guests;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.arch.x86.E820;
import dev.vmscope.loader.LoadResult;
import dev.vmscope.loader.Multiboot;
import dev.vmscope.memory.GuestMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every built guest is a 32-bit multiboot ELF that vmscope's loader accepts. */
class GuestImagesTest {
    static final List<String> GUESTS = List.of("builtin", "bench", "hello", "rep_insb", "rep_outsw", "triple", "unclaimed", "cmb");

    static Path guests() { return Path.of(System.getProperty("vmscope.guests", "target/classes/guests")); }

    @Test void allGuestsAreBuilt() {
        for (String g : GUESTS) assertTrue(Files.isRegularFile(guests().resolve(g + ".elf")), g + ".elf missing");
    }

    @TestFactory Stream<DynamicTest> eachGuestLoads() throws IOException {
        try (Stream<Path> files = Files.list(guests())) {
            List<Path> elfs = files.filter(p -> p.toString().endsWith(".elf")).sorted().toList();
            return elfs.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
                byte[] head = Files.readAllBytes(p);
                assertEquals(1, head[4], "ELF32, as QEMU's -kernel requires");
                try (Arena arena = Arena.ofConfined()) {
                    GuestMemory mem = GuestMemory.allocate(arena, 64 << 20);
                    LoadResult r = Multiboot.load(mem, p, "iters=10", List.of(), E820.standard(64 << 20));
                    assertTrue(r.entry() >= 0x100000 && r.entry() < 0x200000, "entry 0x" + Long.toHexString(r.entry()));
                    assertEquals(0x1BADB002L, mem.readU32(0x100000), "the multiboot header leads the image");
                    assertTrue(r.symbol("_start").isPresent());
                }
            }));
        }
    }

    @Test void cmbKeepsTheSymbolsTheGdbStubTestNeeds() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 64 << 20);
            LoadResult r = Multiboot.load(mem, guests().resolve("cmb.elf"), "");
            assertTrue(r.symbol("compute").orElseThrow().function());
            LoadResult.Symbol counter = r.symbol("counter").orElseThrow();
            assertFalse(counter.function());
            assertEquals(4, counter.size());
            assertEquals(0, mem.readU32(counter.address()), "counter is in zeroed .bss");
        }
    }
}
