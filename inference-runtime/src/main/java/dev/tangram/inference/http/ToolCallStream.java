package dev.tangram.inference.http;

import java.util.ArrayList;
import java.util.List;

/**
 * One streamed choice under {@code tool_choice} "auto": generated text goes out as message text as soon as it can no
 * longer be part of a call; what might be is held (with its log-probabilities) until the answer ends and is then read
 * as calls, or sent as text after all. A call's arguments therefore arrive in one piece, at the end.
 */
final class ToolCallStream {
    private final AutoTools tools;
    private final ToolCallFormat format;
    private final StringBuilder text = new StringBuilder();
    /** Characters of {@link #text} already sent as message text. */
    private int released;
    private final List<LogprobsJson.Logged> logged = new ArrayList<>();

    ToolCallStream(AutoTools tools, ToolCallFormat format) {
        this.tools = tools;
        this.format = format;
    }

    /** Takes a generated piece and its log-probabilities; returns the message text that may go out now ("" for none). */
    String add(String piece, List<LogprobsJson.Logged> pieceLogged) {
        text.append(piece);
        logged.addAll(pieceLogged);
        String all = text.toString();
        int hold = format.holdFrom(all, released);
        String out = all.substring(released, hold);
        released = hold;
        return out;
    }

    /** The log-probabilities not yet sent (they go with the next piece that is), emptied. */
    List<LogprobsJson.Logged> takeLogged() {
        List<LogprobsJson.Logged> out = List.copyOf(logged);
        logged.clear();
        return out;
    }

    /** At the end of the answer: what the held text is (calls, or text to send; content null or "" for nothing more). */
    ToolCallFormat.Parsed finish() {
        return tools.parse(format, text.substring(released));
    }
}
