package dev.vmscope.machine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Guest images built from guests/*.S and shipped inside the jar under /guests/NAME.elf. */
public final class BuiltinGuests {
    private BuiltinGuests() {}

    public static byte[] bytes(String name) {
        try (InputStream in = BuiltinGuests.class.getResourceAsStream("/guests/" + name + ".elf")) {
            if (in == null) throw new IllegalStateException("built-in guest '" + name + "' is missing from the build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the image to a temporary file (for QEMU, which wants a path); deleted on exit. */
    public static Path extract(String name) {
        try {
            Path p = Files.createTempFile("vmscope-" + name + "-", ".elf");
            Files.write(p, bytes(name));
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
