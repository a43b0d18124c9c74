package dev.vmscope.devices;

/**
 * What a device may ask of the machine as a whole (isa-debug-exit, i8042 reset, Bochs shutdown, ACPI
 * PM1 sleep). The machine decides how; devices never stop threads themselves.
 */
public interface VmControl {
    /** Stop the VM; the vmscope process exits with {@code status}. */
    void exit(int status, String why);

    /** Reset the machine (i8042 pulse, ACPI reset, triple fault when configured so). */
    void reset(String why);

    /** Power off (ACPI S5, Bochs shutdown port): the process exits 0. */
    default void powerOff(String why) { exit(0, why); }

    VmControl NONE = new VmControl() {
        public void exit(int status, String why) { }
        public void reset(String why) { }
    };
}
