package dev.vmscope.devices.virtio;

/** Transport-independent virtio numbers (virtio 1.1). */
public final class Virtio {
    private Virtio() {}

    // Device status field (2.1).
    public static final int S_ACKNOWLEDGE = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8,
            S_DEVICE_NEEDS_RESET = 64, S_FAILED = 128;

    // Reserved feature bits (6 "Reserved Feature Bits").
    public static final int F_RING_INDIRECT_DESC = 28, F_RING_EVENT_IDX = 29, F_VERSION_1 = 32;

    // Device IDs (5 "Device Types").
    public static final int ID_BLOCK = 2;

    public static long bit(int feature) { return 1L << feature; }

    public static boolean has(long features, int feature) { return (features & bit(feature)) != 0; }
}
