package dev.vmscope.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Output paths checked before any work starts, so a typo costs no guest run and no result is lost. */
final class OutputPaths {
    private OutputPaths() {}

    /** A file to be written: its directory must exist and be writable; it must not be a directory. */
    static Path file(String opt, String v) {
        Path p = path(opt, v);
        if (Files.isDirectory(p)) throw new CliException(opt + ": " + v + ": is a directory");
        Path dir = p.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new CliException(opt + ": " + v + ": no such directory: " + dir);
        if (!Files.isWritable(dir) && !Files.isWritable(p)) throw new CliException(opt + ": " + v + ": permission denied");
        return p;
    }

    static Path directory(String opt, String v) {
        Path p = path(opt, v);
        if (!Files.isDirectory(p)) throw new CliException(opt + ": " + v + ": no such directory");
        if (!Files.isWritable(p)) throw new CliException(opt + ": " + v + ": permission denied");
        return p;
    }

    static Path path(String opt, String v) {
        if (v.isEmpty()) throw new CliException(opt + " needs a file name");
        try {
            return Path.of(v);
        } catch (InvalidPathException e) {
            throw new CliException(opt + ": " + v + ": not a valid file name here (" + e.getReason() + ")");
        }
    }
}
