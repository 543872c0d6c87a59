package dev.tangram.inference.sampling;

import java.util.Arrays;

/**
 * Where a byte stream is within a JSON document that follows a {@link JsonSchema}: a stack of frames, one per value being
 * written, each a node of the schema and where it is in it. Like {@link JsonCursor}, {@link #feed} answers whether a
 * byte can continue the text, and a cursor that refused a byte must not be fed again. Frames are kept in parallel arrays
 * so that copying a cursor (once per token tried) is a few array copies.
 */
final class SchemaCursor implements TextCursor {
    private static final int ACCEPT = 0;
    private static final int REFUSE = 1;
    /** The byte is for the frame now on top (one was pushed, or the top ended without taking it). */
    private static final int AGAIN = 2;

    private final JsonSchema schema;
    private int depth;
    private int[] node = new int[8];
    /** OBJECT: the segment being matched; ARRAY: 0 before '[', 1 after it, 2 after an item; else 0 before the value, 1 in it. */
    private int[] phase = new int[8];
    /** OBJECT: the position in its segment; STRING, NUMBER, INTEGER: the {@link JsonText} state; LITERALS: bytes matched. */
    private int[] state = new int[8];
    /** LITERALS: the literals still matching, one bit each. */
    private long[] alive = new long[8];
    private boolean complete;

    SchemaCursor(JsonSchema schema) {
        this.schema = schema;
        push(JsonSchema.root());
    }

    @Override
    public void copyFrom(TextCursor other) {
        SchemaCursor o = (SchemaCursor) other;
        if (node.length < o.depth) {
            node = new int[o.node.length];
            phase = new int[o.node.length];
            state = new int[o.node.length];
            alive = new long[o.node.length];
        }
        System.arraycopy(o.node, 0, node, 0, o.depth);
        System.arraycopy(o.phase, 0, phase, 0, o.depth);
        System.arraycopy(o.state, 0, state, 0, o.depth);
        System.arraycopy(o.alive, 0, alive, 0, o.depth);
        depth = o.depth;
        complete = o.complete;
    }

    @Override
    public boolean complete() {
        return complete;
    }

    /** Inside a string value of the schema (keys and enum members are literals, matched byte by byte elsewhere). */
    @Override
    public boolean inPlainString() {
        int top = depth - 1;
        return top >= 0 && schema.node(node[top]).kind() == JsonSchema.Kind.STRING && phase[top] == 1
                && state[top] == JsonText.STRING_START;
    }

    @Override
    public boolean feed(byte b) {
        int c = b & 0xff;
        while (depth > 0) {
            int top = depth - 1;
            JsonSchema.Node n = schema.node(node[top]);
            int r = switch (n.kind()) {
                case OBJECT -> object(top, n, c);
                case ARRAY -> array(top, n, c);
                case STRING -> string(top, c);
                case NUMBER -> number(top, c, false);
                case INTEGER -> number(top, c, true);
                case LITERALS -> literals(top, n, c);
            };
            if (r != AGAIN) {
                return r == ACCEPT;
            }
        }
        return false; // the document is complete: nothing may follow
    }

    private int object(int top, JsonSchema.Node n, int c) {
        byte[] segment = n.segments()[phase[top]];
        if (c != (segment[state[top]] & 0xff)) {
            return REFUSE;
        }
        if (++state[top] < segment.length) {
            return ACCEPT;
        }
        if (phase[top] == n.children().length) {
            pop(); // the closing brace
            return ACCEPT;
        }
        int child = n.children()[phase[top]];
        phase[top]++;
        state[top] = 0;
        push(child);
        return ACCEPT;
    }

    private int array(int top, JsonSchema.Node n, int c) {
        switch (phase[top]) {
            case 0:
                if (c != '[') {
                    return REFUSE;
                }
                phase[top] = 1;
                return ACCEPT;
            case 1:
                if (c == ']') {
                    pop();
                    return ACCEPT;
                }
                phase[top] = 2;
                push(n.children()[0]);
                return AGAIN; // the byte starts the first item
            default:
                if (c == ']') {
                    pop();
                    return ACCEPT;
                }
                if (c != ',') {
                    return REFUSE;
                }
                push(n.children()[0]);
                return ACCEPT;
        }
    }

    private int string(int top, int c) {
        if (phase[top] == 0) {
            if (c != '"') {
                return REFUSE;
            }
            phase[top] = 1;
            state[top] = JsonText.STRING_START;
            return ACCEPT;
        }
        int next = JsonText.string(state[top], c);
        if (next == JsonText.REFUSE) {
            return REFUSE;
        }
        if (next == JsonText.STRING_END) {
            pop();
        } else {
            state[top] = next;
        }
        return ACCEPT;
    }

    private int number(int top, int c, boolean integer) {
        int next = JsonText.number(state[top], c, integer);
        if (next != JsonText.REFUSE) {
            phase[top] = 1;
            state[top] = next;
            return ACCEPT;
        }
        if (phase[top] == 0 || !JsonText.numberCanEnd(state[top])) {
            return REFUSE;
        }
        pop(); // the number ended: the byte belongs to what follows it
        return AGAIN;
    }

    private int literals(int top, JsonSchema.Node n, int c) {
        byte[][] values = n.segments();
        int at = state[top];
        long still = 0;
        boolean whole = false; // a literal ends exactly here
        for (int i = 0; i < values.length; i++) {
            if ((alive[top] & 1L << i) == 0) {
                continue;
            }
            if (values[i].length == at) {
                whole = true;
            } else if ((values[i][at] & 0xff) == c) {
                still |= 1L << i;
            }
        }
        if (still == 0) {
            if (!whole) {
                return REFUSE;
            }
            pop(); // a whole literal, and the byte is not part of a longer one: it belongs to what follows
            return AGAIN;
        }
        alive[top] = still;
        state[top] = at + 1;
        boolean longer = false;
        for (int i = 0; i < values.length; i++) {
            if ((still & 1L << i) != 0 && values[i].length > at + 1) {
                longer = true;
            }
        }
        if (!longer) {
            pop(); // every literal still matching ends here
        }
        return ACCEPT;
    }

    private void push(int id) {
        if (depth == node.length) {
            node = Arrays.copyOf(node, depth * 2);
            phase = Arrays.copyOf(phase, depth * 2);
            state = Arrays.copyOf(state, depth * 2);
            alive = Arrays.copyOf(alive, depth * 2);
        }
        node[depth] = id;
        phase[depth] = 0;
        state[depth] = 0;
        alive[depth] = -1L;
        depth++;
    }

    private void pop() {
        depth--;
        if (depth == 0) {
            complete = true;
        }
    }
}
