package dev.vmscope.explain.parse;

import java.util.List;

/** One input format: recognise it ({@link #sniff}) and read it ({@link #parse}). Parsers never throw on input. */
public interface DumpParser {
    Format format();

    /** How many of these lines look like this format (0 = none); used for automatic detection. */
    int sniff(List<Line> lines);

    ParsedDump parse(String file, byte[] data, List<Line> lines);
}
