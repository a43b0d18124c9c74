package dev.vmscope.devices.legacy;

import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.GuestMemoryException;
import java.nio.ByteBuffer;

/**
 * The fw_cfg DMA engine (QEMU hw/nvram/fw_cfg.c, fw_cfg_dma_transfer; layout in qemu_fw_cfg.h). The guest
 * writes the guest-physical address of a FWCfgDmaAccess {be32 control, be32 length, be64 address}; the
 * transfer runs synchronously and finishes by storing the new control word (0, or the error bit) back
 * into the descriptor. Every guest address goes through {@link GuestMemory}: an access outside RAM sets
 * the error bit and ends the transfer, it never throws. Each loop step consumes at least one byte of the
 * (32-bit) length or ends the transfer, so a hostile descriptor cannot hang it.
 */
final class FwCfgDma {
    // FWCfgDmaAccess control bits (qemu_fw_cfg.h, FW_CFG_DMA_CTL_*).
    static final int CTL_ERROR = 0x01, CTL_READ = 0x02, CTL_SKIP = 0x04, CTL_SELECT = 0x08, CTL_WRITE = 0x10;
    static final int DESCRIPTOR_BYTES = 16;

    private final FwCfg cfg;
    private final GuestMemory memory;
    private long errors;

    FwCfgDma(FwCfg cfg, GuestMemory memory) {
        this.cfg = cfg;
        this.memory = memory;
    }

    long errors() { return errors; }

    /** Runs the transfer described at {@code descriptor}. Called with the FwCfg lock held. */
    void run(long descriptor) {
        int control;
        long length, address;
        try {
            ByteBuffer d = ByteBuffer.wrap(memory.read(descriptor, DESCRIPTOR_BYTES)); // big-endian
            control = d.getInt();
            length = Integer.toUnsignedLong(d.getInt());
            address = d.getLong();
        } catch (GuestMemoryException e) {
            complete(descriptor, CTL_ERROR);
            return;
        }
        if ((control & CTL_SELECT) != 0) cfg.select(control >>> 16);
        // READ wins over WRITE, WRITE over SKIP; none of them means an empty transfer (QEMU order).
        boolean read = (control & CTL_READ) != 0;
        boolean write = !read && (control & CTL_WRITE) != 0;
        boolean skip = !read && !write && (control & CTL_SKIP) != 0;
        if (!read && !write && !skip) length = 0;

        int result = 0;
        while (length > 0 && result == 0) {
            byte[] item = cfg.currentItem();
            int off = cfg.offset();
            long n;
            try {
                if (item == null || off >= item.length) {
                    n = length; // nothing (left) to read: reads fill zeros
                    if (read) memory.fill(address, n, (byte) 0);
                } else {
                    n = Math.min(length, item.length - off);
                    if (read) memory.write(address, item, off, (int) n);
                    cfg.advance((int) n);
                }
                // No item accepts guest writes (QEMU allows them only for items added writable).
                if (write) result = CTL_ERROR;
            } catch (GuestMemoryException e) {
                result = CTL_ERROR;
                n = length;
            }
            address += n;
            length -= n;
        }
        complete(descriptor, result);
    }

    private void complete(long descriptor, int control) {
        if ((control & CTL_ERROR) != 0) errors++;
        try {
            memory.writeU32(descriptor, Integer.reverseBytes(control)); // be32 control
        } catch (GuestMemoryException e) {
            // The descriptor itself is not in RAM: nowhere to report to.
        }
    }
}
