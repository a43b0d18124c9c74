package dev.vmscope.debug;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The register file GDB sees and the target description announcing it. Order and sizes follow GDB's
 * x86-64 features (gdb/features/i386/64bit-core.xml, 64bit-sse.xml, 64bit-segments.xml): the 'g' packet
 * is every register in this order, little-endian, and 'p'/'P' numbers index this list. Control registers
 * are in our own feature (GDB keeps registers of features it does not know and shows them by name).
 */
public final class GdbRegisters {
    /** One register as announced in target.xml. */
    public record Reg(String name, int bits, String type, String group, String feature, int offset) {
        public int bytes() { return bits / 8; }
    }

    static final String CORE = "org.gnu.gdb.i386.core", SSE = "org.gnu.gdb.i386.sse",
            SEGMENTS = "org.gnu.gdb.i386.segments", SYS = "org.vmscope.x86.sys";
    public static final List<Reg> REGS;
    public static final int SIZE;
    public static final int RIP = 16, EFLAGS = 17;

    static {
        List<Reg> r = new ArrayList<>();
        int[] off = {0};
        java.util.function.Consumer<Object[]> add = a -> {
            r.add(new Reg((String) a[0], (Integer) a[1], (String) a[2], (String) a[3], (String) a[4], off[0]));
            off[0] += (Integer) a[1] / 8;
        };
        for (String n : new String[] {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"})
            add.accept(new Object[] {n, 64, n.equals("rbp") || n.equals("rsp") ? "data_ptr" : "int64", "general", CORE});
        for (int i = 8; i < 16; i++) add.accept(new Object[] {"r" + i, 64, "int64", "general", CORE});
        add.accept(new Object[] {"rip", 64, "code_ptr", "general", CORE});
        add.accept(new Object[] {"eflags", 32, "i386_eflags", "general", CORE});
        for (String n : new String[] {"cs", "ss", "ds", "es", "fs", "gs"}) add.accept(new Object[] {n, 32, "int32", "general", CORE});
        for (int i = 0; i < 8; i++) add.accept(new Object[] {"st" + i, 80, "i387_ext", "float", CORE});
        for (String n : new String[] {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"})
            add.accept(new Object[] {n, 32, "int", "float", CORE});
        for (int i = 0; i < 16; i++) add.accept(new Object[] {"xmm" + i, 128, "vec128", "vector", SSE});
        add.accept(new Object[] {"mxcsr", 32, "i386_mxcsr", "vector", SSE});
        for (String n : new String[] {"fs_base", "gs_base", "k_gs_base"}) add.accept(new Object[] {n, 64, "int", "system", SEGMENTS});
        for (String n : new String[] {"cr0", "cr2", "cr3", "cr4", "cr8", "efer"}) add.accept(new Object[] {n, 64, "int", "system", SYS});
        REGS = List.copyOf(r);
        SIZE = off[0];
    }

    private GdbRegisters() {}

    /** The 'g' packet image of a vCPU. */
    public static byte[] toBytes(CpuState s) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) b.putLong(s.gpr(i));
        b.putLong(s.rip()).putInt((int) s.rflags());
        for (CpuState.Segment g : new CpuState.Segment[] {s.cs(), s.ss(), s.ds(), s.es(), s.fs(), s.gs()}) b.putInt(g.selector());
        CpuState.Fpu f = s.fpu();
        b.put(f.st());
        b.putInt(f.fcw()).putInt(f.fsw()).putInt(f.ftw()).putInt(f.fiseg()).putInt(f.fioff()).putInt(f.foseg())
                .putInt(f.fooff()).putInt(f.fop());
        b.put(f.xmm()).putInt(f.mxcsr());
        b.putLong(s.fs().base()).putLong(s.gs().base()).putLong(s.kernelGsBase());
        b.putLong(s.cr0()).putLong(s.cr2()).putLong(s.cr3()).putLong(s.cr4()).putLong(s.cr8()).putLong(s.efer());
        return b.array();
    }

    /** A state with every GDB-visible register taken from {@code image}; the rest (hidden segment parts, DRs, events) from {@code base}. */
    public static CpuState fromBytes(byte[] image, CpuState base) {
        if (image.length != SIZE) throw new IllegalArgumentException("register image of " + image.length + " bytes, want " + SIZE);
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        long[] g = new long[16];
        for (int i = 0; i < 16; i++) g[i] = b.getLong();
        long rip = b.getLong();
        long rflags = b.getInt() & 0xffffffffL;
        int[] sel = new int[6];
        for (int i = 0; i < 6; i++) sel[i] = b.getInt() & 0xffff;
        byte[] st = new byte[CpuState.Fpu.ST_BYTES];
        b.get(st);
        int[] fc = new int[8];
        for (int i = 0; i < 8; i++) fc[i] = b.getInt();
        byte[] xmm = new byte[CpuState.Fpu.XMM_BYTES];
        b.get(xmm);
        int mxcsr = b.getInt();
        long fsBase = b.getLong(), gsBase = b.getLong(), kgs = b.getLong();
        long cr0 = b.getLong(), cr2 = b.getLong(), cr3 = b.getLong(), cr4 = b.getLong(), cr8 = b.getLong(), efer = b.getLong();
        CpuState s = base.withGprs(g, rip, rflags);
        s = s.withSegments(sel(s.cs(), sel[0], s.cs().base()), sel(s.ds(), sel[2], s.ds().base()), sel(s.es(), sel[3], s.es().base()),
                sel(s.fs(), sel[4], fsBase), sel(s.gs(), sel[5], gsBase), sel(s.ss(), sel[1], s.ss().base()));
        s = s.withSystem(cr0, cr2, cr3, cr4, cr8, efer, kgs);
        return s.withFpu(new CpuState.Fpu(fc[0], fc[1], fc[2], fc[7], fc[3], fc[4], fc[5], fc[6], st, xmm, mxcsr));
    }

    private static CpuState.Segment sel(CpuState.Segment old, int selector, long base) {
        return new CpuState.Segment(selector, base, old.limit(), old.attributes());
    }

    /** Register {@code n}'s bytes, or null when there is no such register. */
    public static byte[] read(CpuState s, int n) {
        if (n < 0 || n >= REGS.size()) return null;
        Reg r = REGS.get(n);
        return java.util.Arrays.copyOfRange(toBytes(s), r.offset(), r.offset() + r.bytes());
    }

    /** A copy of {@code s} with register {@code n} set; value must be exactly the register's size. */
    public static CpuState write(CpuState s, int n, byte[] value) {
        Reg r = REGS.get(n);
        if (value.length != r.bytes()) throw new IllegalArgumentException(r.name() + " takes " + r.bytes() + " bytes");
        byte[] img = toBytes(s);
        System.arraycopy(value, 0, img, r.offset(), value.length);
        return fromBytes(img, s);
    }

    /** target.xml for qXfer:features:read, self-contained (no xi:include). */
    public static String targetXml() {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n")
                .append("<architecture>i386:x86-64</architecture>\n");
        String feature = null;
        for (Reg r : REGS) {
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
