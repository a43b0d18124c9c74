package dev.vmscope.machine;

import dev.vmscope.devices.legacy.Serial16550;

import java.io.IOException;
import java.io.InputStream;

/**
 * Feeds the host's stdin (a terminal or a pipe, as QEMU's {@code -serial stdio}) to COM1. A daemon thread, so it never keeps the
 * process alive; bytes wait while the UART's receive FIFO is full instead of being dropped.
 */
final class ConsoleInput {
    private ConsoleInput() {}

    static void start(InputStream in, Serial16550 uart) {
        Thread.ofPlatform().name("stdin-com1").daemon(true).start(() -> pump(in, uart));
    }

    private static void pump(InputStream in, Serial16550 uart) {
        byte[] buf = new byte[256];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                int off = 0;
                while (off < n) {
                    byte[] part = java.util.Arrays.copyOfRange(buf, off, n);
                    int took = uart.enqueueInput(part);
                    off += took;
                    if (took == 0) Thread.sleep(1);
                }
            }
        } catch (IOException | InterruptedException e) {
            // stdin closed or the VM is going away: nothing more to feed
        }
    }
}
