package dev.vmscope.facts;

/**
 * One exit code / exit reason of a hypervisor or of the CPU.
 *
 * @param code         numeric value as it appears in dumps (SVM codes are 64-bit; -1 is VMEXIT_INVALID)
 * @param name         symbolic name as spelled by the cited source (e.g. {@code SVM_EXIT_ICEBP})
 * @param meaning      what the exit says happened, in our words
 * @param typicalCause what usually makes a guest or hypervisor produce it
 * @param source       citation: manual section or source file
 */
public record ExitCodeInfo(long code, String name, String meaning, String typicalCause, String source) {
    public ExitCodeInfo {
        java.util.Objects.requireNonNull(name);
        java.util.Objects.requireNonNull(meaning);
        java.util.Objects.requireNonNull(typicalCause);
        java.util.Objects.requireNonNull(source);
    }
}
