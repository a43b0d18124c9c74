package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.ExitCountsDump;
import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.LocalApic;
import dev.vmscope.facts.PcMemoryMap;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Exit-count tables ({@link ExitCountsDump}): each reason named by the vendor the table proves, the dominant one first. */
final class ExitCountsExplainer {
    static final String SECTION = "Exit counts";

    private ExitCountsExplainer() {}

    static void explain(ExitCountsDump d, Report.Builder r) {
        r.fact(SECTION, "printed by " + d.tool() + "; host vendor: " + d.vendor().label + (d.evidence().isEmpty() ? ""
                : " (evidence: " + d.evidence() + ")"), "vmscope explain (vendor rules in dev.vmscope.explain.parse"
                + ".ExitCountsParser)", 0);
        long total = d.rows().stream().mapToLong(ExitCountsDump.Row::count).sum();
        List<ExitCountsDump.Row> rows = d.rows().stream().sorted(Comparator.comparingLong(ExitCountsDump.Row::count).reversed())
                .toList();
        for (int i = 0; i < rows.size(); i++) {
            ExitCountsDump.Row row = rows.get(i);
            Optional<ExitCodeInfo> e = row.name() != null
                    ? (row.name().startsWith("SVM_") ? Knowledge.svmByName(row.name()) : Knowledge.vmxByName(row.name()))
                    : Knowledge.exit(d.vendor(), row.code());
            String name = e.map(ExitCodeInfo::name).orElse(row.name() != null ? row.name() : (d.vendor() == Vendor.UNKNOWN
                    ? "code " + row.code() + " (vendor unknown)" : "code 0x" + Long.toHexString(row.code()) + " (not in the table)"));
            r.fact(SECTION, String.format(Locale.ROOT, "%s%s: %d exits (%.1f%%)%s%s", i == 0 && rows.size() > 1
                    ? "most frequent: " : "", name, row.count(), 100.0 * row.count() / Math.max(1, total),
                    row.avgUs() == null ? "" : ", average " + row.avgUs().longValue() + " us", e.map(x -> " - " + x.meaning())
                    .orElse("")), e.map(ExitCodeInfo::source).orElse("the printing tool"), row.line());
        }
        for (ExitCountsDump.Npf n : d.npfs()) {
            String where = PcMemoryMap.lookup(n.gpa()).map(x -> x.name() + (x.name().equals("local APIC")
                    ? LocalApic.byOffset((int) (n.gpa() & 0xff0)).map(a -> " register " + a.name() + " (" + a.meaning() + ")")
                    .orElse("") : "")).orElse("no fixed PC range");
            r.fact(SECTION, String.format("nested page fault at guest-physical 0x%x from guest rip 0x%x, flags %s, %d times:"
                    + " %s", n.gpa(), n.rip(), n.flags(), n.count(), where), "FreeBSD/illumos vmm NPF exits;"
                    + " " + dev.vmscope.facts.Sources.SDM_APIC, n.line());
        }
        for (ExitCountsDump.Port p : d.ports()) {
            var x = Knowledge.port(p.port());
            r.fact(SECTION, String.format("port 0x%x %s: %d exits%s", p.port(), p.op(), p.count(), x.map(y -> " - " + y.name()
                    + " (" + y.meaning() + ")").orElse(" (not in vmscope's port table; VMM-specific)")),
                    x.map(y -> y.source()).orElse("the printing tool"), p.line());
        }
    }
}
