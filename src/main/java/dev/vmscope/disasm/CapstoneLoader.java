package dev.vmscope.disasm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Loads libcapstone.so.4 (Debian libcapstone4) through FFM, once. Any failure is remembered as a reason
 * string; nothing here throws.
 */
final class CapstoneLoader {
    private CapstoneLoader() {}

    /** Where Debian/Ubuntu and other common layouts put the library; the bare soname goes through dlopen. */
    private static final List<String> CANDIDATES = List.of(
            "libcapstone.so.4",
            "/usr/lib/x86_64-linux-gnu/libcapstone.so.4",
            "/usr/lib64/libcapstone.so.4",
            "/usr/lib/libcapstone.so.4",
            "/usr/local/lib/libcapstone.so.4");

    private static final class Holder {
        static final Optional<Disassembler> INSTANCE;
        static final String REASON;

        static {
            String[] why = {"not loaded"};
            Optional<Disassembler> d;
            try {
                d = tryLoad(why);
            } catch (Throwable t) { // UnsatisfiedLinkError, IllegalCallerException (native access denied), ...
                d = Optional.empty();
                why[0] = "cannot bind libcapstone: " + t;
            }
            INSTANCE = d;
            REASON = d.isPresent() ? "" : why[0];
        }
    }

    static Optional<Disassembler> load() { return Holder.INSTANCE; }

    static String reason() { return Holder.REASON; }

    private static Optional<Disassembler> tryLoad(String[] why) throws Throwable {
        SymbolLookup lib = null;
        String tried = "";
        for (String c : CANDIDATES) {
            if (c.startsWith("/") && !Files.exists(Path.of(c))) continue;
            try {
                lib = SymbolLookup.libraryLookup(c, Arena.global());
                break;
            } catch (IllegalArgumentException e) {
                tried += (tried.isEmpty() ? "" : ", ") + c;
            }
        }
        if (lib == null) {
            why[0] = "libcapstone.so.4 not found (tried " + tried + "); install Debian package libcapstone4";
            return Optional.empty();
        }
        Linker linker = Linker.nativeLinker();
        MethodHandle version = linker.downcallHandle(find(lib, "cs_version"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(ValueLayout.JAVA_INT), minor = a.allocate(ValueLayout.JAVA_INT);
            int unused = (int) version.invokeExact(major, minor);
            int maj = major.get(ValueLayout.JAVA_INT, 0);
            if (maj != 4) {
                why[0] = "libcapstone reports version " + maj + "." + minor.get(ValueLayout.JAVA_INT, 0)
                        + "; only the capstone 4 cs_insn layout is supported";
                return Optional.empty();
            }
        }
        return Optional.of(new CapstoneDisassembler(
                linker.downcallHandle(find(lib, "cs_open"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS)),
                linker.downcallHandle(find(lib, "cs_disasm"), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.ADDRESS)),
                linker.downcallHandle(find(lib, "cs_free"), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
                linker.downcallHandle(find(lib, "cs_close"), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS))));
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " missing from libcapstone"));
    }
}
