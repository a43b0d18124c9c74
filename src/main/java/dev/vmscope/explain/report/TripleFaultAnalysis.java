package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.VmscopeCrashDump;
import dev.vmscope.facts.Sources;

import java.util.ArrayList;
import java.util.List;

/**
 * Why a vCPU triple-faulted, as far as the registers tell: a triple fault is an exception raised while the CPU
 * delivers a double fault, so the report is searched for what makes delivery fail (an IDT too short for the
 * vectors involved). Gate contents and stacks are in guest memory, which the report does not carry.
 */
final class TripleFaultAnalysis {
    static final String SEC = "Triple fault";
    private static final int DF = 8, GP = 13, NP = 11;

    private final VmscopeCrashDump.Cpu c;
    private final CpuMode mode;
    private final Report.Builder r;

    TripleFaultAnalysis(VmscopeCrashDump.Cpu c, CpuMode mode, Report.Builder r) {
        this.c = c;
        this.mode = mode;
        this.r = r;
    }

    void explain() {
        r.fact(SEC, "a triple fault is a shutdown: while delivering a double fault (#DF, vector 8, itself raised when an"
                + " exception occurs during delivery of another) the CPU hit yet another exception; it cannot continue, so"
                + " KVM stops the vCPU", Cite.DOUBLE_FAULT, c.line());
        if (c.idt() == null) {
            r.notInterpreted(c.line(), "IDTR not in the report: cannot check whether gates exist");
            return;
        }
        long limit = c.idt().limit();
        int gate = mode.gateSize();
        List<String> missing = new ArrayList<>();
        for (int v : new int[] {DF, NP, GP}) if (!present(v, limit, gate)) missing.add(Knowledge.vector(v) + " (vector " + v + ")");
        if (!present(DF, limit, gate)) {
            r.fact(SEC, "IDTR limit 0x" + Long.toHexString(limit) + " in " + mode.name() + " (" + gate + "-byte gates):"
                    + " no gate for " + String.join(", ", missing) + ". Whatever exception came first, fetching its gate"
                    + " exceeds the limit, which raises #GP (error code vector*8+2: IDT bit set, +1 when the event was"
                    + " external); #GP's own gate is beyond"
                    + " the limit too, which makes a #DF; the #DF gate is also beyond it, so the CPU shuts down. An empty IDT"
                    + " is enough for a triple fault on the first exception", Cite.IDT + "; " + Cite.DOUBLE_FAULT, c.line());
            if (c.idt().limit() == 0 && c.idt().base() == 0)
                r.fact(SEC, "IDTR base 0 / limit 0 is not the reset value (base 0, limit 0xffff): the guest loaded it with"
                        + " LIDT from a zeroed pseudo-descriptor, deliberately or from uninitialised memory", Cite.IDT, c.line());
        } else {
            r.fact(SEC, "the IDT has a gate slot for #DF and #GP, so the chain broke elsewhere: a gate that is not present"
                    + " or has a bad selector, a handler stack (SS:ESP / TSS RSP0 / IST) that faults, or page tables that do"
                    + " not map the IDT, GDT or stack; the report carries no guest memory, so this cannot be checked here",
                    Cite.DOUBLE_FAULT, c.line());
            r.notInterpreted(c.line(), "triple fault: IDT gate contents, GDT entries and the handler stack are in guest memory,"
                    + " which the crash report does not include");
        }
        String events = c.events() == null ? "" : c.events();
        if (events.equals("none")) {
            r.fact(SEC, "no event is pending or injected: after the shutdown nothing is left to deliver, so the exception"
                    + " chain is inferred from the IDT and the instruction at RIP, not recorded by KVM", Cite.CRASH
                    + " (KVM_GET_VCPU_EVENTS)", c.line());
        } else if (!events.isEmpty()) {
            r.fact(SEC, "events at the exit: " + events + " - the first exception of the chain may be this one",
                    Cite.CRASH + " (KVM_GET_VCPU_EVENTS)", c.line());
        }
        r.fact(SEC, "RIP 0x" + Long.toHexString(mode.rip()) + " is where the first exception was raised (faults report"
                + " the faulting instruction, not the next one)", Sources.SDM_EXC, c.line());
    }

    private static boolean present(int vector, long limit, int gate) {
        return (long) vector * gate + gate - 1 <= limit;
    }
}
