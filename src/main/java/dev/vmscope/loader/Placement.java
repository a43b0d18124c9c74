package dev.vmscope.loader;

import dev.vmscope.memory.GuestMemory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Claims guest-physical ranges for one load: each must lie wholly in guest RAM and must not overlap a
 * range claimed before, otherwise the load fails with a message naming the file and both ranges.
 */
final class Placement {
    private final GuestMemory memory;
    private final List<LoadResult.Region> regions = new ArrayList<>();

    Placement(GuestMemory memory) { this.memory = memory; }

    /** Claims [gpa, gpa+size) for {@code what} from {@code file}. Zero-sized ranges are recorded but not checked. */
    LoadResult.Region claim(Path file, long gpa, long size, String what) {
        if (size < 0 || gpa < 0 || gpa + size < gpa)
            throw new LoaderException(file, what + " has an impossible range " + hex(gpa) + "+" + hex(size));
        if (size > 0 && !memory.isRam(gpa, size))
            throw new LoaderException(file, what + " at " + range(gpa, size) + " is outside guest RAM");
        for (LoadResult.Region r : regions) {
            if (size > 0 && r.size() > 0 && r.overlaps(gpa, size))
                throw new LoaderException(file, what + " at " + range(gpa, size) + " overlaps " + r.what()
                        + " at " + range(r.gpa(), r.size()));
        }
        LoadResult.Region region = new LoadResult.Region(gpa, size, what);
        regions.add(region);
        return region;
    }

    /** The highest end address claimed so far (0 if nothing). */
    long end() { return regions.stream().mapToLong(LoadResult.Region::end).max().orElse(0); }

    List<LoadResult.Region> regions() { return List.copyOf(regions); }

    static String hex(long v) { return "0x" + Long.toHexString(v); }

    static String range(long gpa, long size) { return "[" + hex(gpa) + ", " + hex(gpa + size) + ")"; }
}
