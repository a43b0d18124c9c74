package dev.vmscope.explain.parse;

import java.util.List;
import java.util.Optional;

/**
 * bhyvectl output: --get-all (registers, descriptors, VMCB/VMCS fields, memory map, cpu sets, intinfo,
 * statistics) or just --get-stats. Record shapes follow the printf formats in usr.sbin/bhyvectl/bhyvectl.c and
 * usr.sbin/bhyvectl/amd64/bhyvectl_machdep.c.
 */
public record BhyvectlDump(String file, Format format, Vendor vendor, List<Field> fields, List<MemMapping> memmap,
        List<MemSeg> memsegs, List<CpuSet> cpuSets, List<Capability> capabilities, List<IntInfo> intinfo,
        List<VmStat> stats, List<BhyveExitDump.Exit> exits, List<Unparsed> unparsed) implements ParsedDump {

    /** "%-12lX%-12s%-12s%-12lX%c%c%c   flags" row of show_memmap(); lengths are humanize_number() text. */
    public record MemMapping(long gpa, String length, long lengthBytes, String segment, long offset, String prot,
            String flags, int line) {}

    /** "%-4d%-12s%s" row of show_memseg(). */
    public record MemSeg(int id, String length, long lengthBytes, String name, int line) {}

    /** print_cpus(): "active cpus:", "suspended cpus:", "debug cpus:". */
    public record CpuSet(String name, List<Integer> cpus, int line) {}

    /** 'Capability "name" is set on vcpu N' / 'is not set' / 'is not available'. */
    public record Capability(String name, String state, int line) {}

    /** print_intinfo(): "pending:" (EXITINTINFO) or "current:" (exception bhyve queued). */
    public record IntInfo(String which, boolean valid, String type, int vector, Long errcode, int line) {}

    /** One vm_stat line "%-40s\t%ld" under "vcpuN stats:" (vcpu -1 when the header was not pasted). */
    public record VmStat(int vcpu, String name, long value, int line) {}

    public Optional<Field> field(String name) {
        for (Field f : fields) if (f.name().equals(name)) return Optional.of(f);
        return Optional.empty();
    }

    public Optional<CpuSet> cpuSet(String name) {
        for (CpuSet c : cpuSets) if (c.name().equals(name)) return Optional.of(c);
        return Optional.empty();
    }

    @Override
    public int recognized() {
        return fields.size() + memmap.size() + memsegs.size() + cpuSets.size() + capabilities.size() + intinfo.size()
                + stats.size() + exits.size();
    }
}
