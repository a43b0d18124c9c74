package dev.vmscope.loader;

import dev.vmscope.memory.GuestMemory;
import java.nio.file.Path;
import java.util.List;

/** A raw image copied byte for byte to a chosen guest-physical address (a boot sector, a test blob). */
public final class FlatBinary {
    private FlatBinary() { }

    /**
     * Copies {@code file} to {@code address}; {@code entry} must lie inside the image. The CPU mode is the
     * caller's choice (e.g. {@code BootState.real(0, 0x7c00)} for a boot sector at 0x7c00).
     */
    public static LoadResult load(GuestMemory memory, Path file, long address, long entry) {
        KernelFile image = KernelFile.read(file);
        if (image.size() == 0) throw image.error("empty file");
        Placement placement = new Placement(memory);
        placement.claim(file, address, image.size(), "the image");
        if (entry < address || entry >= address + image.size())
            throw image.error(String.format("entry 0x%x is outside the loaded image [0x%x, 0x%x)", entry, address,
                    address + image.size()));
        memory.write(address, image.bytes);
        return new LoadResult(entry, 0, LoadResult.BootProtocol.FLAT, placement.regions(), List.of());
    }
}
