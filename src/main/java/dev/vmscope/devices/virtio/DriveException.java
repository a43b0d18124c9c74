package dev.vmscope.devices.virtio;

import java.nio.file.Path;

/** A drive that cannot be used. The message is one line: "FILE: what is wrong". */
public final class DriveException extends RuntimeException {
    public DriveException(Path file, String what) { super(file + ": " + what, null, false, false); }

    public DriveException(String what) { super(what, null, false, false); }
}
