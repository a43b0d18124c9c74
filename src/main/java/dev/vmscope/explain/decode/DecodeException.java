package dev.vmscope.explain.decode;

/** A bad decode request (unknown kind, malformed value, missing option): one line for the user. */
public final class DecodeException extends IllegalArgumentException {
    public DecodeException(String message) { super(message); }
}
