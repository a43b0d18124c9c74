package dev.vmscope.kvm;

import dev.vmscope.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KVM's binary statistics of one vCPU (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst "KVM_GET_STATS_FD"):
 * counters kept inside the kernel, such as exits KVM handled without returning to userspace. Layout:
 * struct kvm_stats_header {flags, name_size, num_desc, id_offset, desc_offset, data_offset} (u32 each),
 * then descriptors {u32 flags; s16 exponent; u16 size; u32 offset; u32 bucket_size; char name[name_size]}
 * and u64 data. Only cumulative/instant scalar counters (size 1) are read.
 */
public final class KvmStats implements AutoCloseable {
    private final int fd;
    private final Map<String, long[]> descriptors = new LinkedHashMap<>(); // name -> {offset, size}
    private final long dataOffset;

    KvmStats(int fd) {
        this.fd = fd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(24, 8);
            Libc.pread(fd, h, 0, "read KVM stats header");
            int nameSize = h.get(ValueLayout.JAVA_INT, 4), n = h.get(ValueLayout.JAVA_INT, 8);
            long descOff = Integer.toUnsignedLong(h.get(ValueLayout.JAVA_INT, 16));
            dataOffset = Integer.toUnsignedLong(h.get(ValueLayout.JAVA_INT, 20));
            if (n < 0 || n > 4096 || nameSize <= 0 || nameSize > 4096) return;
            long dsz = 16L + nameSize;
            MemorySegment d = a.allocate(dsz * n, 8);
            Libc.pread(fd, d, descOff, "read KVM stats descriptors");
            for (int i = 0; i < n; i++) {
                long o = i * dsz;
                int size = d.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 6) & 0xffff;
                long off = Integer.toUnsignedLong(d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 8));
                byte[] name = d.asSlice(o + 16, nameSize).toArray(ValueLayout.JAVA_BYTE);
                int len = 0;
                while (len < name.length && name[len] != 0) len++;
                if (size == 1) descriptors.put(new String(name, 0, len, StandardCharsets.US_ASCII), new long[] {off, size});
            }
        }
    }

    /** Current value of every scalar counter, by KVM's name ("exits", "io_exits", "halt_exits", ...). */
    public Map<String, Long> read() {
        Map<String, Long> out = new LinkedHashMap<>();
        if (descriptors.isEmpty()) return out;
        long end = 0;
        for (long[] d : descriptors.values()) end = Math.max(end, d[0] + 8L * d[1]);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(Math.max(8, end), 8);
            Libc.pread(fd, data, dataOffset, "read KVM stats data");
            descriptors.forEach((name, d) -> out.put(name, data.get(ValueLayout.JAVA_LONG_UNALIGNED, d[0])));
        }
        return out;
    }

    @Override public void close() { Libc.close(fd); }
}
