package dev.vmscope.devices.virtio;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One {@code --drive} option in QEMU's spelling: {@code file=IMG,format=raw,if=virtio[,readonly=on]}
 * (QEMU docs "-drive"; a comma inside a value is written twice, as QEMU's option parser wants). Only raw
 * images on virtio are supported; format and if default to raw and virtio.
 */
public record Drive(Path file, boolean readOnly) {
    /** Parses the option's value; a bad one is a one-line IllegalArgumentException naming the problem. */
    public static Drive parse(String spec) {
        Path file = null;
        boolean readOnly = false;
        for (String opt : split(spec)) {
            int eq = opt.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("--drive: '" + opt + "' is not key=value");
            String key = opt.substring(0, eq), value = opt.substring(eq + 1);
            switch (key) {
                case "file" -> {
                    if (value.isEmpty()) throw new IllegalArgumentException("--drive: file= is empty");
                    file = Path.of(value);
                }
                case "format" -> {
                    if (!value.equals("raw"))
                        throw new IllegalArgumentException("--drive: format=" + value + " is not supported (only raw)");
                }
                case "if" -> {
                    if (!value.equals("virtio"))
                        throw new IllegalArgumentException("--drive: if=" + value + " is not supported (only virtio)");
                }
                case "readonly" -> readOnly = flag(value);
                default -> throw new IllegalArgumentException("--drive: unknown option '" + key
                        + "' (supported: file, format=raw, if=virtio, readonly=on|off)");
            }
        }
        if (file == null) throw new IllegalArgumentException("--drive: file=IMG is missing");
        return new Drive(file, readOnly);
    }

    private static boolean flag(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new IllegalArgumentException("--drive: readonly=" + v + " is not on or off");
        };
    }

    /** Splits at single commas; ",," is a literal comma. */
    private static java.util.List<String> split(String spec) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == ',' && i + 1 < spec.length() && spec.charAt(i + 1) == ',') {
                cur.append(',');
                i++;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        out.removeIf(String::isEmpty);
        return out;
    }

    /** Opens the image and builds the virtio-blk device for it; {@code serial} answers GET_ID. */
    public VirtioBlk open(String serial) { return new VirtioBlk(BlockImage.open(file, readOnly), serial); }
}
