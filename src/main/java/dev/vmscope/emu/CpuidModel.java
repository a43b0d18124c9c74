package dev.vmscope.emu;

import dev.vmscope.hypervisor.VirtualMachine.CpuidSpec;

/**
 * What CPUID reports: exactly the features this CPU implements (Intel SDM Vol. 2A CPUID tables 3-8..3-20).
 * Vendor "GenuineIntel" so firmware and kernels take their Intel paths (SYSCALL only in 64-bit mode, as
 * implemented); the hypervisor leaf 0x40000000 names the emulator ("VmscopeEmuCP").
 */
final class CpuidModel {
    // Leaf 1 EDX: FPU 0, PSE 3, TSC 4, MSR 5, PAE 6, CX8 8, APIC 9, SEP 11, MTRR 12, PGE 13, CMOV 15, PAT 16, PSE36 17,
    // CLFSH 19, MMX 23, FXSR 24, SSE 25, SSE2 26.
    static final int LEAF1_EDX = 1 << 0 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 8 | 1 << 9 | 1 << 11 | 1 << 12 | 1 << 13
            | 1 << 15 | 1 << 16 | 1 << 17 | 1 << 19 | 1 << 23 | 1 << 24 | 1 << 25 | 1 << 26;
    // Leaf 1 ECX: CMPXCHG16B 13, POPCNT 23, hypervisor 31; x2APIC 21 and TSC-deadline 24 per CpuidSpec.
    static final int LEAF1_ECX = 1 << 13 | 1 << 23 | 1 << 31;
    // Leaf 0x80000001 EDX: SYSCALL 11, NX 20, 1-GByte pages 26, RDTSCP 27, LM 29; ECX: LAHF/SAHF in 64-bit mode 0.
    static final int EXT_EDX = 1 << 11 | 1 << 20 | 1 << 26 | 1 << 27 | 1 << 29;
    private static final String BRAND = "vmscope software x86 CPU";

    private final int apicId;
    private final CpuidSpec spec;

    CpuidModel(int apicId, CpuidSpec spec) {
        this.apicId = apicId;
        this.spec = spec;
    }

    /** {eax, ebx, ecx, edx} for leaf {@code eax}, subleaf {@code ecx}. */
    int[] query(int eax, int ecx) {
        int n = Math.max(1, spec.vcpuCount());
        int shift = 32 - Integer.numberOfLeadingZeros(n - 1);
        return switch (eax) {
            case 0 -> new int[] {0xb, str("Genu"), str("ntel"), str("ineI")};
            case 1 -> new int[] {0x000006f1, 8 << 8 | Math.min(n, 255) << 16 | (apicId & 0xff) << 24,
                    LEAF1_ECX | (spec.x2apic() ? 1 << 21 : 0) | (spec.tscDeadline() ? 1 << 24 : 0),
                    LEAF1_EDX | (n > 1 ? 1 << 28 : 0)};
            case 0xb -> switch (ecx) {
                case 0 -> new int[] {0, 1, 0x100, apicId};
                case 1 -> new int[] {shift, n, 0x201, apicId};
                default -> new int[] {0, 0, ecx & 0xff, apicId};
            };
            case 0x40000000 -> new int[] {0x40000000, str("Vmsc"), str("opeE"), str("muCP")};
            case 0x80000000 -> new int[] {0x80000008, 0, 0, 0};
            case 0x80000001 -> new int[] {0, 0, 1, EXT_EDX};
            case 0x80000002, 0x80000003, 0x80000004 -> brand(eax - 0x80000002);
            case 0x80000008 -> new int[] {0x3028, 0, 0, 0};   // 40 physical, 48 linear address bits
            default -> new int[4];   // leaves 2-0xa (caches, power, extended features): nothing advertised
        };
    }

    private static int str(String s) {
        return s.charAt(0) | s.charAt(1) << 8 | s.charAt(2) << 16 | s.charAt(3) << 24;
    }

    private static int[] brand(int part) {
        int[] v = new int[4];
        for (int k = 0; k < 16; k++) {
            int idx = part * 16 + k;
            int c = idx < BRAND.length() ? BRAND.charAt(idx) : 0;
            v[k / 4] |= c << (8 * (k % 4));
        }
        return v;
    }
}
