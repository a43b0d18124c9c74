package dev.vmscope.devices.irq;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Every ICR low combination (delivery mode x destination mode x level x trigger x shorthand) with several
 * destinations and vectors, sent by APIC 1 of four running CPUs (flat logical IDs 1 << n), checked against
 * the SDM's rules written out independently here (vol. 3 11.6.1 and its table of valid xAPIC ICR
 * combinations, 11.6.2 destinations, 9.4.4 SIPI only in wait-for-SIPI). The combination that panicked a
 * bhyve host, 0x000c4500, is one of them.
 */
class IcrCombinationsTest {
    private static final int SENDER = 1;

    @Test
    void everyCombinationReachesExactlyTheCpusTheSdmNames() {
        int checked = 0;
        for (int mode = 0; mode < 8; mode++)
            for (int logical = 0; logical < 2; logical++)
                for (int level = 0; level < 2; level++)
                    for (int trigger = 0; trigger < 2; trigger++)
                        for (int shorthand = 0; shorthand < 4; shorthand++)
                            for (int dest : new int[] {0x00, 0x02, 0x0a, 0x0f, 0xff})
                                for (int vector : new int[] {0x0f, 0x40, 0x70}) {
                                    int lo = vector | mode << 8 | logical << 11 | level << 14 | trigger << 15 | shorthand << 18;
                                    check(lo, dest);
                                    checked++;
                                }
        assertEquals(8 * 2 * 2 * 2 * 4 * 5 * 3, checked);
    }

    private static void check(int lo, int dest) {
        var m = new RecordingCpu.Machine().enabled();
        for (int i = 0; i < 4; i++) {
            m.apics[i].write(LocalApic.LDR, 4, (1L << i) << 24);
            if (i != 0) m.apics[i].accept(DeliveryMode.STARTUP, 0x10, false);   // the APs are running
            m.cpus[i].events.clear();
        }
        m.apics[SENDER].write(LocalApic.ICR_HI, 4, (long) dest << 24);
        m.apics[SENDER].write(LocalApic.ICR_LO, 4, lo & 0xffffffffL);
        String what = String.format("ICR 0x%02x_%08x", dest, lo);

        int mode = lo >>> 8 & 7, shorthand = lo >>> 18 & 3, vector = lo & 0xff;
        boolean logical = (lo & 1 << 11) != 0, assertLevel = (lo & 1 << 14) != 0, levelTrig = (lo & 1 << 15) != 0;
        Set<Integer> targets = new TreeSet<>();
        switch (shorthand) {
            case 1 -> targets.add(SENDER);
            case 2 -> targets.addAll(List.of(0, 1, 2, 3));
            case 3 -> targets.addAll(List.of(0, 2, 3));
            default -> {
                for (int i = 0; i < 4; i++)
                    if (dest == 0xff || (logical ? (dest & 1 << i) != 0 : dest == i)) targets.add(i);
            }
        }
        boolean reserved = mode == 3 || mode == 7;
        boolean selfOrAllNeedsFixed = (shorthand == 1 || shorthand == 2) && mode != 0;
        boolean initDeassert = mode == 5 && !assertLevel && levelTrig;
        if (reserved || selfOrAllNeedsFixed || initDeassert || ((mode == 0 || mode == 1) && vector < 16)) targets.clear();

        List<Set<Integer>> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Set<Integer> s = new TreeSet<>(m.apics[i].pendingVectors());
            got.add(s);
            List<String> ev = m.cpus[i].events;
            boolean hit = targets.contains(i);
            switch (mode) {
                case 0 -> { assertEquals(hit ? Set.of(vector) : Set.of(), s, what + " cpu " + i); assertEquals(List.of(), ev, what); }
                case 2 -> assertEquals(hit ? List.of("smi") : List.of(), ev, what + " cpu " + i);
                case 4 -> assertEquals(hit ? List.of("nmi") : List.of(), ev, what + " cpu " + i);
                case 5 -> {
                    assertEquals(hit ? List.of("init") : List.of(), ev, what + " cpu " + i);
                    // The BSP restarts at the reset vector instead of waiting for a SIPI (SDM vol. 3 9.4).
                    assertEquals(hit && i != 0, m.apics[i].waitingForSipi(), what + " cpu " + i);
                }
                case 6 -> assertEquals(List.of(), ev, what + ": a SIPI to a running CPU is ignored");
                default -> {
                    assertEquals(List.of(), ev, what);
                    if (mode != 1) assertEquals(Set.of(), s, what);
                }
            }
        }
        if (mode == 1) {   // lowest priority: exactly one of the addressed CPUs, when any
            int holders = 0;
            for (int i = 0; i < 4; i++) if (!got.get(i).isEmpty()) { holders++; assertTrue(targets.contains(i), what); }
            assertEquals(targets.isEmpty() ? 0 : 1, holders, what);
        }
        m.apics[SENDER].write(LocalApic.ESR, 4, 0);
        int esr = (int) m.apics[SENDER].read(LocalApic.ESR, 4);
        // INIT level de-assert (P6 arbitration-ID resync) has no effect on an xAPIC and raises no error,
        // whatever the shorthand; LocalApic checks it first.
        boolean invalid = !initDeassert && (reserved || selfOrAllNeedsFixed);
        int expectEsr = invalid ? LocalApic.ESR_SEND_ACCEPT
                : !initDeassert && (mode == 0 || mode == 1) && vector < 16 ? LocalApic.ESR_SEND_ILLEGAL_VECTOR : 0;
        assertEquals(expectEsr, esr, what + " ESR");
    }
}
