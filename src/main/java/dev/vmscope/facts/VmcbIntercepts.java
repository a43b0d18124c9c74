package dev.vmscope.facts;

import java.util.Locale;
import java.util.Optional;

/**
 * The 32-bit intercept words of the VMCB control area. bhyvectl calls them cr/dr/exc/inst1/inst2
 * (sys/amd64/vmm/amd/vmcb.h: VMCB_CR_INTCPT=0, VMCB_DR_INTCPT=1, VMCB_EXC_INTCPT=2, VMCB_CTRL1_INTCPT=3,
 * VMCB_CTRL2_INTCPT=4). Bit n of inst1/inst2/inst3 intercepts exit code 0x60+n / 0x80+n / 0xa0+n.
 * Sources: {@value Sources#APM_VMCB}; {@value Sources#BHYVE_VMCB_H}; Linux arch/x86/include/asm/svm.h (INTERCEPT_*).
 */
public final class VmcbIntercepts {
    private VmcbIntercepts() {}

    public enum Word {
        CR(0x00), DR(0x04), EXC(0x08), INST1(0x0c), INST2(0x10), INST3(0x14);

        public final int vmcbOffset;

        Word(int off) { vmcbOffset = off; }

        public static Optional<Word> parse(String s) {
            String k = s.toLowerCase(Locale.ROOT).replace("ctrl1", "inst1").replace("ctrl2", "inst2").replace("ctrl3", "inst3");
            for (Word w : values()) if (w.name().toLowerCase(Locale.ROOT).equals(k)) return Optional.of(w);
            return Optional.empty();
        }
    }

    private static final String S = Sources.APM_VMCB + "; " + Sources.BHYVE_VMCB_H;

    private static final String[][] INST1 = {
        {"INTR", "physical INTR"}, {"NMI", "physical NMI"}, {"SMI", "physical SMI"}, {"INIT", "INIT signal"},
        {"VINTR", "virtual interrupt window"}, {"CR0_SEL_WRITE", "CR0 writes changing bits other than TS/MP"},
        {"IDTR_READ", "SIDT"}, {"GDTR_READ", "SGDT"}, {"LDTR_READ", "SLDT"}, {"TR_READ", "STR"},
        {"IDTR_WRITE", "LIDT"}, {"GDTR_WRITE", "LGDT"}, {"LDTR_WRITE", "LLDT"}, {"TR_WRITE", "LTR"},
        {"RDTSC", "RDTSC"}, {"RDPMC", "RDPMC"}, {"PUSHF", "PUSHF"}, {"POPF", "POPF"}, {"CPUID", "CPUID"},
        {"RSM", "RSM"}, {"IRET", "IRET"}, {"INTn", "software interrupt INTn"}, {"INVD", "INVD"},
        {"PAUSE", "PAUSE (subject to the pause filter)"}, {"HLT", "HLT"}, {"INVLPG", "INVLPG"}, {"INVLPGA", "INVLPGA"},
        {"IOIO_PROT", "IN/OUT/INS/OUTS, filtered by the I/O permission map"},
        {"MSR_PROT", "RDMSR/WRMSR, filtered by the MSR permission map"}, {"TASK_SWITCH", "hardware task switches"},
        {"FERR_FREEZE", "processor freeze on x87 FERR"}, {"SHUTDOWN", "shutdown events (triple fault)"},
    };

    private static final String[][] INST2 = {
        {"VMRUN", "VMRUN (must be set or VMRUN fails with VMEXIT_INVALID)"}, {"VMMCALL", "VMMCALL"}, {"VMLOAD", "VMLOAD"},
        {"VMSAVE", "VMSAVE"}, {"STGI", "STGI"}, {"CLGI", "CLGI"}, {"SKINIT", "SKINIT"}, {"RDTSCP", "RDTSCP"},
        {"ICEBP", "ICEBP / INT1 (opcode F1)"}, {"WBINVD", "WBINVD and WBNOINVD"}, {"MONITOR", "MONITOR/MONITORX"},
        {"MWAIT", "MWAIT/MWAITX unconditionally"}, {"MWAIT_ARMED", "MWAIT/MWAITX only when the monitor is armed"},
        {"XSETBV", "XSETBV"}, {"RDPRU", "RDPRU"}, {"EFER_WRITE_TRAP", "trap after EFER writes (SEV-ES)"},
    };

