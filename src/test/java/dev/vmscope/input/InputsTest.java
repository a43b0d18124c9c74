package dev.vmscope.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.airlift.compress.zstd.ZstdOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compression, encodings, magic numbers and the cap, on bytes made here. */
class InputsTest {
    private static final byte[] TEXT = "  CPU 0/KVM-1 [000] 1.000001: kvm_exit: vcpu 0 reason HLT rip 0x10\nsecond line\n"
            .repeat(1000).getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    interface Wrap { OutputStream wrap(OutputStream o) throws IOException; }

    private static byte[] compress(Wrap w) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (OutputStream z = w.wrap(o)) { z.write(TEXT); }
        return o.toByteArray();
    }

    private static byte[] read(byte[] input, long cap) throws IOException {
        try (TextInput t = Inputs.open("-", new ByteArrayInputStream(input), cap, "too large")) {
            return t.readAll();
        }
    }

    @Test
    void gzipXzZstdAndPlainGiveTheSameText() throws IOException {
        assertArrayEquals(TEXT, read(TEXT, Long.MAX_VALUE));
        assertArrayEquals(TEXT, read(compress(GZIPOutputStream::new), Long.MAX_VALUE));
        assertArrayEquals(TEXT, read(compress(o -> new XZOutputStream(o, new LZMA2Options())), Long.MAX_VALUE));
        assertArrayEquals(TEXT, read(compress(ZstdOutputStream::new), Long.MAX_VALUE));
        Path gz = Files.write(dir.resolve("t.gz"), compress(GZIPOutputStream::new));
        try (TextInput t = Inputs.open(gz.toString(), InputStream.nullInputStream(), Long.MAX_VALUE, "x")) {
            assertArrayEquals(TEXT, t.readAll());
            assertEquals("gzip", t.decoding());
            assertEquals(Files.size(gz), t.sourceSize());
            assertEquals(Files.size(gz), t.sourceBytesRead());
        }
    }

    @Test
    void binaryRecordingsNameTheCommandThatMakesText() throws IOException {
        byte[] traceDat = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0, 1};
        Path dat = Files.write(dir.resolve("trace.dat"), traceDat);
        InputException e = assertThrows(InputException.class, () -> Inputs.open(dat.toString(), null, 100, "x"));
        assertTrue(e.getMessage().contains("trace-cmd report -i " + dat + " > trace.txt"), e.getMessage());
        Path perf = Files.write(dir.resolve("perf.data"), "PERFILE2\0\0\0\0".getBytes(StandardCharsets.US_ASCII));
        e = assertThrows(InputException.class, () -> Inputs.open(perf.toString(), null, 100, "x"));
        assertTrue(e.getMessage().contains("perf script -i " + perf), e.getMessage());
        byte[] gzDat = new byte[0];
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(o)) { z.write(traceDat); }
        gzDat = o.toByteArray();
        byte[] inner = gzDat;
        e = assertThrows(InputException.class, () -> read(inner, 100));
        assertTrue(e.getMessage().contains("gzip holding a binary trace-cmd recording"), e.getMessage());
    }

    @Test
    void capHoldsForDecompressionBombs() throws IOException {
        byte[] zeros = new byte[8 << 20];
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(o)) { z.write(zeros); }
        assertTrue(o.size() < 64 << 10);
        InputException e = assertThrows(InputException.class, () -> read(o.toByteArray(), 1 << 20));
        assertEquals("too large", e.getMessage());
    }

    @Test
    void utf16WithoutBomIsRecognised() throws IOException {
        String s = new String(TEXT, StandardCharsets.UTF_8);
        assertArrayEquals(TEXT, read(s.getBytes(StandardCharsets.UTF_16LE), Long.MAX_VALUE));
        assertArrayEquals(TEXT, read(s.getBytes(StandardCharsets.UTF_16BE), Long.MAX_VALUE));
        byte[] bom = {(byte) 0xfe, (byte) 0xff};
        byte[] be = s.getBytes(StandardCharsets.UTF_16BE);
        byte[] both = java.util.Arrays.copyOf(bom, 2 + be.length);
        System.arraycopy(be, 0, both, 2, be.length);
        assertArrayEquals(TEXT, read(both, Long.MAX_VALUE));
    }

    @Test
    void missingAndDirectoryAreOneLine() {
        InputException e = assertThrows(InputException.class, () -> Inputs.open(dir.resolve("nope").toString(), null, 1, "x"));
        assertEquals(dir.resolve("nope") + ": cannot read: no such file", e.getMessage());
        e = assertThrows(InputException.class, () -> Inputs.open(dir.toString(), null, 1, "x"));
        assertTrue(e.getMessage().endsWith("is a directory"));
    }
}
