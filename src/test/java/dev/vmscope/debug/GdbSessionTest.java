package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.hypervisor.CpuState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Session and command behaviour on the fake target, which stands in for KVM. */
class GdbSessionTest {
    private final List<String> console = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private FakeTarget target;
    private GdbSession session;

    private void open(DebugCapabilities caps) {
        target = new FakeTarget(2, caps);
        session = new GdbSession(target, new MonitorCommands(target, new MonitorCommands.Sources(() -> "exits: 42", () -> "LAPIC0 id 0", new FlightRecorder(2))), out, console::add);
    }

    @AfterEach
    void close() { if (target != null) target.close(); }

    /** Sends one packet, returns everything written back. */
    private String send(String packet) throws Exception {
        out.reset();
        byte[] w = RspPacketCodec.encode(packet);
        session.onBytes(w, w.length);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String payload(String wire) {
        int a = wire.indexOf('$'), b = wire.lastIndexOf('#');
        return a < 0 ? null : wire.substring(a + 1, b);
    }

    private String stopAfterResume() throws Exception {
        out.reset();
        StopEvent e = target.awaitStop(5000);
        assertNotNull(e, "the fake stopped within 5 s");
        session.onStop(e);
        return payload(out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void unmappedMemoryIsE14AndStateStaysConsistent() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        String before = payload(send("g"));
        assertEquals("E14", payload(send("m20000,4")), "between the RAM regions");
        assertEquals("E14", payload(send("M1fffe,4:01020304")), "write straddling the end of RAM");
        assertEquals(0, target.readPhysical(0x1fffe, 2)[0], "nothing written by the failed M");
        assertEquals(before, payload(send("g")));
        target.setTranslator((v, gva, w) -> gva >= 0x8000 ? new Translator.Fault("not present") : new Translator.Mapped(gva));
        assertEquals("E14", payload(send("m7ffe,4")), "page fault in the second page");
        assertEquals("00000000", payload(send("m7ff0,4")));
    }

    @Test
    void acksNaksAndNoAckMode() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        out.reset();
        byte[] bad = "$g#00".getBytes(StandardCharsets.ISO_8859_1);
        session.onBytes(bad, bad.length);
        assertEquals("-", out.toString(StandardCharsets.ISO_8859_1));
        String r = send("QStartNoAckMode");
        assertTrue(r.startsWith("+$OK#"), r);
        assertFalse(send("qC").startsWith("+"), "no acks after QStartNoAckMode");
        assertEquals("", payload(send("qUnknownThing")), "unknown packets get the empty reply");
    }

    @Test
    void softwareBreakpointsUseHardwareSlotsWhenInt3IsNotIntercepted() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        for (int i = 0; i < 4; i++) assertEquals("OK", payload(send("Z0," + Integer.toHexString(0x1010 + i) + ",1")));
        assertEquals("OK", payload(send("Z0,1010,1")), "re-inserting is idempotent");
        assertEquals("E28", payload(send("Z0,1020,1")));
        assertTrue(console.getLast().contains("all 4 hardware debug-register slots are in use"), console.toString());
        assertTrue(console.getLast().contains("cannot intercept int3"), console.getLast());
        GuestDebug d = target.guestDebug(1);
        assertFalse(d.softwareBreakpoints());
        assertEquals(0x1013, d.slot(3).address());
        assertEquals("OK", payload(send("z0,1011,1")));
        assertEquals("OK", payload(send("Z0,1020,1")), "a freed slot is reused");
        assertEquals(0x1020, target.guestDebug(0).slot(1).address());
        assertEquals(0, target.readPhysical(0x1010, 1)[0], "no int3 written");
        send("c");
        assertEquals("T05thread:01;swbreak:;", stopAfterResume());
    }

    @Test
    void int3BreakpointsWhenTheHostInterceptsThem() throws Exception {
        open(new DebugCapabilities(true, 4, true, true));
        target.writePhysical(0x1008, new byte[] {0x42});
        assertEquals("OK", payload(send("Z0,1008,1")));
        assertEquals((byte) 0xcc, target.readPhysical(0x1008, 1)[0]);
        assertEquals("42", payload(send("m1008,1")), "GDB sees the original byte");
        assertEquals("E14", payload(send("Z0,40000,1")), "unmapped address");
        send("c");
        assertEquals("T05thread:01;swbreak:;", stopAfterResume());
        assertEquals("OK", payload(send("z0,1008,1")));
        assertEquals(0x42, target.readPhysical(0x1008, 1)[0], "restored");
    }

