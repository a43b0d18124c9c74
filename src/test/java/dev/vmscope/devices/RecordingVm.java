package dev.vmscope.devices;

import java.util.ArrayList;
import java.util.List;

/** A VmControl that records requests instead of acting on them. */
public final class RecordingVm implements VmControl {
    public final List<Integer> exits = new ArrayList<>();
    public final List<String> resets = new ArrayList<>();
    public final List<String> powerOffs = new ArrayList<>();

    @Override public synchronized void exit(int status, String why) { exits.add(status); }

    @Override public synchronized void reset(String why) { resets.add(why); }

    @Override public synchronized void powerOff(String why) { powerOffs.add(why); }
}
