package dev.vmscope.input;

import java.io.IOException;

/** An input that cannot be used as text: the message is one line naming the input and what to do. */
public final class InputException extends IOException {
    public InputException(String message) { super(message); }
}
