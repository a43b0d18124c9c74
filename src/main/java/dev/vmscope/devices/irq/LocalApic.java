package dev.vmscope.devices.irq;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.IrqLine;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One vCPU's local APIC in xAPIC (4 KiB MMIO page, {@link #DEFAULT_BASE}) and x2APIC (MSRs 0x800-0x8ff)
 * modes, after SDM vol. 3 chapter 11. The integrator routes MMIO exits in [0xfee00000, 0xfee01000) of vCPU
 * n to that vCPU's LocalApic (each vCPU sees its own APIC at the same address) and RDMSR/WRMSR of
 * {@link #handlesMsr} MSRs to {@link #readMsr}/{@link #writeMsr} (empty / false means inject #GP).
 * In the run loop: when {@link #hasInterrupt()} and the guest's interrupt window is open, inject
 * {@link #acknowledge()} with KVM_INTERRUPT.
 *
 * <p>Thread safety: every register is guarded by this object's monitor, held only briefly. Other threads
 * call {@link #accept} (through {@link ApicBus}) and the LINT lines. See {@link ApicBus} for the lock order.
 */
public final class LocalApic implements BusDevice {
    /** IA32_APIC_BASE's reset value of the APIC page (SDM vol. 3 11.4.4); where the machine decodes it is its own table. */
    public static final long DEFAULT_BASE = 0xfee00000L;
    public static final int MMIO_SIZE = 0x1000;
    public static final int MSR_APIC_BASE = 0x1b, MSR_TSC_DEADLINE = 0x6e0;
    public static final int MSR_X2APIC_FIRST = 0x800, MSR_X2APIC_LAST = 0x8ff;

    /** Register offsets in the xAPIC page (SDM Table 11-1 "Local APIC Register Address Map"). */
    static final int ID = 0x20, VERSION = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xa0, EOI = 0xb0, RRD = 0xc0,
            LDR = 0xd0, DFR = 0xe0, SVR = 0xf0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280,
            LVT_CMCI = 0x2f0, ICR_LO = 0x300, ICR_HI = 0x310, LVT_TIMER = 0x320, LVT_THERMAL = 0x330,
            LVT_PERF = 0x340, LVT_LINT0 = 0x350, LVT_LINT1 = 0x360, LVT_ERROR = 0x370, TIMER_ICR = 0x380,
            TIMER_CCR = 0x390, TIMER_DCR = 0x3e0, SELF_IPI = 0x3f0;

    /** LVT slots in register order and their writable bits (SDM 11.5.1, figure "Local Vector Table"). */
    static final int L_CMCI = 0, L_TIMER = 1, L_THERMAL = 2, L_PERF = 3, L_LINT0 = 4, L_LINT1 = 5, L_ERROR = 6;
    private static final int[] LVT_OFFSET = {LVT_CMCI, LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR};
    private static final String[] LVT_NAME = {"cmci", "timer", "thermal", "perf", "lint0", "lint1", "error"};
    private static final int LVT_MASKED = 1 << 16;
    private static final int[] LVT_WRITABLE = {0x107ff, 0x300ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff};

    /** Version register: version 0x14 (integrated xAPIC), max LVT entry 6 (bits 23:16), no EOI-broadcast
     *  suppression (bit 24 = 0, so SVR bit 12 stays reserved; our IoApic is the 82093AA, which has no EOI
     *  register either). SDM 11.4.8. */
    static final int VERSION_VALUE = 0x14 | 6 << 16;
    /** SVR: vector 7:0, APIC software enable 8, focus checking 9 (SDM 11.9). */
    private static final int SVR_ENABLE = 1 << 8, SVR_WRITABLE = 0x3ff;

    /** ESR bits (SDM 11.5.3, figure "Error Status Register"). */
    public static final int ESR_SEND_ACCEPT = 1 << 2, ESR_SEND_ILLEGAL_VECTOR = 1 << 5,
            ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6, ESR_ILLEGAL_REGISTER = 1 << 7;

    /** IA32_APIC_BASE bits (SDM 11.4.4 and 11.12.1): BSP 8, x2APIC enable 10, global enable 11. */
    static final long BASE_BSP = 1 << 8, BASE_EXTD = 1 << 10, BASE_EN = 1 << 11;
    private static final long BASE_RESERVED = 0xfff00000_000002ffL;

    /** Timing and feature choices that depend on CPUID; the integrator keeps them consistent. */
    public record Options(boolean tscDeadline, long busCycleNanos, LongSupplier guestTsc, long tscHz,
                          Consumer<String> log) {
        /** 1 ns bus cycle (a 1 GHz APIC timer, as KVM uses), no TSC-deadline mode. */
        public static Options defaults() { return new Options(false, 1, () -> 0, 1_000_000_000L, s -> { }); }

        public Options withTscDeadline(LongSupplier tsc, long hz) { return new Options(true, busCycleNanos, tsc, hz, log); }

        public Options withLog(Consumer<String> l) { return new Options(tscDeadline, busCycleNanos, guestTsc, tscHz, l); }
    }

    private final int initialId;
    private final boolean bsp;
    private final ApicBus bus;
    private final CpuSignals cpu;
    private final Options opt;
    private final ApicTimer timer;

    private long apicBase;
    private int xapicId;        // ID register bits 31:24 in xAPIC mode
    private int tpr, ldr, dfr, svr, icrLo, icrHi, esr, esrPending;
    private final int[] lvt = new int[7];
    private final VectorSet isr = new VectorSet(), irr = new VectorSet(), tmr = new VectorSet();
    private final boolean[] lintLevel = new boolean[2];
    private boolean waitingForSipi, extIntMessage;
    /** An INIT was accepted but the CPU has not taken it yet (see {@link #takeInit()}). */
    private boolean initRequested;
    private volatile ExtIntSource extInt;
    private long ignoredSipis;

    public LocalApic(int apicId, boolean bsp, ApicBus bus, CpuSignals cpu, LongSupplier clock,
                     TimerScheduler scheduler, Options options) {
        this.initialId = apicId;
        this.bsp = bsp;
        this.bus = bus;
        this.cpu = cpu;
        this.opt = options;
        this.timer = new ApicTimer(this, clock, scheduler, options.busCycleNanos(), options.guestTsc(), options.tscHz());
        reset();
        bus.attach(this);
    }

    /** Power-on/RESET state (SDM 11.4.7.1). APs come up waiting for SIPI. */
    public synchronized void reset() {
        apicBase = DEFAULT_BASE | BASE_EN | (bsp ? BASE_BSP : 0);
        xapicId = initialId & 0xff;
        initState();
        // As QEMU and KVM do: the BSP's LINT0 starts in ExtINT, unmasked (virtual wire), so PIC interrupts
        // reach a guest that never programs its APIC (real-mode code, multiboot kernels without APIC).
        if (bsp) lvt[L_LINT0] = DeliveryMode.EXTINT.code() << 8;
        waitingForSipi = !bsp;
    }

    /** INIT leaves the APIC ID, APIC base and x2APIC mode alone and resets the rest (SDM 11.4.7.3). */
    private void initState() {
        timer.setMode(ApicTimer.ONE_SHOT);
        timer.stop();
        timer.writeInitialCount(0);
        timer.setDivideConfig(0);
        tpr = 0; ldr = 0; dfr = -1; svr = 0xff; icrLo = 0; icrHi = 0; esr = 0; esrPending = 0;
        java.util.Arrays.fill(lvt, LVT_MASKED);
        isr.clearAll(); irr.clearAll(); tmr.clearAll();
        extIntMessage = false;
    }

    /** The PIC behind LINT0 (and ExtINT messages): consulted at interrupt acknowledge time. */
    public void connectExtInt(ExtIntSource source) { this.extInt = source; }

    public int apicId() {
        synchronized (this) { return x2apic() ? initialId : xapicId; }
    }

    public boolean isBsp() { return bsp; }

    public synchronized boolean x2apic() { return (apicBase & BASE_EXTD) != 0; }

    private boolean hwEnabled() { return (apicBase & BASE_EN) != 0; }

    private boolean swEnabled() { return (svr & SVR_ENABLE) != 0; }

    public synchronized boolean waitingForSipi() { return waitingForSipi; }

    // ---- priorities (SDM 11.8.3.1) ----

    private int ppr() {
        int isrv = Math.max(0, isr.highest());
        return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr & 0xff : isrv & 0xf0;
    }

    private int apr() {
        int m = Math.max(Math.max(0, irr.highest()), Math.max(0, isr.highest())) & 0xf0;
        return (tpr & 0xf0) >= m ? tpr & 0xff : m;
    }

    synchronized int arbitrationPriority() { return apr(); }

    private int deliverableVector() {
        int v = irr.highest();
        return v >= 0 && (v & 0xf0) > (ppr() & 0xf0) ? v : -1;
    }

    /** ExtINT is routed when LINT0 is an unmasked ExtINT entry, an ExtINT message is pending, or the APIC
     *  is globally disabled (the PIC then drives INTR directly, SDM 11.4.3). */
    private boolean extIntRouted() {
        if (!hwEnabled()) return bsp;
        int l = lvt[L_LINT0];
        return extIntMessage || ((l & LVT_MASKED) == 0 && DeliveryMode.of(l >>> 8) == DeliveryMode.EXTINT);
    }

    /** Whether an interrupt is ready for injection, ignoring the guest's RFLAGS.IF / interrupt shadow. */
    public boolean hasInterrupt() {
        boolean ext;
        synchronized (this) {
            if (hwEnabled() && deliverableVector() >= 0) return true;
            ext = extIntRouted();
        }
        ExtIntSource src = extInt;
        return ext && src != null && src.hasInterrupt();
    }

    /**
     * The INTA cycle: returns the vector to inject and moves it from IRR to ISR, or asks the PIC (ExtINT,
     * checked first as KVM does). Returns -1 when nothing is deliverable.
     */
    public int acknowledge() {
        ExtIntSource src = extInt;
        boolean ext;
        synchronized (this) { ext = extIntRouted(); }
        if (ext && src != null && src.hasInterrupt()) {
            synchronized (this) { extIntMessage = false; }
            return src.acknowledge();   // outside our lock: PIC locks come before LAPIC locks
        }
        synchronized (this) {
            if (!hwEnabled()) return -1;
            int v = deliverableVector();
            if (v < 0) return -1;
            irr.clear(v);
            isr.set(v);
            return v;
        }
    }

    // ---- accepting interrupts (any thread) ----

    /** Called by the bus for each message addressed to this APIC (SDM 11.6.1 delivery modes). */
    void accept(DeliveryMode mode, int vector, boolean level) {
        synchronized (this) {
            if (!hwEnabled()) return;
            switch (mode) {
                case FIXED, LOWEST_PRIORITY -> {
                    // A software-disabled APIC keeps what it holds but accepts no new fixed interrupts (11.4.7.2).
                    if (swEnabled()) setIrr(vector, level);
                    return;
                }
                case NMI -> { cpu.nmi(); return; }
                case SMI -> { cpu.smi(); return; }
                case INIT -> { requestInit(); return; }
                case STARTUP -> {
                    // SIPIs are only honoured in wait-for-SIPI and never latched (SDM 9.4.4).
                    if (!waitingForSipi) { ignoredSipis++; return; }
                    waitingForSipi = false;
                    cpu.startup(vector & 0xff);
                    return;
                }
                case EXTINT -> extIntMessage = true;
                case RESERVED_3 -> { bus.log("lapic " + initialId + ": dropped message with reserved delivery mode"); return; }
            }
        }
        cpu.kick();
    }

    /** Under lock: latch a fixed interrupt, or flag a received illegal vector (never sets IRR 0..15). */
    private void setIrr(int vector, boolean level) {
        if (vector < 16) { error(ESR_RECEIVE_ILLEGAL_VECTOR); return; }
        irr.set(vector);
        tmr.put(vector, level);
        cpu.kick();
    }

    /** Under lock: accumulate an error; a newly set bit raises the LVT error interrupt (SDM 11.5.3). */
    private void error(int bit) {
        boolean fresh = (esrPending & bit) == 0;
        esrPending |= bit;
        if (fresh) fireLvt(L_ERROR);
    }

    /** Under lock: a local interrupt source fires through its LVT entry (SDM 11.5.1). */
    private void fireLvt(int slot) {
        int e = lvt[slot];
        if ((e & LVT_MASKED) != 0 || !hwEnabled()) return;
        DeliveryMode m = slot == L_TIMER || slot == L_ERROR ? DeliveryMode.FIXED : DeliveryMode.of(e >>> 8);
        switch (m) {
            case FIXED -> setIrr(e & 0xff, slot >= L_LINT0 && slot <= L_LINT1 && (e & 0x8000) != 0);
            case NMI -> cpu.nmi();
            case SMI -> cpu.smi();
            case INIT -> requestInit();
            case EXTINT -> cpu.kick();
            default -> bus.log("lapic " + initialId + ": LVT " + LVT_NAME[slot] + " has reserved delivery mode " + m);
        }
    }

    /**
     * Under lock: an INIT is latched, and SIPIs are taken from now on, but the register file is reset only
     * when the CPU takes the INIT at an instruction boundary ({@link #takeInit()}). Until then the CPU may
     * still be completing an instruction that exited to us, e.g. the ICR-low write of an ICR-high /
     * ICR-low pair: resetting ICR high under it would send that IPI to APIC ID 0 instead of where the guest
     * aimed it. On hardware that write happens before the INIT or not at all.
     */
    private void requestInit() {
        initRequested = true;
        waitingForSipi = !bsp;   // the BSP restarts at the reset vector instead (SDM vol. 3 9.4)
        cpu.init();
    }

    /**
     * The CPU takes a pending INIT (called on its own thread, with no vmscope lock held, before it runs
     * again): the register file goes to its INIT state (SDM 11.4.7.3). Returns whether one was pending.
     */
    public boolean takeInit() {
        synchronized (this) {
            if (!initRequested) return false;
            initRequested = false;
            initState();
        }
        return true;
    }

    /** Called by ApicTimer under our lock. */
    void timerFired() { fireLvt(L_TIMER); }

    /** LINT0/LINT1 input pins: a rising edge fires the LVT entry; ExtINT just tracks the PIC's INT. */
    public IrqLine lint(int pin) {
        int p = pin & 1;
        return asserted -> {
            synchronized (this) {
                boolean was = lintLevel[p];
                lintLevel[p] = asserted;
                if (asserted && !was) fireLvt(L_LINT0 + p);
            }
        };
    }

    /** Whether this APIC is a destination of {@code m} (SDM 11.6.2.1 physical, 11.6.2.2 logical). */
    synchronized boolean matchesDestination(ApicMessage m) {
        if (!hwEnabled()) return false;
        int dest = m.destination();
        if (m.broadcast()) return true;
        if (x2apic()) {
            if (!m.x2apicDestination()) {   // 8-bit sender: compare the low byte / 4-bit cluster form
                if (!m.logical()) return dest == initialId;
                return (dest >>> 4) == (initialId >>> 4) && (dest & 0xf & 1 << (initialId & 0xf)) != 0;
            }
            if (!m.logical()) return dest == initialId;
            int l = x2apicLdr();
            return (dest >>> 16) == (l >>> 16) && (dest & l & 0xffff) != 0;
        }
        if (m.x2apicDestination() && (dest >>> 8) != 0) return false;   // beyond what an xAPIC can match
        dest &= 0xff;
        if (!m.logical()) return dest == xapicId;
        int logicalId = ldr >>> 24;
        return switch (dfr >>> 28) {
            case 0xf -> (dest & logicalId) != 0;                                          // flat
            case 0x0 -> (dest >>> 4) == (logicalId >>> 4) && (dest & logicalId & 0xf) != 0; // cluster
            default -> false;
        };
    }

    /** x2APIC logical ID: cluster = ID[19:4] in bits 31:16, one bit for ID[3:0] (SDM 11.12.10.2). */
    private int x2apicLdr() { return (initialId >>> 4) << 16 | 1 << (initialId & 0xf); }

    // ---- register file ----

    /** Register read by page offset (16-byte aligned). Null: no such register. Under lock. */
    private Long readReg(int off) {
        if (off >= ISR && off < ISR + 0x80) return (long) isr.word((off - ISR) >> 4) & 0xffffffffL;
        if (off >= TMR && off < TMR + 0x80) return (long) tmr.word((off - TMR) >> 4) & 0xffffffffL;
        if (off >= IRR && off < IRR + 0x80) return (long) irr.word((off - IRR) >> 4) & 0xffffffffL;
        for (int i = 0; i < LVT_OFFSET.length; i++) if (off == LVT_OFFSET[i]) return (long) lvt[i];
        long v = switch (off) {
            case ID -> x2apic() ? initialId : (long) xapicId << 24;
            case VERSION -> VERSION_VALUE;
            case TPR -> tpr;
            case APR -> apr();
            case PPR -> ppr();
            case EOI, SELF_IPI -> 0;
            case RRD -> 0;
            case LDR -> x2apic() ? x2apicLdr() : ldr;
            case DFR -> dfr;
            case SVR -> svr;
            case ESR -> esr;
            case ICR_LO -> icrLo;
            case ICR_HI -> icrHi;
            case TIMER_ICR -> timer.initialCount();
            case TIMER_CCR -> timer.currentCount();
            case TIMER_DCR -> timer.divideConfig();
            default -> -1;
        };
        return v == -1 ? null : v & 0xffffffffL;
    }

    /** Outcome of a register write that needs work outside the lock. */
    private record After(IcrValue ipi, boolean dropped, int eoiVector) {
        static final After NOTHING = new After(null, false, -1);
    }

    /** Register write, under lock. Returns what to do once the lock is released. */
    private After writeReg(int off, int v) {
        for (int i = 0; i < LVT_OFFSET.length; i++) if (off == LVT_OFFSET[i]) { writeLvt(i, v); return After.NOTHING; }
        switch (off) {
            case ID -> xapicId = v >>> 24;
            case TPR -> tpr = v & 0xff;
            case EOI -> { return eoi(); }
            case LDR -> ldr = v & 0xff000000;
            case DFR -> dfr = v | 0x0fffffff;
            case SVR -> {
                svr = v & SVR_WRITABLE;
                if (!swEnabled()) for (int i = 0; i < lvt.length; i++) lvt[i] |= LVT_MASKED;   // SDM 11.4.7.2
            }
            case ESR -> { esr = esrPending; esrPending = 0; }   // write latches, then read (SDM 11.5.3)
            case ICR_HI -> icrHi = v & 0xff000000;
            case ICR_LO -> {
                icrLo = v & 0x000ccfff;
                return sendIcr(IcrValue.decode(icrLo, icrHi));
            }
            case TIMER_ICR -> timer.writeInitialCount(Integer.toUnsignedLong(v));
            case TIMER_DCR -> timer.setDivideConfig(v);
            case SELF_IPI -> { return sendIcr(IcrValue.decode((v & 0xff) | 1 << 18, 0)); }   // shorthand self
            default -> { }
        }
        return After.NOTHING;
    }

    private void writeLvt(int slot, int v) {
        int w = LVT_WRITABLE[slot] | (slot == L_TIMER && opt.tscDeadline() ? 0x40000 : 0);
        int e = v & w;
        if (!swEnabled()) e |= LVT_MASKED;
        lvt[slot] = e;
        if (slot == L_TIMER) {
            int mode = e >>> 17 & 3;
            timer.setMode(mode == ApicTimer.TSC_DEADLINE ? ApicTimer.TSC_DEADLINE : mode & 1);
        }
    }

    /** EOI: retire the highest in-service vector; level-triggered ones are broadcast to IOAPICs (11.8.5). */
    private After eoi() {
        int v = isr.highest();
        if (v < 0) return After.NOTHING;
        isr.clear(v);
        cpu.kick();   // a lower-priority IRR vector may now be deliverable
        return tmr.test(v) ? new After(null, false, v) : After.NOTHING;
    }

    /** Validates an ICR write (SDM 11.6.1); the send itself happens after the lock is dropped. */
    private After sendIcr(IcrValue icr) {
        if (icr.initDeassert()) {
            // INIT level de-assert only resynchronised arbitration IDs on P6-era APICs; the xAPIC we model
            // does not support it, and arbitration IDs are not modelled, so it has no effect.
            return new After(icr, true, -1);
        }
        String bad = icr.invalidReason();
        if (bad != null) {
            // No APIC accepts it: we drop it and report a send accept error, the closest ESR bit (11.5.3).
            bus.log("lapic " + apicIdLocked() + ": invalid IPI " + icr.describe() + " (" + bad + ")");
            error(ESR_SEND_ACCEPT);
            return new After(icr, true, -1);
        }
        if (icr.illegalVector()) {
            bus.log("lapic " + apicIdLocked() + ": IPI with illegal vector " + icr.describe());
            error(ESR_SEND_ILLEGAL_VECTOR);
            return new After(icr, true, -1);
        }
        if (icr.levelTriggered())   // the xAPIC sends level-triggered IPIs as edge (table note 2)
            icr = new IcrValue(icr.vector(), icr.mode(), icr.logical(), icr.assertLevel(), false,
                    icr.shorthand(), icr.destination(), icr.x2apic());
        return new After(icr, false, -1);
    }

    private int apicIdLocked() { return x2apic() ? initialId : xapicId; }

    private void finish(After a) {
        if (a.ipi() != null) bus.sendIpi(this, a.ipi(), a.dropped());
        if (a.eoiVector() >= 0) bus.broadcastEoi(a.eoiVector());
    }

    // ---- xAPIC MMIO ----

    private static boolean reserved(int reg) {
        return reg < ID || (reg > ID && reg < VERSION) || (reg > VERSION && reg < TPR)
                || (reg > ESR && reg < LVT_CMCI) || (reg > TIMER_CCR && reg < TIMER_DCR) || reg > TIMER_DCR;
    }

    @Override public long read(long offset, int size) {
        if (offset < 0 || offset >= MMIO_SIZE) return 0;
        int reg = (int) offset & 0xff0, sub = (int) offset & 0xf;
        synchronized (this) {
            if (x2apic() || !hwEnabled()) return 0;   // the page is gone in x2APIC / disabled modes (11.12.2)
            if (reserved(reg)) { error(ESR_ILLEGAL_REGISTER); return 0; }
            Long v = readReg(reg);
            if (v == null || sub >= 4) return 0;
            return v >>> (sub * 8);
        }
    }

    @Override public void write(long offset, int size, long value) {
        if (offset < 0 || offset >= MMIO_SIZE) return;
        int reg = (int) offset & 0xff0;
        After a;
        synchronized (this) {
            if (x2apic() || !hwEnabled()) return;
            if (reserved(reg) || reg == SELF_IPI) { error(ESR_ILLEGAL_REGISTER); return; }
            if (size != 4 || (offset & 0xf) != 0) {   // the SDM defines only aligned 32-bit accesses (11.4.1)
                bus.log("lapic " + xapicId + ": ignored " + size + "-byte write at 0x" + Long.toHexString(offset));
                return;
            }
            a = writeReg(reg, (int) value);
        }
        finish(a);
    }

    // ---- MSRs ----

    /** The MSRs this APIC answers: IA32_APIC_BASE, IA32_TSC_DEADLINE (when enabled) and the x2APIC range. */
    public boolean handlesMsr(int msr) {
        return msr == MSR_APIC_BASE || (msr == MSR_TSC_DEADLINE && opt.tscDeadline())
                || (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
    }

    /** RDMSR; empty means the guest gets #GP. */
    public OptionalLong readMsr(int msr) {
        synchronized (this) {
            if (msr == MSR_APIC_BASE) return OptionalLong.of(apicBase);
            if (msr == MSR_TSC_DEADLINE) return opt.tscDeadline() ? OptionalLong.of(timer.tscDeadline()) : OptionalLong.empty();
            if (!x2apic() || msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST) return OptionalLong.empty();
            int reg = (msr - MSR_X2APIC_FIRST) << 4;
            if (!x2apicReadable(reg)) return OptionalLong.empty();
            if (reg == ICR_LO) return OptionalLong.of(Integer.toUnsignedLong(icrLo) | (long) icrHi << 32);
            Long v = readReg(reg);
            return v == null ? OptionalLong.empty() : OptionalLong.of(v);
        }
    }

    /** WRMSR; false means the guest gets #GP (reserved bits, read-only or absent registers, SDM 11.12.1.2). */
    public boolean writeMsr(int msr, long value) {
        After a;
        synchronized (this) {
            if (msr == MSR_APIC_BASE) return writeApicBase(value);
            if (msr == MSR_TSC_DEADLINE) {
                if (!opt.tscDeadline()) return false;
                timer.writeTscDeadline(value);
                return true;
            }
            if (!x2apic() || msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST) return false;
            int reg = (msr - MSR_X2APIC_FIRST) << 4;
            if (reg == ICR_LO) {
                if ((value & ~0xffffffff_000ccfffL) != 0) return false;
                icrLo = (int) value;
                icrHi = (int) (value >>> 32);
                a = sendIcr(IcrValue.decode(value, true));
            } else {
                long writable = x2apicWritable(reg);
                if (writable == 0 && value != 0 && (reg == EOI || reg == ESR)) return false;   // must write 0
                if (writable == -1 || (value & ~writable) != 0) return false;
                a = writeReg(reg, (int) value);
            }
        }
        finish(a);
        return true;
    }

    private static boolean x2apicReadable(int reg) {
        return switch (reg) {
            case APR, RRD, DFR, EOI, SELF_IPI, ICR_HI -> false;   // absent or write-only in x2APIC mode
            default -> !reserved(reg);
        };
    }

    /** Writable bits of an x2APIC register; -1 for registers that are not writable at all. */
    private long x2apicWritable(int reg) {
        for (int i = 0; i < LVT_OFFSET.length; i++)
            if (reg == LVT_OFFSET[i]) return LVT_WRITABLE[i] | (i == L_TIMER && opt.tscDeadline() ? 0x40000 : 0);
        return switch (reg) {
            case TPR, SELF_IPI -> 0xff;
            case SVR -> SVR_WRITABLE;
            case EOI, ESR -> 0;
            case TIMER_ICR -> 0xffffffffL;
            case TIMER_DCR -> 0xb;
            default -> -1;
        };
    }

    /** IA32_APIC_BASE transitions (SDM 11.12.5, figure "Local x2APIC State Transitions"). */
    private boolean writeApicBase(long v) {
        if ((v & BASE_RESERVED) != 0) return false;
        boolean en = (v & BASE_EN) != 0, extd = (v & BASE_EXTD) != 0;
        if (extd && !en) return false;                          // invalid state
        if (x2apic() && en && !extd) return false;              // x2APIC -> xAPIC must go through disabled
        boolean wasEnabled = hwEnabled(), wasX2 = x2apic();
        apicBase = (v & ~BASE_BSP) | (bsp ? BASE_BSP : 0);
        if (!en && wasEnabled) { initState(); xapicId = initialId & 0xff; }
        if (extd && !wasX2) xapicId = initialId & 0xff;
        if ((v & 0xfffff000L) != DEFAULT_BASE && en && !extd)
            bus.log("lapic " + initialId + ": APIC base moved to 0x" + Long.toHexString(v & ~0xfffL)
                    + "; the MMIO page stays where the integrator mapped it");
        return true;
    }

    // ---- state dump ----

    /** The APIC state for a "lapic" dump: registers, LVTs, timer and pending vectors. */
    public synchronized String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("lapic id=%d %s%s base=0x%x%n", apicIdLocked(), x2apic() ? "x2apic" : "xapic",
                hwEnabled() ? (swEnabled() ? "" : " sw-disabled") : " hw-disabled", apicBase));
        sb.append(String.format("  version=0x%08x tpr=0x%02x apr=0x%02x ppr=0x%02x ldr=0x%08x dfr=0x%08x svr=0x%03x%n",
                VERSION_VALUE, tpr, apr(), ppr(), x2apic() ? x2apicLdr() : ldr, dfr, svr));
        sb.append(String.format("  esr=0x%02x (pending 0x%02x) icr=0x%08x%08x (%s)%n", esr, esrPending, icrHi, icrLo,
                IcrValue.decode(Integer.toUnsignedLong(icrLo) | (long) icrHi << 32, x2apic()).describe()));
        sb.append("  lvt");
        for (int i = 0; i < lvt.length; i++) sb.append(String.format(" %s=0x%05x", LVT_NAME[i], lvt[i]));
        sb.append(String.format("%n  %s%n", timer.describe()));
        sb.append("  irr: ").append(irr.list()).append(System.lineSeparator());
        sb.append("  isr: ").append(isr.list()).append(System.lineSeparator());
        sb.append("  tmr: ").append(tmr.list()).append(System.lineSeparator());
        sb.append(String.format("  lint0=%b lint1=%b wait-for-sipi=%b ignored-sipis=%d%n",
                lintLevel[0], lintLevel[1], waitingForSipi, ignoredSipis));
        return sb.toString();
    }

    /** Vectors currently requested (IRR), for tests and dumps. */
    public synchronized List<Integer> pendingVectors() { return vectors(irr); }

    /** Vectors currently in service (ISR). */
    public synchronized List<Integer> inServiceVectors() { return vectors(isr); }

    private static List<Integer> vectors(VectorSet s) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int v = 255; v >= 0; v--) if (s.test(v)) out.add(v);
        return out;
    }
}
