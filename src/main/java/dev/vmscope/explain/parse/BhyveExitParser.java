package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.List;

/** bhyve's console diagnostics for exits it could not handle; see {@link BhyveExitLines} for the formats. */
public final class BhyveExitParser implements DumpParser {
    static final String EXPECTED = "a 'vm exit[N]' block, a tab-indented 'key value' line or a bhyve exit message";

    @Override
    public Format format() { return Format.BHYVE_EXIT; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            String s = l.text().strip();
            if (s.startsWith("vm exit[") || s.startsWith("Failed to emulate instruction")) n += 5;
            else if (s.startsWith("Unhandled memory access") || s.startsWith("vm_loop: unexpected exitcode")) n += 3;
            else if (s.startsWith("reason\t") || s.startsWith("exitcode\t") || s.startsWith("inst_length\t")) n++;
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> lines) {
        BhyveExitLines r = new BhyveExitLines();
        List<Unparsed> bad = new ArrayList<>();
        for (Line l : lines) {
            if (l.text().isBlank()) {
                r.close();
                continue;
            }
            if (!r.accept(l)) bad.add(new Unparsed(l.number(), l.text(), EXPECTED));
        }
        r.close();
        return new BhyveExitDump(file, r.vendor(), List.copyOf(r.exits), List.copyOf(r.messages), bad);
    }
}
