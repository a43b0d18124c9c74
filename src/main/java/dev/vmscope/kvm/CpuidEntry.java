package dev.vmscope.kvm;

/** One CPUID leaf/subleaf (struct kvm_cpuid_entry2). flags bit 0 = KVM_CPUID_FLAG_SIGNIFCANT_INDEX. */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    public CpuidEntry withRegs(int eax, int ebx, int ecx, int edx) {
        return new CpuidEntry(function, index, flags, eax, ebx, ecx, edx);
    }
}
