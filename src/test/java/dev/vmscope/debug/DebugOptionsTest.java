package dev.vmscope.debug;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebugOptionsTest {
    @Test
    void extractsDebugOptionsAndLeavesTheRest() {
        List<String> args = new ArrayList<>(List.of("--memory", "64M", "--gdb", "1234", "--gdb-wait", "--dump-core=vm.core",
                "--crash-dir", "/tmp/c", "guest.elf"));
        DebugOptions o = DebugOptions.extract(args);
        assertEquals(List.of("--memory", "64M", "guest.elf"), args);
        assertEquals("127.0.0.1", o.gdb().getAddress().getHostAddress());
        assertEquals(1234, o.gdb().getPort());
        assertTrue(o.gdbWait());
        assertEquals(Path.of("vm.core"), o.dumpCore());
        assertEquals(Path.of("/tmp/c"), o.crashDir());
    }

    @Test
    void badOptionsAreOneLineErrors() {
        assertEquals("--gdb-wait needs --gdb [HOST:]PORT",
                assertThrows(IllegalArgumentException.class, () -> DebugOptions.extract(new ArrayList<>(List.of("--gdb-wait")))).getMessage());
        assertEquals("--gdb needs a value", assertThrows(IllegalArgumentException.class, () -> DebugOptions.extract(new ArrayList<>(List.of("--gdb")))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DebugOptions.extract(new ArrayList<>(List.of("--gdb", "host:99999"))))
                .getMessage().contains("out of range"));
        assertEquals(DebugOptions.NONE, DebugOptions.extract(new ArrayList<>(List.of("x"))));
    }
}
