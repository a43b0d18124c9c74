package dev.vmscope.loader;

import java.nio.file.Path;

/** A kernel, module or binary that cannot be loaded. The message is one line: "FILE: what is wrong". */
public final class LoaderException extends RuntimeException {
    public LoaderException(Path file, String what) {
        super(file + ": " + what);
    }
}
