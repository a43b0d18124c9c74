package dev.vmscope;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package layering of ARCHITECTURE.md, checked against the sources: which package may use which
 * (imports and fully qualified names outside comments), no package cycles, restricted FFM methods only in the
 * native-binding packages, and the backends reached only through dev.vmscope.hypervisor.
 */
class ArchitectureTest {
    /** Package (prefix of dev.vmscope.) -> the packages it may use. A package missing here fails the test. */
    static final Map<String, Set<String>> ALLOWED = new TreeMap<>(Map.ofEntries(
            Map.entry("facts", Set.of()),
            Map.entry("util", Set.of()),
            Map.entry("sys", Set.of()),
            Map.entry("memory", Set.of()),
            Map.entry("bus", Set.of()),
            Map.entry("disasm", Set.of()),
            Map.entry("hypervisor", Set.of("facts")),
            Map.entry("input", Set.of("util")),
            Map.entry("devices", Set.of("bus", "memory", "devices", "util", "arch.x86.acpi", "facts", "virtio")),
            Map.entry("virtio", Set.of("memory", "virtio", "util")),
            Map.entry("arch.x86", Set.of("memory", "arch.x86", "devices.irq", "facts", "hypervisor")),
            Map.entry("loader", Set.of("memory", "arch.x86", "util")),
            Map.entry("kvm", Set.of("hypervisor", "kvm", "sys", "facts", "util")),
            Map.entry("emu", Set.of("hypervisor", "emu", "memory", "facts", "util", "disasm")),
            Map.entry("vcpu", Set.of("hypervisor", "bus", "facts", "util")),
            Map.entry("debug", Set.of("hypervisor", "memory", "disasm", "facts", "util")),
            Map.entry("explain", Set.of("explain", "facts", "util", "disasm", "input")),
            Map.entry("machine", Set.of("hypervisor", "kvm", "emu", "vcpu", "bus", "memory", "devices", "virtio", "arch.x86",
                    "loader", "debug", "sys", "util", "facts", "disasm")),
            Map.entry("bench", Set.of("machine", "hypervisor", "vcpu", "util", "loader", "sys")),
            Map.entry("cli", Set.of("*"))));

    /** Outside the backends themselves, only the wiring point names them (as cloud-hypervisor's hypervisor::new). */
    static final Set<String> BACKEND_USERS = Set.of("machine/Backends.java");
    static final Pattern RESTRICTED = Pattern.compile(
            "\\b(reinterpret|downcallHandle|upcallStub|nativeLinker|libraryLookup)\\s*\\(");
    static final Set<String> NATIVE_PACKAGES = Set.of("sys", "disasm");
    static final Pattern USE = Pattern.compile("\\bdev\\.vmscope\\.((?:[a-z][a-z0-9_]*\\.)*[a-z][a-z0-9_]*)(?=\\.[A-Z*]|;)");

    record Source(String path, String pkg, String text) {}

