package dev.vmscope.explain.parse;

import java.util.List;
import java.util.Map;

/**
 * QEMU's x86 register dump (target/i386/cpu-dump.c x86_cpu_dump_state, also "info registers"), optionally with
 * the accel/kvm/kvm-all.c "KVM internal error. Suberror: N" / "extra data[i]" lines or the target/i386/kvm
 * "KVM: entry failed, hardware error 0x..." line before it.
 */
public record QemuDump(String file, Map<String, Long> registers, String flagsText, List<Segment> segments,
        Integer suberror, List<Long> extraData, Long hardwareError, String code, List<Unparsed> unparsed)
        implements ParsedDump {

    /** "ES =0000 0000000000000000 0000ffff 00009300 DPL=0 DS   [-WA]" */
    public record Segment(String name, int selector, long base, long limit, long flags, String decoded, int line) {}

    @Override
    public Format format() { return Format.QEMU_REGS; }

    @Override
    public Vendor vendor() {
        // hardware error = VMX exit reason with bit 31 (VM-entry failure) set: only Intel reports it this way.
        return hardwareError != null ? Vendor.INTEL : Vendor.UNKNOWN;
    }

    @Override
    public int recognized() {
        return registers.size() + segments.size() + (suberror != null ? 1 : 0) + (hardwareError != null ? 1 : 0);
    }
}
