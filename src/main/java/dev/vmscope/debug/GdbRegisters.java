package dev.vmscope.debug;

import dev.vmscope.hypervisor.CpuState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The register file GDB sees and the target description announcing it, in two layouts: x86-64 for vCPUs in
 * long mode and i386 for everything else (a 32-bit kernel's ELF is i386, and GDB rejects an x86-64
 * description for it: "Selected architecture i386 is not compatible with reported target architecture
 * i386:x86-64"). Order and sizes follow GDB's features (gdb/features/i386/64bit-core.xml, 64bit-sse.xml,
 * 64bit-segments.xml; 32bit-core.xml, 32bit-sse.xml): the 'g' packet is every register
 * in this order, little-endian, and 'p'/'P' numbers index the list. Control registers are in our own
 * feature (GDB keeps registers of features it does not know and shows them by name).
 */
public final class GdbRegisters {
    /** One register as announced in target.xml. */
    public record Reg(String name, int bits, String type, String group, String feature, int offset) {
        public int bytes() { return bits / 8; }
    }

    static final String CORE = "org.gnu.gdb.i386.core", SSE = "org.gnu.gdb.i386.sse",
            SEGMENTS = "org.gnu.gdb.i386.segments", SYS = "org.vmscope.x86.sys";

    /** GPR names in CpuState.gpr order (rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8..r15). */
    private static final List<String> GPR64 = List.of("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15");
    private static final List<String> GPR32 = List.of("eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp");
    private static final List<String> SEGS = List.of("cs", "ss", "ds", "es", "fs", "gs");
    private static final List<String> FPU = List.of("fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop");

    public static final GdbRegisters X86_64 = new GdbRegisters("i386:x86-64", 64,
            List.of("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"), 16);
    public static final GdbRegisters I386 = new GdbRegisters("i386", 32,
            List.of("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip"), 8);

    private final String architecture;
    private final List<Reg> regs;
    private final int size;

    private GdbRegisters(String architecture, int bits, List<String> core, int xmmCount) {
        this.architecture = architecture;
        List<Reg> r = new ArrayList<>();
        int[] off = {0};
        java.util.function.Consumer<Object[]> add = a -> {
            r.add(new Reg((String) a[0], (Integer) a[1], (String) a[2], (String) a[3], (String) a[4], off[0]));
            off[0] += (Integer) a[1] / 8;
        };
        for (String n : core) {
            String type = n.endsWith("ip") ? "code_ptr" : n.endsWith("bp") || n.endsWith("sp") ? "data_ptr" : bits == 64 ? "int64" : "int32";
            add.accept(new Object[] {n, bits, type, "general", CORE});
        }
        add.accept(new Object[] {"eflags", 32, "i386_eflags", "general", CORE});
        for (String n : SEGS) add.accept(new Object[] {n, 32, "int32", "general", CORE});
        for (int i = 0; i < 8; i++) add.accept(new Object[] {"st" + i, 80, "i387_ext", "float", CORE});
        for (String n : FPU) add.accept(new Object[] {n, 32, "int", "float", CORE});
        for (int i = 0; i < xmmCount; i++) add.accept(new Object[] {"xmm" + i, 128, "vec128", "vector", SSE});
        add.accept(new Object[] {"mxcsr", 32, "i386_mxcsr", "vector", SSE});
        // GDB 13's i386 architecture asserts (tdesc_use_registers: arch_regs.size() <= num_regs) on the
        // org.gnu.gdb.i386.segments feature, so in the i386 layout the bases live in our own feature.
        for (String n : List.of("fs_base", "gs_base", "k_gs_base"))
            add.accept(new Object[] {n, 64, "int", "system", bits == 64 ? SEGMENTS : SYS});
        for (String n : new String[] {"cr0", "cr2", "cr3", "cr4", "cr8", "efer"}) add.accept(new Object[] {n, 64, "int", "system", SYS});
        this.regs = List.copyOf(r);
        this.size = off[0];
    }

    /** The layout GDB should see for a vCPU in this state: x86-64 only in long mode (EFER.LMA). */
    public static GdbRegisters forState(CpuState s) { return s.longModeActive() ? X86_64 : I386; }

    public String architecture() { return architecture; }

    public List<Reg> regs() { return regs; }

    public int size() { return size; }

    public Reg reg(String name) {
        for (Reg r : regs) if (r.name().equals(name)) return r;
        throw new IllegalArgumentException("no register " + name + " in the " + architecture + " layout");
    }