    static List<Source> sources() throws IOException {
        Path root = Path.of(System.getProperty("vmscope.basedir", "."), "src/main/java/dev/vmscope");
        List<Source> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                String rel = root.relativize(p).toString();
                String pkg = rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/')).replace('/', '.') : "";
                out.add(new Source(rel, pkg, code(Files.readString(p))));
            }
        }
        return out;
    }

    /** The text without comments and string literals, so Javadoc links and messages are not dependencies. */
    static String code(String s) {
        s = s.replaceAll("(?s)/\\*.*?\\*/", " ");
        s = s.replaceAll("//[^\\n]*", " ");
        return s.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
    }

    static Set<String> uses(Source src) {
        Set<String> out = new TreeSet<>();
        Matcher m = USE.matcher(src.text());
        while (m.find()) if (!m.group(1).equals(src.pkg())) out.add(m.group(1));
        return out;
    }

    static String rule(String pkg) {
        String best = null;
        for (String k : ALLOWED.keySet()) if ((pkg.equals(k) || pkg.startsWith(k + ".")) && (best == null || k.length() > best.length())) best = k;
        return best;
    }

    static boolean allowed(String from, String to) {
        String r = rule(from);
        if (r == null) return false;
        for (String a : ALLOWED.get(r)) if (a.equals("*") || to.equals(a) || to.startsWith(a + ".")) return true;
        return false;
    }

    static List<String> violations(List<Source> sources) {
        List<String> bad = new ArrayList<>();
        for (Source s : sources) {
            if (rule(s.pkg()) == null) bad.add(s.path() + ": package dev.vmscope." + s.pkg() + " has no layering rule (add it here and to ARCHITECTURE.md)");
            for (String u : uses(s)) {
                if (!allowed(s.pkg(), u)) bad.add(s.path() + ": " + s.pkg() + " must not use dev.vmscope." + u);
                boolean backend = u.equals("kvm") || u.startsWith("kvm.") || u.equals("emu") || u.startsWith("emu.");
                boolean inside = s.pkg().equals("kvm") || s.pkg().startsWith("kvm.") || s.pkg().equals("emu") || s.pkg().startsWith("emu.");
                if (backend && !inside && !BACKEND_USERS.contains(s.path()))
                    bad.add(s.path() + ": only " + BACKEND_USERS + " may name a backend (dev.vmscope." + u + "); use dev.vmscope.hypervisor");
            }
            if (RESTRICTED.matcher(s.text()).find() && !NATIVE_PACKAGES.contains(rule(s.pkg())))
                bad.add(s.path() + ": restricted FFM methods belong in " + NATIVE_PACKAGES);
        }
        return bad;
    }

    /** Package cycles, each as "a -> b -> ... -> a" (Tarjan's strongly connected components). */
    static List<String> cycles(List<Source> sources) {
        Map<String, Set<String>> g = new TreeMap<>();
        for (Source s : sources) g.computeIfAbsent(s.pkg(), k -> new TreeSet<>()).addAll(uses(s));
        List<String> out = new ArrayList<>();
        new Object() {
            final Map<String, Integer> index = new TreeMap<>(), low = new TreeMap<>();
            final List<String> stack = new ArrayList<>();
            int next;

            void run() { for (String v : g.keySet()) if (!index.containsKey(v)) visit(v); }

            void visit(String v) {
                index.put(v, next);
                low.put(v, next++);
                stack.add(v);
                for (String w : g.getOrDefault(v, Set.of())) {
                    if (!g.containsKey(w)) continue;
                    if (!index.containsKey(w)) { visit(w); low.put(v, Math.min(low.get(v), low.get(w))); }
                    else if (stack.contains(w)) low.put(v, Math.min(low.get(v), index.get(w)));
                }
                if (low.get(v).equals(index.get(v))) {
                    List<String> comp = new ArrayList<>();
                    String w;
                    do { w = stack.removeLast(); comp.add(w); } while (!w.equals(v));
                    if (comp.size() > 1) out.add(String.join(" <-> ", comp));
                }
            }
        }.run();
        return out;
    }

    @Test void packagesUseOnlyWhatTheLayeringAllows() throws IOException {
        List<String> bad = violations(sources());
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test void noPackageCycles() throws IOException {
        assertEquals(List.of(), cycles(sources()));
    }

    /** The checks catch what they are meant to: a forbidden import, a backend named outside the wiring point, a cycle. */
    @Test void theChecksFailOnAForbiddenDependency() {
        List<Source> bad = List.of(
                new Source("explain/parse/X.java", "explain.parse", code("package dev.vmscope.explain.parse;\nimport dev.vmscope.vcpu.Vcpu;")),
                new Source("vcpu/Y.java", "vcpu", code("package dev.vmscope.vcpu;\nimport dev.vmscope.kvm.VcpuFd;")),
                new Source("debug/Z.java", "debug", code("package dev.vmscope.debug; class Z { Object o = java.lang.foreign.Linker.nativeLinker(); }")));
        List<String> v = violations(bad);
        assertTrue(v.stream().anyMatch(s -> s.contains("explain.parse must not use dev.vmscope.vcpu")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("may name a backend")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("restricted FFM")), v.toString());
        assertFalse(violations(List.of(new Source("vcpu/Ok.java", "vcpu", code("import dev.vmscope.hypervisor.VcpuExit; // dev.vmscope.kvm.X")))).iterator().hasNext());
        List<Source> cyc = List.of(new Source("a/A.java", "arch.x86", code("import dev.vmscope.loader.LoadResult;")),
                new Source("l/L.java", "loader", code("import dev.vmscope.arch.x86.BootState;")));
        assertEquals(List.of("loader <-> arch.x86"), cycles(cyc));
    }
}
