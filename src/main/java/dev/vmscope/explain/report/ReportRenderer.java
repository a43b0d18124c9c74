package dev.vmscope.explain.report;

import dev.vmscope.util.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Text and JSON renderings of a {@link Report}; both carry the same facts and citations. */
public final class ReportRenderer {
    private ReportRenderer() {}

    public static String text(Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append("== ").append(r.file()).append(" ==\n");
        sb.append("format: ").append(r.format()).append(r.formatSource().isEmpty() ? "" : " [" + r.formatSource() + "]")
                .append('\n');
        sb.append("hypervisor: ").append(r.hypervisor()).append(", vendor: ").append(r.vendor()).append('\n');
        for (Report.Section s : r.sections()) {
            sb.append('\n').append(s.title()).append(":\n");
            for (Report.Fact f : s.facts()) {
                sb.append("  - ").append(f.text());
                if (f.line() > 0) sb.append(" (line ").append(f.line()).append(')');
                sb.append("\n      source: ").append(f.source()).append('\n');
            }
        }
        if (!r.notInterpreted().isEmpty()) {
            sb.append("\nnot interpreted:\n");
            for (String s : r.notInterpreted()) sb.append("  ").append(s).append('\n');
        }
        sb.append("\nresult: ").append(switch (r.status()) {
            case 0 -> "fully understood";
            case 1 -> "partly understood";
            default -> "unreadable or unknown format";
        }).append('\n');
        return sb.toString();
    }

    public static Map<String, Object> json(Report r) {
        Map<String, Object> m = Json.obj();
        m.put("file", r.file());
        m.put("format", r.format());
        m.put("format_source", r.formatSource());
        m.put("hypervisor", r.hypervisor());
        m.put("vendor", r.vendor());
        m.put("status", r.status());
        List<Object> secs = new ArrayList<>();
        for (Report.Section s : r.sections()) {
            Map<String, Object> so = Json.obj();
            so.put("title", s.title());
            List<Object> facts = new ArrayList<>();
            for (Report.Fact f : s.facts()) {
                Map<String, Object> fo = Json.obj();
                fo.put("text", f.text());
                fo.put("source", f.source());
                if (f.line() > 0) fo.put("line", f.line());
                if (!f.data().isEmpty()) fo.put("data", f.data());
                facts.add(fo);
            }
            so.put("facts", facts);
            secs.add(so);
        }
        m.put("sections", secs);
        m.put("not_interpreted", r.notInterpreted());
        return m;
    }
}
