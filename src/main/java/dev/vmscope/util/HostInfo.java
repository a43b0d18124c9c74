package dev.vmscope.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a bug report about a VM needs to say about where it ran: the host CPU (vendor decides SVM or VMX,
 * and which exit-code table applies), the host kernel (its KVM), and this build. Read from /proc; a field
 * that cannot be read says "unknown" rather than failing the report it is part of.
 */
public final class HostInfo {
    public static final String VMSCOPE_VERSION = "0.1.0";

    private HostInfo() {}

    /** Ordered: vmscope, java, kernel, cpu_vendor, cpu_model, cpu_flags_virt. */
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("vmscope", VMSCOPE_VERSION);
        m.put("java", Runtime.version().toString());
        m.put("kernel", read(Path.of("/proc/sys/kernel/osrelease")).strip());
        String cpuinfo = read(Path.of("/proc/cpuinfo"));
        m.put("cpu_vendor", field(cpuinfo, "vendor_id"));
        m.put("cpu_model", field(cpuinfo, "model name"));
        String flags = " " + field(cpuinfo, "flags") + " ";
        String virt = (flags.contains(" vmx ") ? "vmx " : "") + (flags.contains(" svm ") ? "svm " : "")
                + (flags.contains(" hypervisor ") ? "hypervisor" : "");
        m.put("cpu_flags_virt", virt.isBlank() ? "none" : virt.strip());
        return m;
    }

    /** The value of the first "name : value" line of /proc/cpuinfo text, or "unknown". */
    static String field(String cpuinfo, String name) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(name)) return line.substring(colon + 1).strip();
        }
        return "unknown";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
