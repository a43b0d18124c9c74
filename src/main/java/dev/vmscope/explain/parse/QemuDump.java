package dev.vmscope.explain.parse;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a paste says about a VM on KVM: QEMU's x86 register dump (target/i386/cpu-dump.c x86_cpu_dump_state, also
 * "info registers"), the messages around it (see {@link KvmEvent}: "KVM internal error. Suberror: N" / "extra data[i]"
 * from accel/kvm/kvm-all.c, "KVM: entry failed, hardware error 0x..." from target/i386/kvm/kvm.c, the kernel's
 * dump_vmcs / dump_vmcb and MSR warnings, other VMMs' messages), and the vendor with the evidence that settles it.
 *
 * @param extra      values that are not guest registers: "CR0.shadow"/"CR4.shadow" (dump_vmcs read shadows),
 *                   "VMCB.EFER", "VMCB.CR0"... (dump_vmcb's save area)
 * @param truncated  names of registers whose value was cut off by the paste (fewer digits than the line's others)
 * @param evidence   why {@link #vendor} is what it is ("" when unknown)
 */
public record QemuDump(String file, Map<String, Long> registers, String flagsText, List<Segment> segments,
        Integer suberror, List<Long> extraData, Long hardwareError, String code, List<Unparsed> unparsed,
        List<KvmEvent> events, Map<String, Long> extra, Set<String> truncated, Vendor vendor, String evidence)
        implements ParsedDump {

    /**
     * "ES =0000 0000000000000000 0000ffff 00009300 DPL=0 DS   [-WA]". {@code flags} is QEMU's form: descriptor bits
     * 8-23 in place (type 8-11, S 12, DPL 13-14, P 15, AVL 20, L 21, D/B 22, G 23), bit 24 = unusable (VMX AR bit 16).
     */
    public record Segment(String name, int selector, long base, long limit, long flags, String decoded, int line,
            boolean truncated) {
        /** VMX access-rights form (Intel SDM vol. 3C, 25.4.1 table 25-2): type 0-3 ... G 15, unusable 16. */
        public long ar() { return ((flags >>> 8) & 0xf0ff) | ((flags >>> 8) & 0x10000); }

        public static long flagsOfAr(long ar) { return (ar & 0x1f0ff) << 8; }

        public boolean l() { return (flags & 1L << 21) != 0; }

        public boolean db() { return (flags & 1L << 22) != 0; }

        public boolean unusable() { return (flags & 1L << 24) != 0; }
    }

    @Override
    public Format format() { return Format.QEMU_REGS; }

    @Override
    public int recognized() {
        return registers.size() + segments.size() + events.size();
    }

    /** RIP or, in a 32-bit dump, EIP. */
    public Long rip() { return registers.containsKey("RIP") ? registers.get("RIP") : registers.get("EIP"); }

    public Long rflags() {
        for (String k : List.of("RFL", "EFL", "RFLAGS")) if (registers.containsKey(k)) return registers.get(k);
        return null;
    }

    public Segment segment(String name) {
        return segments.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /** Set of the event kinds present, for quick tests. */
    public boolean has(Class<? extends KvmEvent> kind) { return events.stream().anyMatch(kind::isInstance); }

    static Set<String> none() { return Set.of(); }
}
