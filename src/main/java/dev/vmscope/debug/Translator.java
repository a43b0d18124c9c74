package dev.vmscope.debug;

/**
 * Guest-virtual to guest-physical translation for one vCPU's current paging mode. Until
 * {@code dev.vmscope.arch.x86.PageWalker} is merged the integrator supplies this (e.g. wrapping the page
 * walker or KVM_TRANSLATE); {@link #IDENTITY} serves guests with paging off and tests.
 */
@FunctionalInterface
public interface Translator {
    sealed interface Result permits Mapped, Fault {}

    /** The page containing gva maps to gpa (the byte address, not the frame). */
    record Mapped(long gpa) implements Result {}

    /** No translation: not present, reserved bit, or not writable when {@code write} was asked. */
    record Fault(String why) implements Result {}

    /** Must not throw for any gva; a hostile page table yields a Fault. */
    Result translate(int vcpu, long gva, boolean write);

    Translator IDENTITY = (vcpu, gva, write) -> new Mapped(gva);
}
