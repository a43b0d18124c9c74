package dev.vmscope.machine;

import dev.vmscope.devices.VmControl;
import dev.vmscope.vcpu.ExitStatus;
import dev.vmscope.vcpu.VmStop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a VM ends: the first stop request (guest exit, power-off, fatal exit, timeout, signal) wins, every vCPU
 * is kicked out of the guest, and whoever waits in {@link #await} wakes. Devices see it as {@link VmControl},
 * vCPUs as {@link VmStop}; it exists before both, so the builder can create them before the {@link Machine}.
 */
final class Lifecycle implements VmStop, VmControl {
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Runnable> kicks = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;
    private int status;
    private String message;
    private Fatal fatal;

    /** Registers what makes one vCPU leave the guest; called for every vCPU as it is created. */
    void kickOnStop(Runnable kick) { kicks.add(kick); }

    @Override public void stop(int status, String message, Fatal fatal) {
        synchronized (this) {
            if (stopping) return;
            stopping = true;
            this.status = status;
            this.message = message;
            this.fatal = fatal;
        }
        for (Runnable k : kicks) k.run();
        stopped.countDown();
    }

    @Override public boolean stopping() { return stopping; }

    @Override public void exit(int status, String why) { stop(status, why, null); }

    @Override public void reset(String why) {
        stop(ExitStatus.OK, "guest requested a reset (" + why + "); vmscope does not reboot", null);
    }

    @Override public void powerOff(String why) { stop(ExitStatus.OK, "guest powered off (" + why + ")", null); }

    /** Waits for the stop; false when {@code millis} (> 0) passed first. 0 waits for ever. */
    boolean await(long millis) throws InterruptedException {
        if (millis <= 0) { stopped.await(); return true; }
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    synchronized int status() { return status; }

    synchronized String message() { return message; }

    synchronized Fatal fatal() { return fatal; }
}
