package dev.vmscope.devices.virtio;

import dev.vmscope.virtio.queue.SplitQueue;

/**
 * The common configuration structure of the modern virtio PCI transport (virtio 1.1, 4.1.4.3):
 * <pre>
 *  0 le32 device_feature_select   4 le32 device_feature (RO)   8 le32 driver_feature_select
 * 12 le32 driver_feature         16 le16 msix_config          18 le16 num_queues (RO)
 * 20 u8   device_status          21 u8   config_generation (RO)
 * 22 le16 queue_select           24 le16 queue_size           26 le16 queue_msix_vector
 * 28 le16 queue_enable           30 le16 queue_notify_off (RO)
 * 32 le64 queue_desc             40 le64 queue_driver (avail)  48 le64 queue_device (used)
 * </pre>
 * Registers are decoded by offset; 64-bit fields take 32-bit halves or one 64-bit access. There is no
 * MSI-X, so the vector registers read VIRTIO_MSI_NO_VECTOR (0xffff) and ignore writes (4.1.5.1.2.1).
 * Called under the transport's lock.
 */
final class CommonConfig {
    static final int DEVICE_FEATURE_SELECT = 0, DEVICE_FEATURE = 4, DRIVER_FEATURE_SELECT = 8, DRIVER_FEATURE = 12,
            MSIX_CONFIG = 16, NUM_QUEUES = 18, DEVICE_STATUS = 20, CONFIG_GENERATION = 21, QUEUE_SELECT = 22,
            QUEUE_SIZE = 24, QUEUE_MSIX_VECTOR = 26, QUEUE_ENABLE = 28, QUEUE_NOTIFY_OFF = 30, QUEUE_DESC = 32,
            QUEUE_DRIVER = 40, QUEUE_DEVICE = 48, LENGTH = 56;
    static final int NO_VECTOR = 0xffff;

    private final VirtioPci transport;
    private final long offered;
    private final SplitQueue[] queues;
    private int deviceFeatureSelect, driverFeatureSelect, queueSelect;
    private long driverFeatures;
    private int status;

    CommonConfig(VirtioPci transport, long offered, SplitQueue[] queues) {
        this.transport = transport;
        this.offered = offered;
        this.queues = queues;
    }

    int status() { return status; }

    long driverFeatures() { return driverFeatures; }

    void setNeedsReset() { status |= Virtio.S_DEVICE_NEEDS_RESET; }

    void reset() {
        deviceFeatureSelect = driverFeatureSelect = queueSelect = 0;
        driverFeatures = 0;
        status = 0;
        for (SplitQueue q : queues) q.reset();
    }

    private SplitQueue selected() { return queueSelect < queues.length ? queues[queueSelect] : null; }

    long read(int offset, int size) {
        SplitQueue q = selected();
        return switch (offset) {
            case DEVICE_FEATURE_SELECT -> deviceFeatureSelect;
            case DEVICE_FEATURE -> deviceFeatureSelect < 2 ? offered >>> (32 * deviceFeatureSelect) & 0xffff_ffffL : 0;
            case DRIVER_FEATURE_SELECT -> driverFeatureSelect;
            case DRIVER_FEATURE -> driverFeatureSelect < 2 ? driverFeatures >>> (32 * driverFeatureSelect) & 0xffff_ffffL : 0;
            case MSIX_CONFIG, QUEUE_MSIX_VECTOR -> NO_VECTOR;
            case NUM_QUEUES -> queues.length;
            case DEVICE_STATUS -> status;
            case CONFIG_GENERATION -> 0;   // the configuration never changes while the device runs
            case QUEUE_SELECT -> queueSelect;
            case QUEUE_SIZE -> q == null ? 0 : q.size();
            case QUEUE_ENABLE -> q != null && q.ready() ? 1 : 0;
            case QUEUE_NOTIFY_OFF -> q == null ? 0 : queueSelect;
            case QUEUE_DESC, QUEUE_DRIVER, QUEUE_DEVICE, QUEUE_DESC + 4, QUEUE_DRIVER + 4, QUEUE_DEVICE + 4 -> {
                if (q == null) yield 0;
                long v = switch (offset & ~7) {
                    case QUEUE_DESC -> q.descTable();
                    case QUEUE_DRIVER -> q.availRing();
                    default -> q.usedRing();
                };
                yield (offset & 4) != 0 ? v >>> 32 : v;
            }
            default -> 0;
        };
    }

    void write(int offset, int size, long value) {
        int v32 = (int) value;
        SplitQueue q = selected();
        switch (offset) {
            case DEVICE_FEATURE_SELECT -> deviceFeatureSelect = v32;
            case DRIVER_FEATURE_SELECT -> driverFeatureSelect = v32;
            case DRIVER_FEATURE -> {
                // 3.1.1: features are fixed once FEATURES_OK is set.
                if ((status & Virtio.S_FEATURES_OK) != 0 || driverFeatureSelect > 1) return;
                int shift = 32 * driverFeatureSelect;
                driverFeatures = driverFeatures & ~(0xffff_ffffL << shift) | (Integer.toUnsignedLong(v32) << shift);
            }
            case DEVICE_STATUS -> writeStatus(v32 & 0xff);
            case QUEUE_SELECT -> queueSelect = v32 & 0xffff;
            case QUEUE_SIZE -> { if (q != null) q.setSize(v32 & 0xffff); }
            case QUEUE_ENABLE -> { if (q != null && (v32 & 0xffff) == 1 && !q.ready()) transport.enableQueue(queueSelect); }
            case QUEUE_DESC, QUEUE_DRIVER, QUEUE_DEVICE, QUEUE_DESC + 4, QUEUE_DRIVER + 4, QUEUE_DEVICE + 4 -> {
                if (q != null) writeAddress(q, offset, size, value);
            }
            default -> { } // read-only or unknown: ignored
        }
    }

    private static void writeAddress(SplitQueue q, int offset, int size, long value) {
        int base = offset & ~7;
        long old = switch (base) {
            case QUEUE_DESC -> q.descTable();
            case QUEUE_DRIVER -> q.availRing();
            default -> q.usedRing();
        };
        long v;
        if (size == 8 && (offset & 4) == 0) v = value;
        else if ((offset & 4) != 0) v = old & 0xffff_ffffL | value << 32;
        else v = old & ~0xffff_ffffL | value & 0xffff_ffffL;
        switch (base) {
            case QUEUE_DESC -> q.setDescTable(v);
            case QUEUE_DRIVER -> q.setAvailRing(v);
            default -> q.setUsedRing(v);
        }
    }

    /**
     * The status state machine (2.1, 3.1.1): 0 resets; FEATURES_OK stays set only when the driver's features
     * are a subset of the offer and include VERSION_1 (a modern-only device); DRIVER_OK activates.
     */
    private void writeStatus(int value) {
        if (value == 0) {
            transport.resetDevice();
            return;
        }
        int old = status;
        int next = value | (old & Virtio.S_DEVICE_NEEDS_RESET);
        if ((next & Virtio.S_FEATURES_OK) != 0 && (old & Virtio.S_FEATURES_OK) == 0
                && ((driverFeatures & ~offered) != 0 || !Virtio.has(driverFeatures, Virtio.F_VERSION_1)))
            next &= ~Virtio.S_FEATURES_OK;
        status = next;
        if ((next & Virtio.S_DRIVER_OK) != 0 && (old & Virtio.S_DRIVER_OK) == 0) transport.driverOk();
    }
}
