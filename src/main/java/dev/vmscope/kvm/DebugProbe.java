package dev.vmscope.kvm;

import dev.vmscope.hypervisor.CpuState.Segment;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.VcpuExit;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Finds out at run time whether this host's KVM delivers int3 intercepts (KVM_GUESTDBG_USE_SW_BP): a
 * throw-away VM executes one int3 in 32-bit protected mode, ring 0, where kernels run. On hosts where it
 * does not, the debugger falls back to hardware breakpoints and says so.
 * A second probe checks whether a DR0 write breakpoint fires at all.
 * <p>Measured on the paravirtual host KVM these tests run on: in ring 0 the int3 ends in
 * KVM_EXIT_INTERNAL_ERROR (emulation failure, instruction bytes cc f4) with or without USE_SW_BP; in real
 * mode it is not intercepted either but delivered through the guest's IVT. The store under a DR0 write
 * breakpoint runs on to the HLT (its KVM emulates ring-0 code and checks only code breakpoints); execute
 * breakpoints and single-step do work. The probes are bounded both ways:
 * the guest's IDT sends vector 3 to a HLT, every other fault becomes a triple fault, and a watchdog kicks
 * the vCPU out of KVM_RUN after {@link #BOUND_MILLIS}.
 */
final class DebugProbe {
    private DebugProbe() {}

    static final long BOUND_MILLIS = 2000;
    private static final long CODE = 0x1000, HANDLER = 0x2000, IDT = 0x3000, GDT = 0x4000, DATA = 0x5000, STACK = 0x8000;

    /** One probe's outcome; the host does not change while the process runs, so each probe runs once. */
    private static final class Outcome {
        final String what;
        VcpuExit exit;
        boolean done;

        Outcome(String what) { this.what = what; }
    }

    private static final Outcome INT3 = new Outcome("an int3 in ring 0 with USE_SW_BP"),
            DATA_BP = new Outcome("a store in ring 0 to an address in DR0 (R/W=01, LEN=4, USE_HW_BP)");

    private static synchronized VcpuExit once(Outcome o, java.util.function.Supplier<VcpuExit> run) {
        if (!o.done) {
            o.exit = run.get();
            o.done = true;
        }
        return o.exit;
    }

    private static synchronized String describe(Outcome o) {
        return o.what + switch (o.exit) {
            case null -> o.done ? ": the probe VM did not answer within " + BOUND_MILLIS + " ms" : ": not probed";
            case VcpuExit.InternalError ie -> " ended in KVM_EXIT_INTERNAL_ERROR suberror " + ie.suberror()
                    + (ie.suberror() == 1 ? " (emulation failure)" : "");
            case VcpuExit.Hlt h -> " ran on to the guest's next HLT without a debug exit";
            default -> " ended in " + o.exit;
        };
    }

    static DebugCapabilities probe(Kvm kvm) {
        return new DebugCapabilities(true, 4, softwareBreakpointsWork(kvm), true, dataBreakpointsWork(kvm));
    }

    /** What the probe VM's KVM_RUN returned: a debug exit for vector 3 means int3 intercepts work. */
    static boolean softwareBreakpointsWork(Kvm kvm) {
        return once(INT3, () -> probeExit(kvm)) instanceof VcpuExit.Debug d && d.exception() == 3;
    }

    /** Whether a DR0 write breakpoint fires on a plain store in ring 0 (a debug exit with DR6.B0). */
    static boolean dataBreakpointsWork(Kvm kvm) {
        return once(DATA_BP, () -> dataProbeExit(kvm)) instanceof VcpuExit.Debug d && (d.dr6() & 1) != 0;
    }

    /** What the int3 probe saw, for the console note when int3 intercepts are missing. */
    static String evidence() { return describe(INT3); }

    /** What the data-breakpoint probe saw, for the console note. */
    static String dataEvidence() { return describe(DATA_BP); }

    /** The int3 probe: int3; hlt with USE_SW_BP. */
    static VcpuExit probeExit(Kvm kvm) {
        return probeExit(kvm, new byte[] {(byte) 0xcc, (byte) 0xf4}, KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_USE_SW_BP, new long[8]);
    }

    /**
     * The data-breakpoint probe: "mov %eax, (DATA)" (a3 + address, SDM vol. 2 MOV moffs32) then hlt, with DR0 = DATA,
     * DR7 G0 | R/W0 = 01 (write) | LEN0 = 11 (4 bytes) | GE (SDM vol. 3B 18.2.4).
     */
    static VcpuExit dataProbeExit(Kvm kvm) {
        long[] dr = new long[8];
        dr[0] = DATA;
        dr[7] = 1L << 1 | 1L << 16 | 3L << 18 | 1L << 9 | 1L << 10;
        byte[] code = {(byte) 0xa3, (byte) DATA, (byte) (DATA >> 8), 0, 0, (byte) 0xf4};
        return probeExit(kvm, code, KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_USE_HW_BP, dr);
    }

    /** The first exit of a probe guest running {@code code} at CODE (null if the probe could not run at all). */
    static VcpuExit probeExit(Kvm kvm, byte[] code, int control, long[] debugreg) {
        AtomicReference<VcpuExit> result = new AtomicReference<>();
        VmFd vm;
        try { vm = kvm.createVm(); } catch (RuntimeException e) { return null; }
        Thread t = null;
        try {
            MemorySegment ram = vm.mapRam(0x10000);
            vm.setUserMemoryRegion(0, 0, 0, ram);
            MemorySegment.copy(code, 0, ram, ValueLayout.JAVA_BYTE, CODE, code.length);
            ram.set(ValueLayout.JAVA_BYTE, HANDLER, (byte) 0xf4);  // the guest's own #BP handler: hlt
            // Flat ring-0 code (0x08) and data (0x10) descriptors (Intel SDM vol. 3A 3.4.5).
            ram.set(ValueLayout.JAVA_LONG, GDT + 8, 0x00cf9b000000ffffL);
            ram.set(ValueLayout.JAVA_LONG, GDT + 16, 0x00cf93000000ffffL);
            // IDT entry 3: 32-bit interrupt gate (type 0xe, present, DPL 0) to 0x08:HANDLER (SDM vol. 3A 6.11).
            ram.set(ValueLayout.JAVA_LONG, IDT + 3 * 8, HANDLER | 8L << 16 | 0x8e00L << 32);
            VcpuFd cpu = vm.createVcpu(0);
            var s = cpu.getSregs();
            cpu.setSregs(s.withSegments(Segment.flatCode32(8), Segment.flatData(16), Segment.flatData(16),
                            Segment.flatData(16), Segment.flatData(16), Segment.flatData(16))
                    .withTables(new DTable(GDT, 23), new DTable(IDT, 32 * 8 - 1), s.tr(), s.ldt())
                    .withControl(0x11, 0, 0, 0)); // CR0.PE | CR0.ET
            cpu.setRegs(Regs.zero().withRip(CODE).with("rsp", STACK));
            cpu.setGuestDebug(control, debugreg);
            t = Thread.ofPlatform().daemon().name("debug-probe").start(() -> {
                cpu.bindToCurrentThread();
                try { result.set(cpu.run()); }
                catch (RuntimeException e) { /* no answer: treated as unsupported */ }
                finally { cpu.unbindCurrentThread(); }
            });
            t.join(BOUND_MILLIS);
            if (t.isAlive()) {
                cpu.kick();
                t.join(BOUND_MILLIS);
            }
        } catch (RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (t == null || !t.isAlive()) vm.close(); // never unmap under a running vCPU: leak the probe VM instead
        }
        return result.get();
    }
}
