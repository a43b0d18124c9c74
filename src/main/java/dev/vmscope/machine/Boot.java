package dev.vmscope.machine;

/** Loads the kernel (or firmware) and decides the boot CPU's state. */
final class Boot {
    private Boot() {}

    static BootPlan prepare(Machine m, PcDevices devices) {
        throw new UnsupportedOperationException("boot is wired once the loaders land");
    }
}
