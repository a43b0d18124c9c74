package dev.vmscope.facts;

/** Citation strings shared by the tables (manual editions: AMD APM 24593 rev 3.42, Intel SDM Dec 2023). */
public final class Sources {
    private Sources() {}

    public static final String APM_EXITCODES = "AMD64 APM vol. 2, appendix C \"SVM Intercept Exit Codes\"";
    public static final String APM_VMCB = "AMD64 APM vol. 2, appendix B \"Layout of VMCB\" table B-1 (control area)";
    public static final String APM_IOIO = "AMD64 APM vol. 2, 15.10.2 \"IN and OUT Behavior\" (EXITINFO1 for IOIO)";
    public static final String APM_NPF = "AMD64 APM vol. 2, 15.25.6 \"Nested versus Guest Page Faults, Fault Ordering\" (EXITINFO1 for #NPF)";
    public static final String APM_EVENTINJ = "AMD64 APM vol. 2, 15.20 \"Injecting Events\" and 15.7.2 \"Intercepts During IDT Interrupt Delivery\" (EVENTINJ/EXITINTINFO)";
    public static final String APM_SEG = "AMD64 APM vol. 2, 15.5.1 \"Segment State in the VMCB\" (12-bit packed attribute)";
    public static final String APM_REGS = "AMD64 APM vol. 2, chapter 3 \"System Resources\" (CR0 3.1.1, CR4 3.1.3, RFLAGS 3.1.6, EFER 3.1.7)";
    public static final String APM_EXC = "AMD64 APM vol. 2, 8.2 \"Vectors\" table 8-1";
    public static final String SDM_EXIT = "Intel SDM vol. 3, appendix C \"VMX Basic Exit Reasons\" and 28.2.1 (exit-reason field)";
    public static final String SDM_QUAL = "Intel SDM vol. 3, 28.2.1 \"Basic VM-Exit Information\" (exit qualification tables)";
    public static final String SDM_INTR = "Intel SDM vol. 3, 25.8.3 (VM-entry interruption info) and 28.2.2 (VM-exit interruption info)";
    public static final String SDM_AR = "Intel SDM vol. 3, 25.4.1 \"Guest Register State\" table 25-2 (access rights)";
    public static final String SDM_REGS = "Intel SDM vol. 3, 2.5 \"Control Registers\"; vol. 1, 3.4.3 \"EFLAGS\"; 13.3 (XCR0)";
    public static final String SDM_EXC = "Intel SDM vol. 3, 6.3.1 table 6-1 \"Protected-Mode Exceptions and Interrupts\"";
    public static final String SDM_APIC = "Intel SDM vol. 3, 11.4.1 table 11-1 (local APIC register map) and 11.6.1 (ICR)";
    public static final String SDM_X2APIC = "Intel SDM vol. 3, 11.12.1 table 11-6 (x2APIC MSR map) and 11.12.9 (x2APIC ICR)";
    public static final String SDM_MSR = "Intel SDM vol. 4, chapter 2 \"Model-Specific Registers\" table 2-2 (architectural MSRs)";
    public static final String APM_MSR = "AMD64 APM vol. 2, appendix A \"MSR Cross-Reference\"";
    public static final String LINUX_SVM = "Linux arch/x86/include/uapi/asm/svm.h";
    public static final String LINUX_VMX = "Linux arch/x86/include/uapi/asm/vmx.h";
    public static final String LINUX_KVM = "Linux include/uapi/linux/kvm.h";
    public static final String BHYVE_VMM_H = "FreeBSD sys/amd64/include/vmm.h (enum vm_exitcode)";
    public static final String BHYVE_VMCB_H = "FreeBSD sys/amd64/vmm/amd/vmcb.h";
}
