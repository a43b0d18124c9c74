package dev.vmscope.devices.irq;

/**
 * What a local APIC asks of its vCPU; the integrator implements one per vCPU. Every method may be called
 * from any thread (another vCPU sending an IPI, a device thread, a timer thread) and possibly while an
 * interrupt-controller lock is held, so implementations must only record the request and wake the vCPU
 * (e.g. set a flag and signal the thread out of KVM_RUN with immediate_exit); they must never call back into
 * a LocalApic, IoApic, Pic8259 or Pit8254 synchronously.
 */
public interface CpuSignals {
    /** An interrupt may have become deliverable: re-evaluate {@link LocalApic#hasInterrupt()}. */
    void kick();

    /** Inject an NMI (KVM_NMI). */
    void nmi();

    /** Enter SMM (KVM_SMI); the vmscope integrator may just log it. */
    void smi();

    /**
     * INIT: the vCPU enters wait-for-SIPI (SDM vol. 3 section 9.4 / 11.6.1 INIT delivery mode). When it
     * takes the INIT, before it runs again, the integrator must call {@link LocalApic#takeInit()} from the
     * vCPU's thread so that the APIC's registers are reset at that instruction boundary.
     */
    void init();

    /** SIPI while waiting: start in real mode at CS = vector << 8 (base vector << 12), IP 0. */
    void startup(int vector);

    CpuSignals NONE = new CpuSignals() {
        public void kick() { }
        public void nmi() { }
        public void smi() { }
        public void init() { }
        public void startup(int vector) { }
    };
}
