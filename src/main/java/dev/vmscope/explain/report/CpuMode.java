package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.VmscopeCrashDump;

/**
 * The x86 operating mode implied by CR0.PE, RFLAGS.VM, EFER.LMA and the CS descriptor's L and D bits, and what
 * RIP means in it. Sources: {@value Cite#MODES}.
 */
record CpuMode(String name, int bits, long rip, long linear, boolean paging, int gateSize) {

    /** Null when a register it needs is missing from the report. */
    static CpuMode of(VmscopeCrashDump.Cpu c) {
        Long cr0 = c.regs().get("cr0"), efer = c.regs().get("efer"), rflags = c.regs().get("rflags"), rip = c.regs().get("rip");
        VmscopeCrashDump.Segment cs = c.segments().stream().filter(s -> s.name().equals("cs")).findFirst().orElse(null);
        if (cr0 == null || efer == null || rflags == null || rip == null || cs == null) return null;
        boolean pe = (cr0 & 1) != 0, pg = (cr0 & 1L << 31) != 0, lma = (efer & 1L << 10) != 0;
        boolean l = (cs.attributes() & 1 << 13) != 0, db = (cs.attributes() & 1 << 14) != 0;
        if (!pe) return new CpuMode("real mode", 16, rip, cs.base() + (rip & 0xffff), false, 4);
        if ((rflags & 1L << 17) != 0 && !lma) return new CpuMode("virtual-8086 mode", 16, rip, cs.base() + (rip & 0xffff), pg, 8);
        if (lma && l) return new CpuMode("64-bit mode (long mode)", 64, rip, rip, pg, 16);
        int bits = db ? 32 : 16;
        long mask = bits == 32 ? 0xffffffffL : 0xffff;
        if (lma) return new CpuMode("compatibility mode (long mode, CS.L=0)", bits, rip, (cs.base() + (rip & mask)) & 0xffffffffL, pg, 16);
        return new CpuMode("protected mode", bits, rip, (cs.base() + (rip & mask)) & 0xffffffffL, pg, 8);
    }

    String describe() {
        String why = switch (name) {
            case "real mode" -> "CR0.PE=0";
            case "virtual-8086 mode" -> "CR0.PE=1 and RFLAGS.VM=1";
            case "64-bit mode (long mode)" -> "CR0.PE=1, EFER.LMA=1 and CS.L=1";
            case "protected mode" -> "CR0.PE=1, EFER.LMA=0, CS.D=" + (bits == 32 ? 1 : 0);
            default -> "CR0.PE=1, EFER.LMA=1, CS.L=0, CS.D=" + (bits == 32 ? 1 : 0);
        };
        String addr = bits == 64 ? "RIP 0x" + Long.toHexString(rip) + " is itself the linear address"
                + ((rip >> 47) == 0 || (rip >> 47) == -1 ? "" : " but it is NOT canonical (bits 63:47 differ)")
                : "RIP 0x" + Long.toHexString(rip) + " is an offset in CS: linear = CS.base + " + (bits == 32 ? "EIP" : "IP")
                + " = 0x" + Long.toHexString(linear);
        String reset = linear == 0xfffffff0L && bits == 16 ? " (the architectural reset vector: CS.base 0xffff0000 +"
                + " IP 0xfff0, Intel SDM vol. 3A \"First Instruction Executed\")" : "";
        return name + ", " + bits + "-bit code (" + why + "); " + addr + reset + "; paging " + (paging
                ? "on (CR0.PG=1): that linear address is guest-virtual, translated through CR3"
                : "off (CR0.PG=0): that linear address is the guest-physical address");
    }
}
