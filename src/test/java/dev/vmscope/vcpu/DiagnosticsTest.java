package dev.vmscope.vcpu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Fatal-exit wording comes from the cited tables, not from strings of our own. */
class DiagnosticsTest {
    @Test
    void internalErrorSuberrorsAreNamed() {
        assertTrue(Diagnostics.suberror(1).startsWith("KVM_INTERNAL_ERROR_EMULATION (1): "), Diagnostics.suberror(1));
        assertTrue(Diagnostics.suberror(3).startsWith("KVM_INTERNAL_ERROR_DELIVERY_EV (3): "), Diagnostics.suberror(3));
        assertEquals("unknown suberror 99", Diagnostics.suberror(99));
    }

    @Test
    void entryFailureReasonIsDecodedForTheHostVendor() throws Exception {
        boolean amd = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains("AuthenticAMD");
        if (amd) assertTrue(Diagnostics.entryFailure(-1L).startsWith("SVM_EXIT_ERR: VMEXIT_INVALID"), Diagnostics.entryFailure(-1L));
        else assertTrue(Diagnostics.entryFailure(0x80000021L).contains("INVALID_STATE"), Diagnostics.entryFailure(0x80000021L));
    }
}
