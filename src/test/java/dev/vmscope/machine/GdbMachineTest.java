package dev.vmscope.machine;

import dev.vmscope.debug.DebugOptions;
import dev.vmscope.debug.GdbHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real GDB (Debian's /usr/bin/gdb) against vmscope on real KVM, debugging the C kernel guests/cmb by
 * symbol. cmb is a 32-bit (i386) ELF, so the stub describes the vCPU as i386 (GDB refuses an x86-64
 * description for it). On this host int3 is not intercepted, so 'break' uses a debug register; data
 * breakpoints never fire, so 'watch' is emulated by single-stepping.
 */
class GdbMachineTest {
    /** A machine running on its own thread, with the GDB server on an ephemeral loopback port. */
    record Running(Machine machine, CompletableFuture<Integer> status, ByteArrayOutputStream console, ByteArrayOutputStream diag) {
        int port() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                int p = machine.debugging().gdbPort();
                if (p > 0) return p;
                if (status.isDone()) fail("VM ended before the GDB server started: " + diag);
                Thread.sleep(20);
            }
            return fail("GDB server did not start: " + diag);
        }

        int awaitStatus() throws Exception {
            try {
                return status.get(120, TimeUnit.SECONDS);
            } finally {
                machine.close();
            }
        }

        String consoleText() { return console.toString(StandardCharsets.ISO_8859_1); }
    }

    static Running start(String guest, int smp, Path crashDir) {
        return start(VmHarness.guest(guest), null, smp, crashDir);
    }

    static Running start(Path kernel, MachineConfig.FlatLoad flat, int smp, Path crashDir) {
        return start(kernel, flat, smp, crashDir, true);
    }

    static Running start(Path kernel, MachineConfig.FlatLoad flat, int smp, Path crashDir, boolean gdbWait) {
        MachineConfig base = VmHarness.config(kernel, null);
        DebugOptions dbg = new DebugOptions(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), gdbWait, null, crashDir);
        MachineConfig cfg = new MachineConfig(base.ramBytes(), smp, base.irqchip(), kernel, null, List.of(), null, false,
                180_000, null, false, dbg, flat);
        String guest = kernel.getFileName().toString();
        ByteArrayOutputStream console = new ByteArrayOutputStream(), diag = new ByteArrayOutputStream();
        Machine m = MachineBuilder.build(VmHarness.backendFor(cfg), console, java.io.OutputStream.nullOutputStream(), new PrintStream(diag, true, StandardCharsets.UTF_8));
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("vm-" + guest).start(() -> {
            try { status.complete(m.run()); } catch (Throwable t) { status.completeExceptionally(t); }
        });
        return new Running(m, status, console, diag);
    }

    /**
     * Real GDB on real firmware at its first instruction: the reset vector at 0xfffffff0 reads the ROM image's
     * last 16 bytes (Firmware.view), so firmware developers can disassemble where the CPU starts.
     */
    @Test
    void gdbReadsTheFirmwareRomAtTheResetVector(@TempDir Path dir) throws Exception {
        Path bios = SeabiosBootTest.BIOS;
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(bios), bios + " is missing (Debian package seabios)");
        DebugOptions dbg = new DebugOptions(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), true, null, dir);
        MachineConfig cfg = new MachineConfig(64L << 20, 1, MachineConfig.IrqchipMode.KERNEL, null, null, List.of(), bios,
                false, 60_000, null, false, dbg, null);
        ByteArrayOutputStream console = new ByteArrayOutputStream(), diag = new ByteArrayOutputStream();
        Machine m = MachineBuilder.build(VmHarness.backendFor(cfg), console, java.io.OutputStream.nullOutputStream(), new PrintStream(diag, true, StandardCharsets.UTF_8));
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("vm-seabios").start(() -> {
            try { status.complete(m.run()); } catch (Throwable t) { status.completeExceptionally(t); }
        });
        Running vm = new Running(m, status, console, diag);
        String out = GdbHarness.run(60, "target remote 127.0.0.1:" + vm.port(), "info registers eip", "x/16xb 0xfffffff0",
                "x/4xb 0xffff0", "kill");
        vm.machine().stop(dev.vmscope.vcpu.ExitStatus.OK, "test done", null);
        vm.awaitStatus();
        byte[] image = Files.readAllBytes(bios);
        StringBuilder want = new StringBuilder("0xfffffff0:");
        for (int i = 0; i < 16; i++) {
            if (i == 8) want.append("\n0xfffffff8:");
            want.append("\t0x").append(String.format("%02x", image[image.length - 16 + i] & 0xff));
        }
        assertMatches("eip\\s+0xfff0", out);
        assertTrue(out.contains(want), "expected\n" + want + "\nin:\n" + out);
        // The legacy alias at 0xffff0 shows the same bytes while PAM still selects the ROM there.
        StringBuilder alias = new StringBuilder("0xffff0:");
        for (int i = 0; i < 4; i++) alias.append("\t0x").append(String.format("%02x", image[image.length - 16 + i] & 0xff));
        assertTrue(out.contains(alias), "expected\n" + alias + "\nin:\n" + out);
    }

    static void assertMatches(String regex, String out) {
        assertTrue(Pattern.compile(regex, Pattern.DOTALL).matcher(out).find(), "expected /" + regex + "/ in:\n" + out);
    }

    @Test
    void gdbBreaksStepsWatchesAndDetachesOnCmb(@TempDir Path dir) throws Exception {
        Running vm = start("cmb", 2, dir);
        String elf = VmHarness.guest("cmb").toAbsolutePath().toString();
        String out = GdbHarness.run(180, "file " + elf, "target remote 127.0.0.1:" + vm.port(),
                "info registers eip", "break compute", "continue", "info registers pc", "info registers eip", "print counter",
                "stepi", "x/3i $pc", "watch counter", "continue", "print counter", "info threads", "delete", "detach");
        System.out.println(out);
        int status = vm.awaitStatus();
        String diag = vm.diag().toString(StandardCharsets.UTF_8);
        System.out.println(diag);
        // Connected before the first instruction (--gdb-wait): vCPU 0 sits at the multiboot entry.
        assertMatches("_start \\(\\) at cmb/entry\\.S:\\d+", out);
        Matcher bp = Pattern.compile("Breakpoint 1 at (0x[0-9a-f]+): file cmb/kernel\\.c").matcher(out);
        assertTrue(bp.find(), out);
        String compute = bp.group(1);
        assertMatches("Thread 1 hit Breakpoint 1, compute \\(x=0\\) at cmb/kernel\\.c", out);
        assertMatches("pc\\s+" + compute + "\\s+" + compute + " <compute>", out);
        assertMatches("eip\\s+" + compute + "\\s+" + compute + " <compute>", out);
        assertMatches("\\$1 = 0\\n", out);
        // stepi executes exactly one instruction: x/3i shows $pc inside compute, past its first instruction.
        assertMatches("=> 0x[0-9a-f]+ <compute\\+[1-9]\\d*>:\\t\\S+.*\\n\\s+0x[0-9a-f]+ <compute\\+\\d+>:.*\\n\\s+0x[0-9a-f]+ <compute\\+\\d+>:", out);
        assertMatches("Hardware watchpoint 2: counter", out);
        assertMatches("Thread 1 hit Hardware watchpoint 2: counter\\s+Old value = 0\\s+New value = 1580160", out);
        assertMatches("\\$2 = 1580160", out);
        assertMatches("\\* 1\\s+Thread 1 \\(vCPU 0\\) compute", out);
        assertMatches("\\n\\s+2\\s+Thread 2 \\(vCPU 1\\)", out);
        assertMatches("\\[Inferior 1 \\(Remote target\\) detached\\]", out);
        // After detach the guest runs to its end untouched and vmscope exits with the guest's status.
        assertEquals(1, status, diag);
        assertTrue(vm.consoleText().contains("cmb: compute(0) counter=1580160") && vm.consoleText().contains("cmb: done checksum=5860e71d"), vm.consoleText());
        assertTrue(diag.contains("describing the target as i386"), diag);
    }

    /** What the host cannot do is said to GDB (the Z packet is refused) and on the console. */
    @Test
    void readWatchpointsAreRefusedWhenDebugRegistersIgnoreData(@TempDir Path dir) throws Exception {
        Running vm = start("cmb", 1, dir);
        if (vm.machine().hypervisor().debugCapabilities().dataBreakpoints()) {
            vm.machine().stop(0, "not applicable", null);
            vm.awaitStatus();
            org.junit.jupiter.api.Assumptions.abort("this host's debug registers fire on data accesses");
        }
        String elf = VmHarness.guest("cmb").toAbsolutePath().toString();
        String out = GdbHarness.run(180, "file " + elf, "target remote 127.0.0.1:" + vm.port(),
                "rwatch counter", "continue", "delete", "continue");
        System.out.println(out);
        int status = vm.awaitStatus();
        String diag = vm.diag().toString(StandardCharsets.UTF_8);
        assertMatches("Could not insert hardware watchpoint 1", out);
        assertTrue(diag.contains("cannot insert a read watchpoint") && diag.contains("do not fire on data"), diag);
        assertMatches("\\[Inferior 1 \\(Remote target\\) exited with code 01\\]", out);
        assertEquals(1, status, diag);
    }

    /**
     * A vCPU already in long mode at connect gets the x86-64 description: 64-bit registers, control registers,
     * 64-bit disassembly, stepi, memory writes through the guest's page tables (paging is on in long mode).
     */
    @Test
    void longModeGuestGetsTheX8664Layout(@TempDir Path dir) throws Exception {
        // mov $0x1234,%rax; inc %rax; mov $7,%al; out %al,$0xf4 (isa-debug-exit: status 15)
        byte[] code = java.util.HexFormat.of().parseHex("48c7c034120000" + "48ffc0" + "b007" + "e6f4");
        Path bin = Files.write(dir.resolve("long64.bin"), code);
        Running vm = start(bin, new MachineConfig.FlatLoad(0x200000, 0x200000, "long64"), 1, dir);
        String out = GdbHarness.run(180, "target remote 127.0.0.1:" + vm.port(), "info registers rip cr0 efer", "x/3i $pc",
                "stepi", "stepi", "info registers rax", "set var *(char *)0x300000 = 0x5a", "x/1xb 0x300000",
                "set $rbx = 0x77", "info registers rbx", "continue");
        System.out.println(out);
        int status = vm.status().get(120, TimeUnit.SECONDS);
        byte written = vm.machine().memory().readByte(0x300000); // before close() unmaps guest RAM
        vm.machine().close();
        assertMatches("rip\\s+0x200000\\s", out);
        assertMatches("cr0\\s+0x8\\p{XDigit}+", out);
        assertMatches("efer\\s+0x5\\p{XDigit}\\p{XDigit}", out);
        assertMatches("=> 0x200000:\\tmov\\s+\\$0x1234,%rax\\n\\s+0x200007:\\tinc\\s+%rax", out);
        assertMatches("rax\\s+0x1235\\s", out);
        assertMatches("0x300000:\\t0x5a", out);
        assertMatches("rbx\\s+0x77\\s", out); // KVM_SET_REGS/SREGS round trip; the guest still runs to its exit
        assertMatches("\\[Inferior 1 \\(Remote target\\) exited with code 017\\]", out);
        assertEquals(15, status, vm.diag().toString(StandardCharsets.UTF_8));
        assertEquals(0x5a, written, "GDB's write reached guest RAM");
    }

    /**
     * Attaching to a VM that is already running (no --gdb-wait) pauses it; continue and Ctrl-C (0x03) pause
     * a vCPU spinning in guest code on KVM; 'k' ends the VM. Raw packets, as GDB sends them.
     */
    @Test
    void attachToRunningVmAndInterruptIt(@TempDir Path dir) throws Exception {
        Path bin = Files.write(dir.resolve("spin.bin"), new byte[] {(byte) 0xeb, (byte) 0xfe}); // jmp .
        Running vm = start(bin, new MachineConfig.FlatLoad(0x200000, 0x200000, "prot32"), 2, dir, false);
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), vm.port())) {
            s.setSoTimeout(60_000);
            Rsp rsp = new Rsp(s);
            assertEquals("T05thread:01;", rsp.call("?"));
            String g = rsp.call("g");
            assertEquals("00002000", g.substring(64, 72), "eip (i386 layout, little-endian) at the jmp: " + g);
            rsp.send("c");
            Thread.sleep(300);
            s.getOutputStream().write(3);
            assertEquals("T02thread:01;", rsp.reply(), "Ctrl-C stops the spinning vCPU");
            assertEquals("00002000", rsp.call("g").substring(64, 72));
            assertEquals("OK", rsp.call("Hg2"));
            assertTrue(rsp.call("g").length() > 72, "the second vCPU's registers are readable while paused");
            rsp.send("k");
        }
        int status = vm.awaitStatus();
        assertEquals(0, status, vm.diag().toString(StandardCharsets.UTF_8));
        assertTrue(vm.diag().toString(StandardCharsets.UTF_8).contains("kill requested"), vm.diag().toString(StandardCharsets.UTF_8));
    }

    /** A fatal stop under GDB: SIGABRT, and the dead VM stays readable until GDB kills it; the crash report is written. */
    @Test
    void tripleFaultUnderGdbLeavesTheDeadVmReadable(@TempDir Path dir) throws Exception {
        Running vm = start("triple", 1, dir);
        String elf = VmHarness.guest("triple").toAbsolutePath().toString();
        String out = GdbHarness.run(180, "file " + elf, "target remote 127.0.0.1:" + vm.port(), "continue",
                "info registers eip", "x/2i $pc", "info registers cr0", "kill");
        System.out.println(out);
        int status = vm.awaitStatus();
        String diag = vm.diag().toString(StandardCharsets.UTF_8);
        assertMatches("Program received signal SIGABRT, Aborted\\.\\s+_start \\(\\) at triple\\.S:\\d+", out);
        assertMatches("eip\\s+0x[0-9a-f]+\\s+0x[0-9a-f]+ <_start\\+\\d+>", out);
        assertMatches("=> 0x[0-9a-f]+ <_start\\+\\d+>:\\tud2", out);
        assertMatches("cr0\\s+0x11\\s", out);
        assertMatches("\\[Inferior 1 \\(Remote target\\) killed\\]", out);
        assertEquals(dev.vmscope.vcpu.ExitStatus.GUEST_SHUTDOWN, status, diag);
        assertTrue(diag.contains("the VM is dead; GDB can still read") && diag.contains("crash report written"), diag);
    }

    /** A minimal RSP client in ack mode: skips the stub's '+' acks and acknowledges its packets. */
    record Rsp(java.net.Socket s) {
        void send(String payload) throws java.io.IOException {
            s.getOutputStream().write(dev.vmscope.debug.RspPacketCodec.encode(payload));
            s.getOutputStream().flush();
        }

        String reply() throws java.io.IOException {
            java.io.InputStream in = s.getInputStream();
            int c;
            while ((c = in.read()) != '$') if (c < 0) throw new java.io.EOFException();
            StringBuilder p = new StringBuilder();
            while ((c = in.read()) != '#') {
                if (c < 0) throw new java.io.EOFException();
                p.append((char) c);
            }
            in.read();
            in.read();
            s.getOutputStream().write('+');
            return p.toString();
        }

        String call(String payload) throws java.io.IOException {
            send(payload);
            return reply();
        }
    }
}
