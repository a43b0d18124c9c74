package dev.vmscope.kvm;

/** Pending and injected events of a vCPU (struct kvm_vcpu_events), for dumps and the debugger. */
public record VcpuEvents(boolean exceptionInjected, int exceptionNr, boolean exceptionHasErrorCode,
                         boolean exceptionPending, int exceptionErrorCode, boolean interruptInjected,
                         int interruptNr, boolean interruptSoft, int interruptShadow, boolean nmiInjected,
                         boolean nmiPending, boolean nmiMasked, int sipiVector, int flags, boolean smm,
                         boolean smiPending) {}
