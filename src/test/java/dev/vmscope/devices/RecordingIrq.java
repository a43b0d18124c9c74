package dev.vmscope.devices;

import java.util.ArrayList;
import java.util.List;

/** An IrqLine that remembers its level and every transition. */
public final class RecordingIrq implements IrqLine {
    public final List<Boolean> transitions = new ArrayList<>();
    public boolean level;

    @Override public synchronized void set(boolean asserted) {
        level = asserted;
        transitions.add(asserted);
    }
}
