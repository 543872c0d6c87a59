package dev.tangram.inference.sampling;

import java.util.Arrays;

/**
 * Where a byte stream is within a JSON object being written: a pushdown automaton that accepts exactly the prefixes of
 * one JSON object (RFC 8259, with UTF-8 inside strings), byte by byte. {@link #feed} answers whether a byte can continue
 * the text; a cursor that refused a byte must not be fed again (copy a kept one over it). The object must start at once,
 * and runs of whitespace inside it are bounded, so that a constrained model cannot pad forever.
 */
final class JsonCursor implements TextCursor {
    /** The most whitespace bytes in a row outside strings (an indented line break fits). */
    static final int MAX_WHITESPACE_RUN = 24;

    private static final byte OBJECT = 1;
    private static final byte ARRAY = 2;

    private enum Mode {
        /** Before the top-level object's '{'. */
        START,
        /** After '{': a key or '}'. */
        FIRST_KEY,
        /** After ',' in an object: a key. */
        KEY,
        /** After a key: ':'. */
        COLON,
        /** A value (after ':' or ',' in an array). */
        VALUE,
        /** After '[': a value or ']'. */
        FIRST_ELEMENT,
        /** After a value: ',' or the container's close. */
        AFTER_VALUE,
        STRING,
        LITERAL,
        NUMBER,
        /** The top-level object is closed. */
        DONE
    }

    private static final byte[][] LITERALS = {"true".getBytes(), "false".getBytes(), "null".getBytes()};

    private Mode mode = Mode.START;
    private byte[] stack = new byte[8];
    private int depth;
    private boolean key;
    /** The {@link JsonText} state of the string or number being read. */
    private int text;
    private int literal;
    private int literalAt;
    private int whitespace;

    @Override
    public void copyFrom(TextCursor from) {
        JsonCursor other = (JsonCursor) from;
        mode = other.mode;
        if (stack.length < other.depth) {
            stack = Arrays.copyOf(other.stack, other.stack.length);
        } else {
            System.arraycopy(other.stack, 0, stack, 0, other.depth);
        }
        depth = other.depth;
        key = other.key;
        text = other.text;
        literal = other.literal;
        literalAt = other.literalAt;
        whitespace = other.whitespace;
    }

    @Override
    public boolean inPlainString() {
        return mode == Mode.STRING && text == JsonText.STRING_START;
    }

    /** Whether the top-level object is complete. */
    @Override
    public boolean complete() {
        return mode == Mode.DONE;
    }

    /** Feeds one byte; answers whether the text so far is still the start of a JSON object. */
    @Override
    public boolean feed(byte b) {
        int c = b & 0xff;
        return switch (mode) {
            case STRING -> inString(c);
            case LITERAL -> literal(c);
            case NUMBER -> number(c);
            case DONE -> false;
            default -> structural(c);
        };
    }

    private boolean structural(int c) {
        if (mode == Mode.START) {
            return c == '{' && open(OBJECT, Mode.FIRST_KEY); // no whitespace first: nothing to gain, and models pad
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            return ++whitespace <= MAX_WHITESPACE_RUN;
        }
        whitespace = 0;
        return switch (mode) {
            case FIRST_KEY -> c == '"' ? string(true) : c == '}' && close(OBJECT);
            case KEY -> c == '"' && string(true);
            case COLON -> c == ':' && to(Mode.VALUE);
            case VALUE -> value(c);
            case FIRST_ELEMENT -> c == ']' ? close(ARRAY) : value(c);
            case AFTER_VALUE -> afterValue(c);
            default -> throw new IllegalStateException("not a structural mode: " + mode);
        };
    }

    private boolean value(int c) {
        switch (c) {
            case '"':
                return string(false);
            case '{':
                return open(OBJECT, Mode.FIRST_KEY);
            case '[':
                return open(ARRAY, Mode.FIRST_ELEMENT);
            case 't', 'f', 'n':
                literal = c == 't' ? 0 : c == 'f' ? 1 : 2;
                literalAt = 1;
                return to(Mode.LITERAL);
            default:
                text = JsonText.number(JsonText.NUMBER_START, c, false);
                return text != JsonText.REFUSE && to(Mode.NUMBER);
        }
    }

    private boolean afterValue(int c) {
        byte top = stack[depth - 1];
        if (c == ',') {
            return to(top == OBJECT ? Mode.KEY : Mode.VALUE);
        }
        return c == '}' ? close(OBJECT) : c == ']' && close(ARRAY);
    }

    private boolean open(byte container, Mode next) {
        if (depth == stack.length) {
            stack = Arrays.copyOf(stack, depth * 2);
        }
        stack[depth++] = container;
        return to(next);
    }

    private boolean close(byte container) {
        if (depth == 0 || stack[depth - 1] != container) {
            return false;
        }
        depth--;
        return to(depth == 0 ? Mode.DONE : Mode.AFTER_VALUE);
    }

    private boolean string(boolean isKey) {
        key = isKey;
        text = JsonText.STRING_START;
        return to(Mode.STRING);
    }

    private boolean inString(int c) {
        text = JsonText.string(text, c);
        if (text == JsonText.STRING_END) {
            return to(key ? Mode.COLON : Mode.AFTER_VALUE);
        }
        return text != JsonText.REFUSE;
    }

    private boolean literal(int c) {
        byte[] word = LITERALS[literal];
        if (c != word[literalAt]) {
            return false;
        }
        return ++literalAt < word.length || to(Mode.AFTER_VALUE);
    }

    private boolean number(int c) {
        int next = JsonText.number(text, c, false);
        if (next != JsonText.REFUSE) {
            text = next;
            return true;
        }
        if (!JsonText.numberCanEnd(text)) {
            return false;
        }
        mode = Mode.AFTER_VALUE; // the number ended: the byte belongs to what follows it
        return structural(c);
    }

    private boolean to(Mode next) {
        mode = next;
        return true;
    }
}
