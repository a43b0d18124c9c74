package dev.vmscope.explain.parse;

import java.util.List;
import java.util.Map;

/**
 * bhyve's own report of an exit it could not handle (usr.sbin/bhyve/amd64/vmexit.c: vmexit_svm, vmexit_vmx,
 * vmexit_inst_emul, vmexit_inout), or the same block printed by "bhyvectl --run".
 */
public record BhyveExitDump(String file, Vendor vendor, List<Exit> exits, List<Message> messages,
        List<Unparsed> unparsed) implements ParsedDump {

    /** A "vm exit[N]" block: reason (SVM/VMX/INOUT) and its tab-separated key/value lines, in order. */
    public record Exit(int vcpu, String reason, Map<String, String> values, int line) {
        public Long number(String key) { return Text.number(values.get(key) == null ? null : firstToken(values.get(key))); }

        private static String firstToken(String s) {
            s = s.strip();
            int sp = s.indexOf(' ');
            return sp < 0 ? s : s.substring(0, sp);
        }
    }

    /**
     * A one-line diagnostic: kind "emulation-failure" ("Failed to emulate instruction sequence [ bytes ] at 0x..."),
     * "unhandled-io" ("Unhandled inb 0x0060 at 0x..."), "unhandled-mmio" ("Unhandled memory access to 0x...").
     */
    public record Message(String kind, String text, Long address, String bytes, int line) {}

    @Override
    public Format format() { return Format.BHYVE_EXIT; }

    @Override
    public int recognized() { return exits.size() + messages.size(); }
}
