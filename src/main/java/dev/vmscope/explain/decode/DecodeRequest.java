package dev.vmscope.explain.decode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed {@code decode KIND VALUE... [options]} arguments. */
public record DecodeRequest(String kind, List<String> values, Map<String, String> options, Set<String> flags) {
    private static final Set<String> WITH_ARG = Set.of("--qualification", "--word", "--bits", "--suberror", "--value");
    private static final Set<String> FLAGS = Set.of("--json", "--x2apic", "--svm", "--vmx");

    public static DecodeRequest parse(List<String> args) {
        if (args.isEmpty()) throw new DecodeException("missing KIND (try 'vmscope decode --help')");
        String kind = args.get(0);
        List<String> values = new ArrayList<>();
        Map<String, String> opts = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            String key = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
            if (WITH_ARG.contains(key)) {
                String v;
                if (!key.equals(a)) v = a.substring(a.indexOf('=') + 1);
                else if (i + 1 < args.size()) v = args.get(++i);
                else throw new DecodeException("option " + a + " needs a value");
                opts.put(key, v);
            } else if (FLAGS.contains(a)) {
                flags.add(a);
            } else if (a.startsWith("--") || (a.startsWith("-") && !a.matches("-[0-9]+"))) {
                throw new DecodeException("unknown option '" + a + "' for decode " + kind);
            } else {
                values.add(a);
            }
        }
        return new DecodeRequest(kind, List.copyOf(values), Map.copyOf(opts), Set.copyOf(flags));
    }

    public boolean json() { return flags.contains("--json"); }

    public boolean has(String flag) { return flags.contains(flag); }

    /** The single positional value; error if missing or repeated. */
    public String value() {
        if (values.size() != 1) {
            throw new DecodeException("decode " + kind + " takes exactly one VALUE (got " + values.size() + ")");
        }
        return values.get(0);
    }
}