    /** The 'g' packet image of a vCPU. In the i386 layout the upper halves of 64-bit registers are not shown. */
    public byte[] toBytes(CpuState s) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        CpuState.Fpu f = s.fpu();
        for (Reg r : regs) {
            switch (r.name()) {
                case "st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7" -> b.put(f.st(), (r.name().charAt(2) - '0') * 10, 10);
                default -> {
                    if (r.name().startsWith("xmm")) b.put(f.xmm(), Integer.parseInt(r.name().substring(3)) * 16, 16);
                    else if (r.bits() == 64) b.putLong(scalar(s, r.name()));
                    else b.putInt((int) scalar(s, r.name()));
                }
            }
        }
        return b.array();
    }

    private static long scalar(CpuState s, String n) {
        int g = gprIndex(n);
        if (g >= 0) return s.gpr(g);
        CpuState.Fpu f = s.fpu();
        return switch (n) {
            case "rip", "eip" -> s.rip();
            case "eflags" -> s.rflags();
            case "cs" -> s.cs().selector(); case "ss" -> s.ss().selector(); case "ds" -> s.ds().selector();
            case "es" -> s.es().selector(); case "fs" -> s.fs().selector(); case "gs" -> s.gs().selector();
            case "fctrl" -> f.fcw(); case "fstat" -> f.fsw(); case "ftag" -> f.ftw(); case "fiseg" -> f.fiseg();
            case "fioff" -> f.fioff(); case "foseg" -> f.foseg(); case "fooff" -> f.fooff(); case "fop" -> f.fop();
            case "mxcsr" -> f.mxcsr();
            case "fs_base" -> s.fs().base(); case "gs_base" -> s.gs().base(); case "k_gs_base" -> s.kernelGsBase();
            case "cr0" -> s.cr0(); case "cr2" -> s.cr2(); case "cr3" -> s.cr3(); case "cr4" -> s.cr4();
            case "cr8" -> s.cr8(); case "efer" -> s.efer();
            default -> throw new IllegalStateException("unmapped register " + n);
        };
    }

    private static int gprIndex(String n) {
        int i = GPR64.indexOf(n);
        return i >= 0 ? i : GPR32.indexOf(n);
    }

    /**
     * A state with every GDB-visible register taken from {@code image}; the rest (hidden segment parts, DRs,
     * events, and in the i386 layout r8-r15) from {@code base}.
     */
    public CpuState fromBytes(byte[] image, CpuState base) {
        if (image.length != size) throw new IllegalArgumentException("register image of " + image.length + " bytes, want " + size);
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        long[] g = base.gprs();
        long rip = base.rip(), rflags = base.rflags();
        int[] sel = new int[6];
        byte[] st = new byte[CpuState.Fpu.ST_BYTES];
        byte[] xmm = base.fpu().xmm();
        int[] fc = new int[8];
        long[] sys = {base.cr0(), base.cr2(), base.cr3(), base.cr4(), base.cr8(), base.efer()};
        long fsBase = base.fs().base(), gsBase = base.gs().base(), kgs = base.kernelGsBase();
        int mxcsr = 0;
        for (Reg r : regs) {
            String n = r.name();
            if (n.startsWith("st") && n.length() == 3) { b.get(st, (n.charAt(2) - '0') * 10, 10); continue; }
            if (n.startsWith("xmm")) { b.get(xmm, Integer.parseInt(n.substring(3)) * 16, 16); continue; }
            long v = r.bits() == 64 ? b.getLong() : b.getInt() & 0xffffffffL;
            int gi = gprIndex(n);
            if (gi >= 0) { g[gi] = v; continue; }
            switch (n) {
                case "rip", "eip" -> rip = v;
                case "eflags" -> rflags = v;
                case "fs_base" -> fsBase = v;
                case "gs_base" -> gsBase = v;
                case "k_gs_base" -> kgs = v;
                case "mxcsr" -> mxcsr = (int) v;
                default -> {
                    int si = SEGS.indexOf(n), fi = FPU.indexOf(n);
                    int ci = List.of("cr0", "cr2", "cr3", "cr4", "cr8", "efer").indexOf(n);
                    if (si >= 0) sel[si] = (int) v & 0xffff;
                    else if (fi >= 0) fc[fi] = (int) v;
                    else if (ci >= 0) sys[ci] = v;
                }
            }
        }
        CpuState s = base.withGprs(g, rip, rflags);
        s = s.withSegments(sel(s.cs(), sel[0], s.cs().base()), sel(s.ds(), sel[2], s.ds().base()), sel(s.es(), sel[3], s.es().base()),
                sel(s.fs(), sel[4], fsBase), sel(s.gs(), sel[5], gsBase), sel(s.ss(), sel[1], s.ss().base()));
        s = s.withSystem(sys[0], sys[1], sys[2], sys[3], sys[4], sys[5], kgs);
        return s.withFpu(new CpuState.Fpu(fc[0], fc[1], fc[2], fc[7], fc[3], fc[4], fc[5], fc[6], st, xmm, mxcsr));
    }

    private static CpuState.Segment sel(CpuState.Segment old, int selector, long base) {
        return new CpuState.Segment(selector, base, old.limit(), old.attributes());
    }

    /** Register {@code n}'s bytes, or null when there is no such register. */
    public byte[] read(CpuState s, int n) {
        if (n < 0 || n >= regs.size()) return null;
        Reg r = regs.get(n);
        return java.util.Arrays.copyOfRange(toBytes(s), r.offset(), r.offset() + r.bytes());
    }

    /** A copy of {@code s} with register {@code n} set; value must be exactly the register's size. */
    public CpuState write(CpuState s, int n, byte[] value) {
        Reg r = regs.get(n);
        if (value.length != r.bytes()) throw new IllegalArgumentException(r.name() + " takes " + r.bytes() + " bytes");
        byte[] img = toBytes(s);
        System.arraycopy(value, 0, img, r.offset(), value.length);
        return fromBytes(img, s);
    }

    /** target.xml for qXfer:features:read, self-contained (no xi:include). */
    public String targetXml() {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n")
                .append("<architecture>").append(architecture).append("</architecture>\n");
        String feature = null;
        for (Reg r : regs) {
            if (!r.feature().equals(feature)) {
                if (feature != null) x.append("</feature>\n");
                feature = r.feature();
                x.append("<feature name=\"").append(feature).append("\">\n").append(types(feature));
            }
            x.append("  <reg name=\"").append(r.name()).append("\" bitsize=\"").append(r.bits())
                    .append("\" type=\"").append(r.type()).append("\" group=\"").append(r.group()).append("\"/>\n");
        }
        return x.append("</feature>\n</target>\n").toString();
    }

    /** Types the features use; eflags/mxcsr bit names per Intel SDM Vol. 1 3.4.3 and 10.2.3. */
    private static String types(String feature) {
        return switch (feature) {
            case CORE -> """
                      <flags id="i386_eflags" size="4">
                        <field name="CF" start="0" end="0"/><field name="" start="1" end="1"/><field name="PF" start="2" end="2"/>
                        <field name="AF" start="4" end="4"/><field name="ZF" start="6" end="6"/><field name="SF" start="7" end="7"/>
                        <field name="TF" start="8" end="8"/><field name="IF" start="9" end="9"/><field name="DF" start="10" end="10"/>
                        <field name="OF" start="11" end="11"/><field name="NT" start="14" end="14"/><field name="RF" start="16" end="16"/>
                        <field name="VM" start="17" end="17"/><field name="AC" start="18" end="18"/><field name="VIF" start="19" end="19"/>
                        <field name="VIP" start="20" end="20"/><field name="ID" start="21" end="21"/>
                      </flags>
                    """;
            case SSE -> """
                      <vector id="v4f" type="ieee_single" count="4"/>
                      <vector id="v2d" type="ieee_double" count="2"/>
                      <vector id="v16i8" type="int8" count="16"/>
                      <vector id="v8i16" type="int16" count="8"/>
                      <vector id="v4i32" type="int32" count="4"/>
                      <vector id="v2i64" type="int64" count="2"/>
                      <union id="vec128">
                        <field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/><field name="v16_int8" type="v16i8"/>
                        <field name="v8_int16" type="v8i16"/><field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/>
                        <field name="uint128" type="uint128"/>
                      </union>
                      <flags id="i386_mxcsr" size="4">
                        <field name="IE" start="0" end="0"/><field name="DE" start="1" end="1"/><field name="ZE" start="2" end="2"/>
                        <field name="OE" start="3" end="3"/><field name="UE" start="4" end="4"/><field name="PE" start="5" end="5"/>
                        <field name="DAZ" start="6" end="6"/><field name="IM" start="7" end="7"/><field name="DM" start="8" end="8"/>
                        <field name="ZM" start="9" end="9"/><field name="OM" start="10" end="10"/><field name="UM" start="11" end="11"/>
                        <field name="PM" start="12" end="12"/><field name="FZ" start="15" end="15"/>
                      </flags>
                    """;
            default -> "";
        };
    }
}
