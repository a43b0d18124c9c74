package dev.vmscope.arch.x86;

/** GDTR or IDTR: guest-linear base and limit (size in bytes minus one). */
public record DescriptorTable(long base, int limit) { }
