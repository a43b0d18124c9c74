package dev.vmscope.kvm;


import java.util.ArrayList;
import java.util.List;

/**
 * Per-vCPU CPUID from KVM_GET_SUPPORTED_CPUID: APIC IDs and topology made consistent with the MADT and
 * MP table (APIC ID = vCPU index). Leaf layouts: Intel SDM vol. 2A, CPUID instruction.
 */
final class CpuidSetup {
    private CpuidSetup() {}

    /** CPUID.01H:ECX bits 21 (x2APIC) and 24 (TSC-deadline timer), SDM vol. 2A table 3-10. */
    static final int ECX_X2APIC = 1 << 21, ECX_TSC_DEADLINE = 1 << 24;

    static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int vcpu, int count) {
        return forVcpu(supported, vcpu, count, 0);
    }

    /** @param hideEcx1 CPUID.01H:ECX bits to clear: features the interrupt controller in use cannot serve */
    static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int vcpu, int count, int hideEcx1) {
        List<CpuidEntry> out = new ArrayList<>(supported.size());
        for (CpuidEntry e : supported) {
            switch (e.function()) {
                case 1 -> {
                    // EBX[31:24] initial APIC ID, EBX[23:16] max addressable logical IDs; EDX[28] HTT.
                    int ebx = (e.ebx() & 0x0000ffff) | (vcpu << 24) | (Math.min(255, count) << 16);
                    int edx = count > 1 ? e.edx() | (1 << 28) : e.edx();
                    out.add(e.withRegs(e.eax(), ebx, e.ecx() & ~hideEcx1, edx));
                }
                case 0xb, 0x1f -> {
                    // Extended topology: EDX = x2APIC ID; one core per package per vCPU (SMT level 1, core level count).
                    int level = e.index();
                    int eax, ebx, ecx;
                    if (level == 0) { eax = 0; ebx = 1; ecx = (1 << 8) | level; }
                    else if (level == 1) { eax = bitsFor(count); ebx = count; ecx = (2 << 8) | level; }
                    else { eax = 0; ebx = 0; ecx = level; }
                    out.add(e.withRegs(eax, ebx, ecx, vcpu));
                }
                case 4 -> {
                    // EAX[31:26] = cores per package - 1.
                    int eax = (e.eax() & 0x03ffffff) | ((Math.max(1, count) - 1) << 26);
                    out.add(e.withRegs(eax, e.ebx(), e.ecx(), e.edx()));
                }
                default -> out.add(e);
            }
        }
        return out;
    }

    private static int bitsFor(int n) { return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1); }
}
