package dev.vmscope.facts;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An immutable code -> {@link ExitCodeInfo} table; duplicate codes are a programming error. */
public final class CodeTable {
    private final String title;
    private final List<ExitCodeInfo> entries;
    private final Map<Long, ExitCodeInfo> byCode = new HashMap<>();
    private final Map<String, ExitCodeInfo> byName = new HashMap<>();

    public CodeTable(String title, List<ExitCodeInfo> entries) {
        this.title = title;
        this.entries = List.copyOf(entries);
        for (ExitCodeInfo e : this.entries) {
            if (byCode.putIfAbsent(e.code(), e) != null) {
                throw new IllegalStateException(title + ": duplicate code " + Long.toHexString(e.code()));
            }
            byName.putIfAbsent(e.name(), e);
        }
    }

    public String title() { return title; }

    public List<ExitCodeInfo> entries() { return entries; }

    public Optional<ExitCodeInfo> lookup(long code) { return Optional.ofNullable(byCode.get(code)); }

    public Optional<ExitCodeInfo> byName(String name) { return Optional.ofNullable(byName.get(name)); }
}
