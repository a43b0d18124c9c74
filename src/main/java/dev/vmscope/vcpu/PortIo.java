package dev.vmscope.vcpu;

import dev.vmscope.bus.Bus;
import dev.vmscope.hypervisor.VcpuExit;

/**
 * Port I/O for one exit, including string I/O: a {@code rep ins*} or {@code rep outs*} exit carries
 * {@code count} elements of {@code size} bytes in its own buffer; each element is one bus access, in
 * order. Guest registers are never touched here (KVM advances RSI/RDI/RCX itself).
 */
final class PortIo {
    private PortIo() {}

    static byte[] in(Bus pio, int port, int size, int count) {
        byte[] data = new byte[size * count];
        for (int i = 0; i < count; i++) {
            long v = pio.read(port, size);
            for (int b = 0; b < size; b++) data[i * size + b] = (byte) (v >>> (8 * b));
        }
        return data;
    }

    static void out(Bus pio, VcpuExit.IoOut out) {
        for (int i = 0; i < out.count(); i++) pio.write(out.port(), out.size(), out.value(i));
    }
}
