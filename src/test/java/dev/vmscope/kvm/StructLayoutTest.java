package dev.vmscope.kvm;

import dev.vmscope.kvm.sys.Ioctls;
import dev.vmscope.kvm.sys.Layouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;


import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Compiles a C program with gcc against the system's linux/kvm.h and checks that every struct size, field
 * offset and ioctl number the Java side uses is the kernel's.
 */
class StructLayoutTest {
    /** Java layout -> C type, with Java field names that differ from the C member path. */
    private record Struct(GroupLayout layout, String c, String prefix, Map<String, String> rename) {}

    private static Map<String, String> events() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : new String[] {"injected", "nr", "has_error_code", "pending", "error_code"}) m.put("exception_" + f, "exception." + f);
        for (String f : new String[] {"injected", "nr", "soft", "shadow"}) m.put("interrupt_" + f, "interrupt." + f);
        for (String f : new String[] {"injected", "pending", "masked", "pad"}) m.put("nmi_" + f, "nmi." + f);
        for (String f : new String[] {"smm", "pending", "smm_inside_nmi", "latched_init"}) m.put("smi_" + f, "smi." + f);
        m.put("triple_fault_pending", "triple_fault.pending");
        return m;
    }

    private static final Struct[] STRUCTS = {
        new Struct(Layouts.USER_MEMORY_REGION, "struct kvm_userspace_memory_region", "", Map.of()),
        new Struct(Layouts.REGS, "struct kvm_regs", "", Map.of()),
        new Struct(Layouts.SEGMENT, "struct kvm_segment", "", Map.of()),
        new Struct(Layouts.DTABLE, "struct kvm_dtable", "", Map.of()),
        new Struct(Layouts.SREGS, "struct kvm_sregs", "", Map.of()),
        new Struct(Layouts.FPU, "struct kvm_fpu", "", Map.of()),
        new Struct(Layouts.MSR_ENTRY, "struct kvm_msr_entry", "", Map.of()),
        new Struct(Layouts.CPUID_ENTRY2, "struct kvm_cpuid_entry2", "", Map.of()),
        new Struct(Layouts.VCPU_EVENTS, "struct kvm_vcpu_events", "", events()),
        new Struct(Layouts.GUEST_DEBUG, "struct kvm_guest_debug", "", Map.of("debugreg", "arch.debugreg")),
        new Struct(Layouts.IRQ_LEVEL, "struct kvm_irq_level", "", Map.of()),
        new Struct(Layouts.PIT_CONFIG, "struct kvm_pit_config", "", Map.of()),
        new Struct(Layouts.ENABLE_CAP, "struct kvm_enable_cap", "", Map.of()),
        new Struct(Layouts.MSR_FILTER_RANGE, "struct kvm_msr_filter_range", "", Map.of()),
        new Struct(Layouts.MSR_FILTER, "struct kvm_msr_filter", "", Map.of()),
        new Struct(Layouts.RUN, "struct kvm_run", "", Map.of("exit", "hw")),
        new Struct(Layouts.EXIT_IO, "struct kvm_run", "io.", Map.of()),
        new Struct(Layouts.EXIT_MMIO, "struct kvm_run", "mmio.", Map.of()),
        new Struct(Layouts.EXIT_DEBUG, "struct kvm_run", "debug.arch.", Map.of()),
        new Struct(Layouts.EXIT_FAIL_ENTRY, "struct kvm_run", "fail_entry.", Map.of()),
        new Struct(Layouts.EXIT_INTERNAL, "struct kvm_run", "internal.", Map.of()),
        new Struct(Layouts.EXIT_EMULATION_FAILURE, "struct kvm_run", "emulation_failure.", Map.of()),
        new Struct(Layouts.EXIT_SYSTEM_EVENT, "struct kvm_run", "system_event.", Map.of()),
        new Struct(Layouts.EXIT_MSR, "struct kvm_run", "msr.", Map.of()),
        new Struct(Layouts.EXIT_EX, "struct kvm_run", "ex.", Map.of()),
        new Struct(Layouts.EXIT_HYPERCALL, "struct kvm_run", "hypercall.", Map.of()),
    };

    @Test
    void layoutsAndIoctlNumbersMatchTheKernelHeaders(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/include/linux/kvm.h")), "linux/kvm.h not installed (linux-libc-dev)");
        Map<String, Long> expected = new TreeMap<>();
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <linux/kvm.h>\n")
                .append("#define P(k, v) printf(\"%s %llu\\n\", k, (unsigned long long)(v))\nint main(void) {\n");
        for (Struct s : STRUCTS) {
            boolean union = !s.prefix().isEmpty();
            if (!union) {
                c.append("P(\"").append(s.c()).append(" size\", sizeof(").append(s.c()).append("));\n");
                expected.put(s.c() + " size", s.layout().byteSize());
            }
            long base = union ? Layouts.RUN_EXIT : 0;
            for (MemoryLayout m : s.layout().memberLayouts()) {
                if (m.name().isEmpty()) continue;
                String jf = m.name().get();
                if (s.layout() == Layouts.EXIT_EMULATION_FAILURE && (jf.equals("suberror") || jf.equals("ndata"))) continue;
                String cf = s.prefix() + s.rename().getOrDefault(jf, jf);
                String key = s.c() + "." + cf;
                c.append("P(\"").append(key).append("\", offsetof(").append(s.c()).append(", ").append(cf).append("));\n");
                expected.put(key, base + s.layout().byteOffset(MemoryLayout.PathElement.groupElement(jf)));
            }
        }
        for (Field f : Ioctls.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != long.class) continue;
            c.append("P(\"").append(f.getName()).append("\", ").append(f.getName()).append(");\n");
            expected.put(f.getName(), f.getLong(null));
        }
        c.append("return 0; }\n");
        Path src = dir.resolve("layouts.c"), exe = dir.resolve("layouts");
        Files.writeString(src, c);
        Process cc = new ProcessBuilder("gcc", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes());
        assumeTrue(cc.waitFor(60, TimeUnit.SECONDS), "gcc timed out");
        assertEquals(0, cc.exitValue(), "gcc failed:\n" + ccOut);
        Process run = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        Map<String, Long> actual = new TreeMap<>();
        for (String line : new String(run.getInputStream().readAllBytes()).split("\n")) {
            int sp = line.lastIndexOf(' ');
            actual.put(line.substring(0, sp), Long.parseUnsignedLong(line.substring(sp + 1)));
        }
        run.waitFor(10, TimeUnit.SECONDS);
        java.util.List<String> diff = new java.util.ArrayList<>();
        for (var e : expected.entrySet())
            if (!e.getValue().equals(actual.get(e.getKey())))
                diff.add(e.getKey() + ": java " + e.getValue() + ", C " + actual.get(e.getKey()));
        assertEquals(java.util.List.of(), diff, "Java layouts differ from <linux/kvm.h>");
    }
}
