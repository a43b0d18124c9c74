package dev.vmscope.machine;

import dev.vmscope.debug.DebugCapabilities;
import dev.vmscope.kvm.DTable;
import dev.vmscope.kvm.Kvm;
import dev.vmscope.kvm.Regs;
import dev.vmscope.kvm.Segment;
import dev.vmscope.kvm.VcpuExit;
import dev.vmscope.kvm.VcpuFd;
import dev.vmscope.kvm.VmFd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Finds out at run time whether this host's KVM delivers int3 intercepts (KVM_GUESTDBG_USE_SW_BP): a
 * throw-away VM executes one int3 in 32-bit protected mode, ring 0, where kernels run. On hosts where it
 * does not, the debugger falls back to hardware breakpoints and says so.
 * <p>Measured on the paravirtual host KVM these tests run on: in ring 0 the int3 ends in
 * KVM_EXIT_INTERNAL_ERROR (emulation failure, instruction bytes cc f4) with or without USE_SW_BP; in real
 * mode it is not intercepted either but delivered through the guest's IVT. The probe is bounded both ways:
 * the guest's IDT sends vector 3 to a HLT, every other fault becomes a triple fault, and a watchdog kicks
 * the vCPU out of KVM_RUN after {@link #BOUND_MILLIS}.
 */
final class DebugProbe {
    private DebugProbe() {}

    static final long BOUND_MILLIS = 2000;
    private static final long CODE = 0x1000, HANDLER = 0x2000, IDT = 0x3000, GDT = 0x4000, DATA = 0x5000, STACK = 0x8000;

    /** The host does not change while the process runs: probe once. */
    private static volatile VcpuExit cached, cachedData;
    private static volatile boolean probed, probedData;

    static DebugCapabilities probe(Kvm kvm) {
        return new DebugCapabilities(true, 4, softwareBreakpointsWork(kvm), true, dataBreakpointsWork(kvm));
    }

    /** Whether a DR0 write breakpoint fires on a plain store in ring 0 (a debug exit with DR6.B0). */
    static synchronized boolean dataBreakpointsWork(Kvm kvm) {
        if (!probedData) {
            cachedData = dataProbeExit(kvm);
            probedData = true;
        }
        return cachedData instanceof VcpuExit.Debug d && (d.dr6() & 1) != 0;
    }

    /** What the data-breakpoint probe saw, for the console note. */
    static String dataEvidence() {
        VcpuExit e = cachedData;
        return switch (e) {
            case null -> probedData ? "the probe VM did not answer within " + BOUND_MILLIS + " ms" : "not probed";
            case VcpuExit.Hlt h -> "a store in ring 0 to an address in DR0 (R/W=01, LEN=4, USE_HW_BP) ran on to the next HLT without a debug exit";
            default -> "a store in ring 0 to an address in DR0 (R/W=01, LEN=4, USE_HW_BP) ended in " + e;
        };
    }

    /** What the probe VM's KVM_RUN returned: a debug exit for vector 3 means int3 intercepts work. */
    static synchronized boolean softwareBreakpointsWork(Kvm kvm) {
        if (!probed) {
            cached = probeExit(kvm);
            probed = true;
        }
        return cached instanceof VcpuExit.Debug d && d.exception() == 3;
    }

    /** What the probe saw, for the console note when int3 intercepts are missing. */
    static String evidence() {
        VcpuExit e = cached;
        return switch (e) {
            case null -> probed ? "the probe VM did not answer within " + BOUND_MILLIS + " ms" : "not probed";
            case VcpuExit.InternalError ie -> String.format("an int3 in ring 0 with USE_SW_BP ended in KVM_EXIT_INTERNAL_ERROR suberror %d%s",
                    ie.suberror(), ie.suberror() == 1 ? " (emulation failure)" : "");
            case VcpuExit.Hlt h -> "an int3 in ring 0 with USE_SW_BP was delivered to the guest's IDT instead of exiting";
            default -> "an int3 in ring 0 with USE_SW_BP ended in " + e;
        };
    }

    /** The int3 probe: int3; hlt with USE_SW_BP. */
    static VcpuExit probeExit(Kvm kvm) {
        return probeExit(kvm, new byte[] {(byte) 0xcc, (byte) 0xf4}, KvmDebugTarget.ENABLE | KvmDebugTarget.USE_SW_BP, new long[8]);
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
        return probeExit(kvm, code, KvmDebugTarget.ENABLE | KvmDebugTarget.USE_HW_BP, dr);
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
            cpu.setSregs(s.withSegments(Segment.flat(8, true, false), Segment.flat(16, false, false), Segment.flat(16, false, false),
                            Segment.flat(16, false, false), Segment.flat(16, false, false), Segment.flat(16, false, false))
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
