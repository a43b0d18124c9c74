package dev.vmscope.arch.x86.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmscope.machine.PcDevices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DsdtTest {
    private static final PlatformConfig CFG = PcDevices.platformConfig(2);

    @Test void pkgLengthCountsItselfAndSwitchesToMultiByteAbove63() {
        assertArrayEquals(new byte[] {0x3f}, Aml.pkgLength(62));
        // 63 body bytes + 2 length bytes = 65 = 0x41: lead 0x41 (one more byte, low nibble 1), then 0x04.
        assertArrayEquals(new byte[] {0x41, 0x04}, Aml.pkgLength(63));
        assertArrayEquals(new byte[] {(byte) 0x8a, 0x00, 0x10}, Aml.pkgLength(0x10000 - 3 + 0x0a));   // 3 bytes: 0x1000a
    }

    @Test void eisaIdAndIntegersEncodeAsTheSpecSays() {
        assertEquals("0c41d00a03", HexFormat.of().formatHex(Aml.eisaId("PNP0A03")));   // 0x030AD041
        assertEquals("00", HexFormat.of().formatHex(Aml.integer(0)));
        assertEquals("0aff", HexFormat.of().formatHex(Aml.integer(0xff)));
        assertEquals("0b0001", HexFormat.of().formatHex(Aml.integer(0x100)));
        assertEquals("0cffff0300", HexFormat.of().formatHex(Aml.integer(0x3ffff)));
        assertEquals("0e0000000001000000", HexFormat.of().formatHex(Aml.integer(1L << 32)));
    }

    @Test void prtRoutesEverySlotAndPinThroughThePiix3Swizzle() {
        byte[] prt = Aml.pkg(Dsdt.prt(CFG));
        String hex = HexFormat.of().formatHex(Dsdt.prt(CFG));
        // Slot 3 INTA -> PIRQC -> IRQ 11; slot 3 INTB -> PIRQD -> 11; slot 5 INTA -> PIRQA -> 10.
        assertTrue(hex.contains("120b04" + "0cffff0300" + "00" + "00" + "0a0b"), hex);
        assertTrue(hex.contains("120b04" + "0cffff0300" + "01" + "00" + "0a0b"));
        assertTrue(hex.contains("120b04" + "0cffff0500" + "00" + "00" + "0a0a"));
        assertEquals(11, CFG.pciIrq(3, 0));
        assertEquals(10, CFG.pciIrq(5, 0));
        assertTrue(prt.length > 128 * 10);
    }

    @Test void dsdtHasTheRootBridgeWithItsWindows() {
        byte[] t = Dsdt.build(CFG);
        assertEquals(t.length, AcpiTablesTest.le(t).getInt(4));
        assertEquals(0, TableBuffer.sum(t, 0, t.length));
        String aml = new String(t, StandardCharsets.ISO_8859_1);
        assertTrue(aml.contains("\\_SB_"));
        assertTrue(aml.contains("PCI0\u0008_HID"), "Device(PCI0) { Name(_HID ...");
        assertTrue(aml.contains("_PRT"));
        assertTrue(aml.contains("\u0047\u0001\u00f8\u000c\u00f8\u000c\u0001\u0008"), "IO(Decode16, 0xcf8, 0xcf8, 1, 8)");
    }

    /** Decompiles the table with ACPICA's iasl (package acpica-tools) when it is installed. */
    @Test void iaslDecompilesTheDsdtWithoutErrors(@TempDir Path dir) throws IOException, InterruptedException {
        Path iasl = Path.of("/usr/bin/iasl");
        assumeTrue(Files.isExecutable(iasl), "iasl (Debian acpica-tools) is not installed");
        Path aml = dir.resolve("dsdt.aml");
        Files.write(aml, Dsdt.build(CFG));
        Process p = new ProcessBuilder(iasl.toString(), "-d", aml.toString()).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        String dsl = Files.readString(dir.resolve("dsdt.dsl"));
        assertFalse(dsl.contains("Unknown") || dsl.contains("Error"), dsl);
        assertTrue(dsl.contains("Device (PCI0)"), dsl);
        assertTrue(dsl.contains("EisaId (\"PNP0A03\")"), dsl);
        assertTrue(dsl.contains("Name (_BBN, Zero)"), dsl);
        assertTrue(Pattern.compile("WordBusNumber \\(ResourceProducer, MinFixed, MaxFixed, PosDecode,\\s*"
                + "0x0000,[^\\n]*\\n\\s*0x0000,[^\\n]*\\n\\s*0x00FF,").matcher(dsl).find(), dsl);
        assertTrue(Pattern.compile("DWordMemory \\(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,"
                + "\\s*0x00000000,[^\\n]*\\n\\s*0xE0000000,[^\\n]*\\n\\s*0xFEBFFFFF,").matcher(dsl).find(), dsl);
        assertTrue(dsl.contains("IO (Decode16,"), dsl);
        Matcher m = Pattern.compile("Package \\(0x04\\)\\s*\\{\\s*0x0003FFFF,\\s*Zero,\\s*Zero,\\s*0x0B\\s*\\}").matcher(dsl);
        assertTrue(m.find(), "slot 3 INTA -> GSI 11\n" + dsl);
        assertTrue(dsl.contains("Name (\\_S5, Package (0x04)"), dsl);
    }
}
