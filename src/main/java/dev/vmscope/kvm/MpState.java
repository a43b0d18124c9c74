package dev.vmscope.kvm;

/** KVM_MP_STATE_* values (include/uapi/linux/kvm.h). */
public enum MpState {
    RUNNABLE, UNINITIALIZED, INIT_RECEIVED, HALTED, SIPI_RECEIVED, STOPPED, CHECK_STOP, OPERATING, LOAD, AP_RESET_HOLD, SUSPENDED;

    public static MpState of(int v) {
        MpState[] all = values();
        return v >= 0 && v < all.length ? all[v] : null;
    }
}
