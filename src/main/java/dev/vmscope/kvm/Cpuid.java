package dev.vmscope.kvm;

import dev.vmscope.kvm.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes struct kvm_cpuid2 buffers. */
final class Cpuid {
    private Cpuid() {}

    private static final long ESZ = Layouts.CPUID_ENTRY2.byteSize();

    static List<CpuidEntry> read(MemorySegment buf) {
        int n = buf.get(ValueLayout.JAVA_INT, 0);
        List<CpuidEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long o = 8 + i * ESZ;
            out.add(new CpuidEntry(buf.get(ValueLayout.JAVA_INT, o), buf.get(ValueLayout.JAVA_INT, o + 4),
                    buf.get(ValueLayout.JAVA_INT, o + 8), buf.get(ValueLayout.JAVA_INT, o + 12),
                    buf.get(ValueLayout.JAVA_INT, o + 16), buf.get(ValueLayout.JAVA_INT, o + 20),
                    buf.get(ValueLayout.JAVA_INT, o + 24)));
        }
        return out;
    }

    static MemorySegment write(Arena a, List<CpuidEntry> entries) {
        MemorySegment buf = a.allocate(8 + entries.size() * ESZ, 8);
        buf.set(ValueLayout.JAVA_INT, 0, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry e = entries.get(i);
            long o = 8 + i * ESZ;
            buf.set(ValueLayout.JAVA_INT, o, e.function());
            buf.set(ValueLayout.JAVA_INT, o + 4, e.index());
            buf.set(ValueLayout.JAVA_INT, o + 8, e.flags());
            buf.set(ValueLayout.JAVA_INT, o + 12, e.eax());
            buf.set(ValueLayout.JAVA_INT, o + 16, e.ebx());
            buf.set(ValueLayout.JAVA_INT, o + 20, e.ecx());
            buf.set(ValueLayout.JAVA_INT, o + 24, e.edx());
        }
        return buf;
    }
}
