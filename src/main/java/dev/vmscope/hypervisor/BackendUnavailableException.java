package dev.vmscope.hypervisor;

/** The accelerator asked for cannot run here (no /dev/kvm, no permission); the message says what to do. */
public final class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message, Throwable cause) { super(message, cause); }
}
