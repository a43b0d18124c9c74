package dev.vmscope.kvm;

/** GDTR or IDTR (struct kvm_dtable). */
public record DTable(long base, int limit) {}
