package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.BhyvectlDump;
import dev.vmscope.util.Json;

import java.util.Locale;
import java.util.Map;

/** vm_stat counters: each exit counter as a share of "total number of vm exits" of the same vCPU. */
final class BhyveStatsExplainer {
    private static final String SRC = "FreeBSD sys/amd64/vmm/vmm.c, vmm/amd/svm.c, vmm/intel/vmx.c (VMM_STAT"
            + " declarations); printed by " + Cite.BHYVECTL;
    private final BhyvectlDump d;
    private final Report.Builder r;

    BhyveStatsExplainer(BhyvectlDump d, Report.Builder r) {
        this.d = d;
        this.r = r;
    }

    void explain() {
        for (BhyvectlDump.VmStat s : d.stats()) {
            long total = totalExits(s.vcpu());
            String desc = s.name().toLowerCase(Locale.ROOT);
            boolean exitCounter = !desc.equals("total number of vm exits")
                    && (desc.contains("vm exits") || desc.contains("intercepted") || desc.contains("exits due to"));
            Map<String, Object> data = Json.obj();
            data.put("vcpu", s.vcpu());
            data.put("name", s.name());
            data.put("value", s.value());
            var known = Knowledge.bhyveStat(s.name());
            String id = known.map(x -> " [" + x.id() + "]").orElse("");
            known.ifPresent(x -> data.put("counts", x.counts()));
            String src = known.map(x -> x.source() + "; printed by " + Cite.BHYVECTL).orElse(SRC);
            if (exitCounter && total > 0 && s.value() != 0) {
                double pct = Math.round(s.value() * 10000.0 / total) / 100.0;
                data.put("pct_of_exits", pct);
                r.fact(BhyvectlExplainer.STATS, String.format(Locale.ROOT, "%s %s%s: %d (%.2f%% of %d exits)",
                        vcpu(s), s.name(), id, s.value(), pct, total) + known.map(x -> " - counts " + x.counts()).orElse(""), src,
                        s.line(), data);
            } else if (s.value() != 0) {
                r.fact(BhyvectlExplainer.STATS, vcpu(s) + " " + s.name() + id + ": " + s.value()
                        + known.map(x -> " - counts " + x.counts()).orElse(""), src, s.line(), data);
            }
        }
        long zero = d.stats().stream().filter(s -> s.value() == 0).count();
        if (zero > 0) {
            r.fact(BhyvectlExplainer.STATS, zero + " other counters are zero", SRC, d.stats().getFirst().line());
        }
    }

    private static String vcpu(BhyvectlDump.VmStat s) { return s.vcpu() >= 0 ? "vcpu" + s.vcpu() : "vcpu ?"; }

    private long totalExits(int vcpu) {
        for (BhyvectlDump.VmStat s : d.stats()) {
            if (s.vcpu() == vcpu && s.name().equalsIgnoreCase("total number of vm exits")) return s.value();
        }
        return 0;
    }
}
