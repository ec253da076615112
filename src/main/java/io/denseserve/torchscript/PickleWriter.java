package io.denseserve.torchscript;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the subset of Python's pickle protocol 2 that TorchScript's unpickler reads for a module's
 * attributes: globals, marks, tuples, lists, dicts, strings, ints, booleans, {@code None}, persistent
 * ids (tensor storages), {@code NEWOBJ}, {@code REDUCE} and {@code BUILD}. Opcodes as the pickle
 * module documents them; no memo, since nothing is referred to twice.
 */
final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter() {
        out.write(0x80); // PROTO
        out.write(2);
    }

    /** Pushes {@code module.name}, as Python's {@code GLOBAL} finds it. */
    PickleWriter global(String module, String name) {
        out.write('c');
        ascii(module + "\n" + name + "\n");
        return this;
    }

    PickleWriter mark() {
        out.write('(');
        return this;
    }

    /** Replaces everything above the last mark with one tuple of it. */
    PickleWriter tuple() {
        out.write('t');
        return this;
    }

    PickleWriter emptyTuple() {
        out.write(')');
        return this;
    }

    PickleWriter emptyList() {
        out.write(']');
        return this;
    }

    /** Appends everything above the last mark to the list below it. */
    PickleWriter appends() {
        out.write('e');
        return this;
    }

    PickleWriter emptyDict() {
        out.write('}');
        return this;
    }

    /** Puts the key-value pairs above the last mark into the dict below it. */
    PickleWriter setItems() {
        out.write('u');
        return this;
    }

    PickleWriter string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.write('X'); // BINUNICODE
        int32(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    PickleWriter integer(long value) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("integers beyond 32 bits are not needed here: " + value);
        }
        out.write('J'); // BININT
        int32((int) value);
        return this;
    }

    PickleWriter bool(boolean value) {
        out.write(value ? 0x88 : 0x89); // NEWTRUE, NEWFALSE
        return this;
    }

    PickleWriter none() {
        out.write('N');
        return this;
    }

    /** Replaces the tuple on top with what the unpickler's persistent loader makes of it. */
    PickleWriter persistentId() {
        out.write('Q'); // BINPERSID
        return this;
    }

    /** Calls the callable below the argument tuple on top. */
    PickleWriter reduce() {
        out.write('R');
        return this;
    }

    /** Instantiates the class below the argument tuple on top ({@code cls.__new__(cls, *args)}). */
    PickleWriter newObject() {
        out.write(0x81); // NEWOBJ
        return this;
    }

    /** Sets the state on top into the object below it. */
    PickleWriter build() {
        out.write('b');
        return this;
    }

    byte[] finish() {
        out.write('.'); // STOP
        return out.toByteArray();
    }

    private void ascii(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    private void int32(int value) {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }
}