    private static final String[][] INST3 = {
        {"INVLPGB", "all INVLPGB"}, {"INVLPGB_ILLEGAL", "only illegally specified INVLPGB"}, {"INVPCID", "INVPCID"},
        {"MCOMMIT", "MCOMMIT"}, {"TLBSYNC", "TLBSYNC"}, {"BUS_LOCK", "bus lock threshold"}, {"IDLE_HLT", "HLT with no pending interrupt"},
    };

    public static final BitLayout CR = readWrite("CR", "VMCB offset 0x00: CR read/write intercepts (bits 0-15 read CR0-15, 16-31 write CR0-15)");
    public static final BitLayout DR = readWrite("DR", "VMCB offset 0x04: DR read/write intercepts (bits 0-15 read DR0-15, 16-31 write DR0-15)");
    public static final BitLayout INST1_LAYOUT = words("VMCB offset 0x0c: instruction intercepts 1 (bhyve inst1 / VMCB_CTRL1_INTCPT)", INST1, 0x60, 32);
    public static final BitLayout INST2_LAYOUT = inst2();
    public static final BitLayout INST3_LAYOUT = words("VMCB offset 0x14: instruction intercepts 3", INST3, 0xa0, 32);

    public static BitLayout layout(Word w) {
        return switch (w) {
            case CR -> CR;
            case DR -> DR;
            case EXC -> ExceptionVectors.BITMAP;
            case INST1 -> INST1_LAYOUT;
            case INST2 -> INST2_LAYOUT;
            case INST3 -> INST3_LAYOUT;
        };
    }

    private static BitLayout readWrite(String reg, String title) {
        Field[] f = new Field[32];
        for (int n = 0; n < 16; n++) {
            f[n] = Field.flag(n, "read " + reg + n, "intercept reads of " + reg + n + " (exit code 0x" + hex(n + (reg.equals("CR") ? 0 : 0x20)) + ")");
            f[16 + n] = Field.flag(16 + n, "write " + reg + n, "intercept writes of " + reg + n + " (exit code 0x" + hex(n + (reg.equals("CR") ? 0x10 : 0x30)) + ")");
        }
        return BitLayout.of(title, 32, S, f);
    }

    private static BitLayout words(String title, String[][] names, int exitBase, int width) {
        Field[] f = new Field[names.length + (names.length < width ? 1 : 0)];
        for (int n = 0; n < names.length; n++) {
            f[n] = Field.flag(n, names[n][0], "intercept " + names[n][1] + " (exit code 0x" + hex(exitBase + n) + ")");
        }
        if (names.length < width) f[names.length] = Field.reserved(names.length, width - 1);
        return BitLayout.of(title, width, S, f);
    }

    private static BitLayout inst2() {
        Field[] f = new Field[32];
        for (int n = 0; n < INST2.length; n++) {
            f[n] = Field.flag(n, INST2[n][0], "intercept " + INST2[n][1] + " (exit code 0x" + hex(0x80 + n) + ")");
        }
        for (int n = 0; n < 16; n++) {
            f[16 + n] = Field.flag(16 + n, "CR" + n + "_WRITE_TRAP", "trap after writes of CR" + n + " (SEV-ES; exit code 0x" + hex(0x90 + n) + ")");
        }
        return BitLayout.of("VMCB offset 0x10: instruction intercepts 2 (bhyve inst2 / VMCB_CTRL2_INTCPT)", 32, S, f);
    }

    private static String hex(int v) { return Integer.toHexString(v); }
}