    @Test
    void watchpointsSplitIntoAlignedSlotsAndReportTheirKind() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        assertEquals("OK", payload(send("Z2,3003,6")), "3003+1, 3004+4, 3008+1");
        GuestDebug d = target.guestDebug(0);
        assertEquals(3, java.util.Arrays.stream(d.slots()).filter(java.util.Objects::nonNull).count());
        assertEquals(4, d.slot(1).length());
        // DR7: G0,G1,G2, RW=01 (write) for each, LEN 00/11/00, GE and bit 10 (Intel SDM Vol. 3B 18.2.4).
        assertEquals(0x2a | 0x10000L | 0x100000L | 0xc00000L | 0x1000000L | 0x600, d.dr7());
        assertEquals("E28", payload(send("Z4,5000,10")), "needs two more slots than are free");
        assertEquals("OK", payload(send("z2,3003,6")));
        assertEquals("OK", payload(send("Z3,3000,1")));
        target.writePhysical(0x1000, new byte[] {(byte) 0x8a}); // load AL from [RBX]
        CpuState s = target.state(0);
        long[] g = s.gprs();
        g[1] = 0x3000;
        target.setState(0, s.withGprs(g, 0x1000, s.rflags()));
        send("s");
        assertEquals("T05thread:01;rwatch:3000;", stopAfterResume());
    }

    /** The software CPU watches ranges: any number, any length, read-only ones too; the slots stay free. */
    @Test
    void unlimitedWatchpointsBecomeRangesOfAnyLength() throws Exception {
        open(new DebugCapabilities(true, 4, true, true, true, true));
        for (String z : List.of("Z2,3000,64", "Z2,4000,4", "Z3,5000,4", "Z4,6000,4", "Z2,7000,1", "Z3,8000,8"))
            assertEquals("OK", payload(send(z)), z);
        assertEquals("OK", payload(send("Z2,3000,64")), "re-inserting is idempotent");
        GuestDebug d = target.guestDebug(1);
        assertEquals(6, d.watches().size());
        assertFalse(d.anyHardware(), "no debug-register slot used");
        assertEquals(new GuestDebug.Watch(0x3000, 100, GuestDebug.Access.WRITE), d.watches().get(0));
        assertEquals(GuestDebug.Access.READ, d.watches().get(2).access());
        assertTrue(d.watches().get(2).hit(0x5002, 1, false) && !d.watches().get(2).hit(0x5002, 1, true), "read only");
        assertTrue(d.watches().get(0).hit(0x3063, 4, true) && !d.watches().get(0).hit(0x3064, 4, true), "100 bytes");
        GdbCommands c = session.commands();
        assertEquals("T05thread:01;watch:3000;", c.stopReply(new StopEvent.Watchpoint(0, GuestDebug.SLOTS, 0x3000)));
        assertEquals("T05thread:01;rwatch:5000;", c.stopReply(new StopEvent.Watchpoint(0, GuestDebug.SLOTS + 2, 0x5000)));
        assertEquals("T05thread:01;awatch:6000;", c.stopReply(new StopEvent.Watchpoint(0, GuestDebug.SLOTS + 3, 0x6000)));
        assertEquals("OK", payload(send("z3,5000,4")));
        assertEquals(5, target.guestDebug(0).watches().size());
        assertEquals(0x6000, target.guestDebug(0).watches().get(2).address(), "later ranges move up");
        assertEquals("E16", payload(send("Z2,9000,0")));
    }

    /** KVM: four debug-register slots; a fifth watchpoint is refused with an error GDB shows, nothing half-set. */
    @Test
    void slotHostsRefuseAFifthWatchpoint() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        for (int i = 0; i < 4; i++) assertEquals("OK", payload(send("Z2," + Integer.toHexString(0x3000 + 8 * i) + ",8")));
        assertEquals("E28", payload(send("Z2,4000,4")));
        assertEquals("E16", payload(send("Z2,5000,100")), "longer than 64 bytes cannot be split into slots");
        assertTrue(target.guestDebug(0).watches().isEmpty());
        assertEquals(4, java.util.Arrays.stream(target.guestDebug(0).slots()).filter(java.util.Objects::nonNull).count());
    }

    @Test
    void ctrlCWhileRunningStopsWithSigint() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        target.setState(0, FakeTarget.longMode(0x100000)); // runs through the second RAM region, no breakpoints
        assertEquals("+", send("vCont;c"));
        assertTrue(session.running());
        out.reset();
        session.onBytes(new byte[] {3}, 1);
        assertEquals("T02thread:01;", payload(out.toString(StandardCharsets.ISO_8859_1)));
        assertFalse(target.isRunning());
    }

    @Test
    void threadsAndVContStep() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        assertEquals("m1,2", payload(send("qfThreadInfo")));
        assertEquals("l", payload(send("qsThreadInfo")));
        assertEquals("E01", payload(send("Hg3")));
        assertEquals("OK", payload(send("Hg2")));
        assertEquals("QC2", payload(send("qC")));
        assertEquals("0018000000000000", payload(send("p10")), "thread 2's rip");
        send("vCont;s:2;c");
        assertEquals("T05thread:02;", stopAfterResume());
        assertEquals(0x1801, target.state(1).rip());
        assertEquals(0x1000, target.state(0).rip(), "all-stop step moves only the stepped vCPU");
        assertEquals("vCont;c;C;s;S;t", payload(send("vCont?")));
    }

    @Test
    void registersRoundTripThroughGAndP() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        String g = payload(send("g"));
        assertEquals(GdbRegisters.X86_64.size() * 2, g.length());
        assertEquals("OK", payload(send("P0=efbeadde00000000")));
        assertEquals(0xdeadbeefL, target.state(0).rax());
        int cr3 = GdbRegisters.X86_64.regs().stream().map(GdbRegisters.Reg::name).toList().indexOf("cr3");
        assertEquals("OK", payload(send("P" + Integer.toHexString(cr3) + "=0020000000000000")));
        assertEquals(0x2000, target.state(0).cr3());
        assertEquals("OK", payload(send("G" + g)));
        assertEquals(0, target.state(0).rax());
        assertEquals(target.state(0).cs(), FakeTarget.longMode(0).cs(), "hidden segment parts survive G");
        assertEquals("E01", payload(send("G00")));
    }

    @Test
    void targetXmlInChunksAndMonitorCommands() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        StringBuilder xml = new StringBuilder();
        for (int off = 0; ; off += 0x200) {
            String r = payload(send("qXfer:features:read:target.xml:" + Integer.toHexString(off) + ",200"));
            xml.append(r.substring(1));
            if (r.startsWith("l")) break;
        }
        assertEquals(GdbRegisters.X86_64.targetXml(), xml.toString());
        assertEquals("E00", payload(send("qXfer:features:read:other.xml:0,100")));
        String stats = new String(HexFormat.of().parseHex(payload(send("qRcmd," + HexFormat.of().formatHex("stats".getBytes())))));
        assertEquals("exits: 42\n", stats);
        target.writePhysical(0x100000, "Hello".getBytes());
        String phys = new String(HexFormat.of().parseHex(payload(send("qRcmd," + HexFormat.of().formatHex("phys 0x100000 5".getBytes())))));
        assertTrue(phys.startsWith("0000000000100000: 48 65 6c 6c 6f") && phys.contains("Hello"), phys);
        String bad = new String(HexFormat.of().parseHex(payload(send("qRcmd," + HexFormat.of().formatHex("phys 0x20000 16".getBytes())))));
        assertTrue(bad.contains("not guest RAM"), bad);
    }

    @Test
    void monitorDumpCoreWritesAnElfCore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        java.nio.file.Path core = dir.resolve("m.core");
        String r = new String(HexFormat.of().parseHex(payload(send("qRcmd," + HexFormat.of().formatHex(("dump-core " + core).getBytes())))));
        assertTrue(r.startsWith("core written to "), r);
        byte[] head = java.nio.file.Files.readAllBytes(core);
        assertEquals(0x7f, head[0]);
        assertEquals(ElfCoreWriter.ET_CORE, head[16]);
        String err = new String(HexFormat.of().parseHex(payload(send("qRcmd," + HexFormat.of().formatHex("dump-core /nonexistent-dir/x/y".getBytes())))));
        assertTrue(err.startsWith("monitor dump-core: "), err);
    }

    @Test
    void disconnectMidPacketRemovesBreakpointsAndResumes() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        send("Z1,1010,1");
        byte[] partial = "$m1000,".getBytes(StandardCharsets.ISO_8859_1);
        session.onBytes(partial, partial.length);
        session.onDisconnect();
        assertTrue(console.stream().anyMatch(l -> l.contains("middle of a packet")), console.toString());
        assertEquals(GuestDebug.OFF, target.guestDebug(0));
        assertTrue(target.isRunning() || target.instructions > 0);
    }

    @Test
    void guestExitAndFatalErrorsEndTheSessionCleanly() throws Exception {
        open(DebugCapabilities.KVM_NO_SW_BP);
        target.writePhysical(0x1000, new byte[] {(byte) 0xf4});
        CpuState s = target.state(0);
        long[] g = s.gprs();
        g[0] = 3;
        target.setState(0, s.withGprs(g, 0x1000, 2));
        send("s");
        assertEquals("W03", stopAfterResume());
        assertEquals("W03", payload(send("c")), "a dead VM does not run again");
        assertEquals("W03", payload(send("?")));
    }

    @Test
    void parsesListenAddresses() {
        assertEquals("127.0.0.1", GdbServer.parseAddress("1234").getAddress().getHostAddress());
        assertEquals(1234, GdbServer.parseAddress(":1234").getPort());
        assertEquals("0.0.0.0", GdbServer.parseAddress("0.0.0.0:99").getAddress().getHostAddress());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> GdbServer.parseAddress("localhost:x"));
        assertTrue(e.getMessage().contains("port 'x'"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> GdbServer.parseAddress("127.0.0.1:70000"));
    }

    /** Hosts whose debug registers ignore data accesses: write watchpoints are accepted (the target emulates them), reads are refused. */
    @Test
    void readAndAccessWatchpointsRefusedWithoutDataBreakpoints() throws Exception {
        open(DebugCapabilities.KVM_EMULATED);
        assertEquals("", payload(send("Z3,3000,4")));
        assertEquals("", payload(send("Z4,3000,4")));
        assertTrue(console.stream().anyMatch(l -> l.contains("cannot insert a read watchpoint at 0x3000")), console.toString());
        assertEquals("OK", payload(send("Z2,3000,4")));
        assertEquals(GuestDebug.Kind.WRITE, target.guestDebug(0).slot(0).kind());
    }
}
