package dev.tangram.inference.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a model family writes a function call in free text, for {@code tool_choice} "auto": what the model is shown, how its
 * answer is read back, and how much of a streamed answer must be held back until it is known whether it is a call.
 * <ul>
 *   <li>{@link #JSON}: Llama 3.1 and later answer with a bare JSON object {@code {"name": ..., "parameters": {...}}}
 *   (sometimes after {@code <|python_tag|>}), several separated by {@code ;}. Families without a convention of their own
 *   (Llama 2, plain transcripts) are asked for the same.</li>
 *   <li>{@link #HERMES}: ChatML models trained for tools (Qwen 2.5, Hermes) write
 *   {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>}, possibly after some text.</li>
 *   <li>{@link #MISTRAL}: Mistral (7B v0.3 and later) writes {@code [TOOL_CALLS] [{"name": ..., "arguments": {...}}, ...]},
 *   possibly after some text, having been shown the functions in {@code [AVAILABLE_TOOLS]}.</li>
 *   <li>{@link #HARMONY}: gpt-oss sends a message to {@code functions.NAME} with the arguments as its text, having been
 *   shown the functions as a TypeScript namespace in its developer message ({@link HarmonyTools}). {@link HarmonySplit}
 *   hands such a message on in one form, {@code <|start|>assistant to=functions.NAME<|channel|>commentary
 *   json<|message|>ARGS<|call|>}, which is also how the gpt-oss template shows earlier calls, and is what is read here.</li>
 * </ul>
 * An answer is a call only when all of it reads as calls of offered functions; anything else is an ordinary message.
 */
enum ToolCallFormat {
    JSON, HERMES, MISTRAL, HARMONY;

    static final String PYTHON_TAG = "<|python_tag|>";
    static final String OPEN = "<tool_call>";
    static final String CLOSE = "</tool_call>";
    static final String TOOL_CALLS = "[TOOL_CALLS]";
    /** How a Harmony call begins, up to its function's name. */
    private static final String HARMONY_CALL = HarmonySplit.ASSISTANT + " to=functions.";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Reads one JSON document, nothing after it. */
    private static final ObjectReader WHOLE = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What an answer turned out to be: text (null when there is none) and the calls it made (none for a plain message). */
    record Parsed(String content, List<ChatTemplate.ToolCall> calls) {
        static Parsed message(String text) {
            return new Parsed(text, List.of());
        }
    }

    static ToolCallFormat of(ChatTemplate template) {
        return switch (template) {
            case CHATML -> HERMES;
            case MISTRAL, MISTRAL_TEKKEN, MISTRAL_V7 -> MISTRAL;
            case HARMONY -> HARMONY;
            default -> JSON;
        };
    }

    /** The calls of one turn as a model of this family writes them (also how earlier calls are shown to it). */
    String written(List<ChatTemplate.ToolCall> calls) {
        List<String> each = new ArrayList<>();
        for (ChatTemplate.ToolCall call : calls) {
            String args = call.arguments().isBlank() ? "{}" : call.arguments();
            each.add(switch (this) {
                case JSON -> "{\"name\": " + quoted(call.name()) + ", \"parameters\": " + args + "}";
                case HERMES -> OPEN + "\n{\"name\": " + quoted(call.name()) + ", \"arguments\": " + args + "}\n" + CLOSE;
                case MISTRAL -> "{\"name\": " + quoted(call.name()) + ", \"arguments\": " + args + "}";
                case HARMONY -> harmonyCallHead(call.name()) + args + HarmonySplit.CALL;
            });
        }
        return switch (this) {
            case JSON -> String.join("; ", each);
            case HERMES -> String.join("\n", each);
            case MISTRAL -> TOOL_CALLS + " [" + String.join(", ", each) + "]";
            case HARMONY -> String.join("", each);
        };
    }

    /** A Harmony call message up to its arguments: the assistant's role and recipient, the channel, the JSON type. */
    static String harmonyCallHead(String name) {
        return HARMONY_CALL + name + HarmonySplit.CHANNEL + "commentary json" + HarmonySplit.MESSAGE;
    }

    /**
     * The conversation with the functions shown, where each family's template puts them: Llama 3 style, in front of the
     * first user message; Hermes style, in the system message inside {@code <tools>} tags (one added if there is none);
     * Mistral style, in {@code [AVAILABLE_TOOLS]} just before the last user message; Harmony, as a TypeScript namespace
     * that {@link HarmonyPrompt} puts in the developer message.
     */
    List<ChatTemplate.Message> prompt(List<ChatTemplate.Message> messages, List<JsonNode> functions) {
        List<String> shown = new ArrayList<>();
        for (JsonNode f : functions) {
            shown.add("{\"type\": \"function\", \"function\": " + f + "}");
        }
        List<ChatTemplate.Message> out = new ArrayList<>(messages);
        switch (this) {
            case JSON -> {
                String tools = "These functions are available. To call one, answer with nothing but a JSON object in the format "
                        + "{\"name\": function name, \"parameters\": dictionary of argument name and its value}; otherwise answer in "
                        + "plain text.\n\n" + String.join("\n", shown) + "\n\n";
                int firstUser = indexOfRole(out, "user", true);
                if (firstUser < 0) {
                    out.add(new ChatTemplate.Message("user", tools.strip()));
                } else {
                    ChatTemplate.Message m = out.get(firstUser);
                    out.set(firstUser, new ChatTemplate.Message("user", tools + m.content(), m.toolCalls()));
                }
            }
            case HERMES -> {
                String tools = "# Tools\n\nYou may call functions to help with the user's request. Their signatures are within "
                        + "<tools></tools> XML tags:\n<tools>\n" + String.join("\n", shown) + "\n</tools>\n\nTo call a function, write a "
                        + "JSON object with its name and arguments within <tool_call></tool_call> XML tags:\n" + OPEN + "\n{\"name\": "
                        + "<function-name>, \"arguments\": <args-json-object>}\n" + CLOSE;
                if (!out.isEmpty() && out.getFirst().role().equals("system")) {
                    ChatTemplate.Message system = out.getFirst();
                    out.set(0, new ChatTemplate.Message("system", system.content() + "\n\n" + tools, system.toolCalls()));
                } else {
                    out.addFirst(new ChatTemplate.Message("system", tools));
                }
            }
            case MISTRAL -> {
                // a message of the internal role "tools", which the Mistral chat templates write in [AVAILABLE_TOOLS]
                int lastUser = indexOfRole(out, "user", false);
                out.add(lastUser < 0 ? out.size() : lastUser, new ChatTemplate.Message("tools", "[" + String.join(", ", shown) + "]"));
            }
            case HARMONY -> out.add(new ChatTemplate.Message("tools", HarmonyTools.namespace(functions)));
        }
        return out;
    }

    /** The first (or last) message of {@code role}, or -1. */
    private static int indexOfRole(List<ChatTemplate.Message> messages, String role, boolean first) {
        int found = -1;
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).role().equals(role)) {
                found = i;
                if (first) {
                    break;
                }
            }
        }
        return found;
    }

    /** Reads a whole answer: the calls it makes of the functions {@code names}, or the message it is. */
    Parsed parse(String text, Set<String> names) {
        return switch (this) {
            case JSON -> {
                List<ChatTemplate.ToolCall> calls = jsonCalls(text, names);
                yield calls == null ? Parsed.message(text) : new Parsed(null, calls);
            }
            case HERMES, MISTRAL, HARMONY -> {
                int open = text.indexOf(marker());
                if (open < 0) {
                    yield Parsed.message(text);
                }
                List<ChatTemplate.ToolCall> calls = switch (this) {
                    case HERMES -> hermesCalls(text.substring(open), names);
                    case MISTRAL -> mistralCalls(text.substring(open + TOOL_CALLS.length()), names);
                    default -> harmonyCalls(text.substring(open), names);
                };
                yield calls == null ? Parsed.message(text) : new Parsed(open == 0 ? null : text.substring(0, open), calls);
            }
        };
    }

    /** The text that starts the calls of a family that may write some text first. */
    private String marker() {
        return switch (this) {
            case HERMES -> OPEN;
            case HARMONY -> HARMONY_CALL;
            default -> TOOL_CALLS;
        };
    }

    /**
     * For a streamed answer of which {@code text} has been generated so far and {@code released} characters sent as
     * message text: where the text that must wait begins (text from there on may still turn out to be part of a call;
     * {@code text.length()} when none must). Never less than {@code released}.
     */
    int holdFrom(String text, int released) {
        return switch (this) {
            case JSON -> {
                if (released > 0) {
                    yield text.length(); // already known to be a message
                }
                String s = text.stripLeading();
                boolean maybeCall = s.isEmpty() || s.startsWith("{") || s.startsWith(PYTHON_TAG) || PYTHON_TAG.startsWith(s);
                yield maybeCall ? 0 : text.length();
            }
            case HERMES, MISTRAL, HARMONY -> {
                String marker = marker();
                int open = text.indexOf(marker, released);
                if (open >= 0) {
                    yield open;
                }
                // a tail that could be the beginning of the marker waits for the next piece
                int from = Math.max(released, text.length() - marker.length() + 1);
                while (from < text.length() && !marker.startsWith(text.substring(from))) {
                    from++;
                }
                yield from;
            }
        };
    }

    /** Llama 3 style: the whole text is one or more call objects separated by ';', else null. */
    private static List<ChatTemplate.ToolCall> jsonCalls(String text, Set<String> names) {
        String s = text.strip();
        if (s.startsWith(PYTHON_TAG)) {
            s = s.substring(PYTHON_TAG.length()).strip();
        }
        List<ChatTemplate.ToolCall> calls = new ArrayList<>();
        while (!s.isEmpty()) {
            Head head = firstObject(s);
            ChatTemplate.ToolCall call = head == null ? null : call(head.object(), names, "parameters");
            if (call == null) {
                return null;
            }
            calls.add(call);
            s = head.rest().strip();
            if (s.startsWith(";")) {
                s = s.substring(1).strip();
            } else if (!s.isEmpty()) {
                return null;
            }
        }
        return calls.isEmpty() ? null : calls;
    }

    /** Hermes style: {@code text} starts with the opening tag; every tagged block must be a call, with only space between. */
    private static List<ChatTemplate.ToolCall> hermesCalls(String text, Set<String> names) {
        List<ChatTemplate.ToolCall> calls = new ArrayList<>();
        String s = text;
        while (!s.isBlank()) {
            s = s.stripLeading();
            if (!s.startsWith(OPEN)) {
                return null;
            }
            int close = s.indexOf(CLOSE);
            // the closing tag may be missing where generation stopped right after the object
            String body = close < 0 ? s.substring(OPEN.length()) : s.substring(OPEN.length(), close);
            ChatTemplate.ToolCall call;
            try {
                call = call(WHOLE.readTree(body), names, "arguments");
            } catch (JsonProcessingException e) {
                return null;
            }
            if (call == null) {
                return null;
            }
            calls.add(call);
            s = close < 0 ? "" : s.substring(close + CLOSE.length());
        }
        return calls.isEmpty() ? null : calls;
    }

    /**
     * Harmony: {@code text} starts with a call; each is {@link #harmonyCallHead} with an offered function's name, a JSON
     * object, and {@code <|call|>} (missing at the very end), one right after another; else null.
     */
    private static List<ChatTemplate.ToolCall> harmonyCalls(String text, Set<String> names) {
        List<ChatTemplate.ToolCall> calls = new ArrayList<>();
        String s = text;
        while (!s.isEmpty()) {
            int message = s.indexOf(HarmonySplit.MESSAGE);
            if (!s.startsWith(HARMONY_CALL) || message < 0) {
                return null;
            }
            String name = s.substring(HARMONY_CALL.length(), message);
            int channel = name.indexOf(HarmonySplit.CHANNEL);
            name = channel < 0 ? name : name.substring(0, channel);
            int close = s.indexOf(HarmonySplit.CALL, message);
            String args = s.substring(message + HarmonySplit.MESSAGE.length(), close < 0 ? s.length() : close);
            ObjectNode call = MAPPER.createObjectNode().put("name", name);
            try {
                call.set("arguments", args.isBlank() ? MAPPER.createObjectNode() : WHOLE.readTree(args));
            } catch (JsonProcessingException e) {
                return null;
            }
            ChatTemplate.ToolCall read = call(call, names, "arguments");
            if (read == null) {
                return null;
            }
            calls.add(read);
            s = close < 0 ? "" : s.substring(close + HarmonySplit.CALL.length());
        }
        return calls.isEmpty() ? null : calls;
    }

    /** Mistral style: after the marker, one JSON array of call objects (or one object) and nothing else, else null. */
    private static List<ChatTemplate.ToolCall> mistralCalls(String text, Set<String> names) {
        JsonNode node;
        try {
            node = WHOLE.readTree(text.strip());
        } catch (JsonProcessingException e) {
            return null;
        }
        if (node == null || !node.isArray() && !node.isObject()) {
            return null;
        }
        List<ChatTemplate.ToolCall> calls = new ArrayList<>();
        for (JsonNode item : node.isArray() ? node : List.of(node)) {
            ChatTemplate.ToolCall call = call(item, names, "arguments");
            if (call == null) {
                return null;
            }
            calls.add(call);
        }
        return calls.isEmpty() ? null : calls;
    }

    /** A JSON object at the start of a text, and the text after it. */
    private record Head(JsonNode object, String rest) {
    }

    /** The first JSON object of {@code s} and the text after it, or null where {@code s} does not start with one. */
    private static Head firstObject(String s) {
        try (JsonParser p = MAPPER.createParser(s)) {
            JsonNode node = MAPPER.readTree(p);
            if (node == null || !node.isObject()) {
                return null;
            }
            long end = p.currentLocation().getCharOffset();
            return new Head(node, s.substring((int) end));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A call object: a {@code name} among {@code names} and its arguments as an object under {@code "arguments"} or
     * {@code "parameters"} (each family has its favourite; both are read), or as a string holding one. Null otherwise.
     */
    private static ChatTemplate.ToolCall call(JsonNode node, Set<String> names, String favourite) {
        if (node == null || !node.isObject() || !node.path("name").isTextual() || !names.contains(node.get("name").asText())) {
            return null;
        }
        String other = favourite.equals("arguments") ? "parameters" : "arguments";
        JsonNode args = node.has(favourite) ? node.get(favourite) : node.get(other);
        if (args == null || args.isNull()) {
            args = MAPPER.createObjectNode();
        }
        if (args.isTextual()) {
            try {
                args = MAPPER.readTree(args.asText());
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        if (args == null || !args.isObject()) {
            return null;
        }
        for (var field : node.properties()) {
            if (!Set.of("name", "arguments", "parameters").contains(field.getKey())) {
                return null; // not the shape of a call
            }
        }
        return new ChatTemplate.ToolCall(node.get("name").asText(), ((ObjectNode) args).toString());
    }

    /** {@code s} as a JSON string. */
    static String quoted(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
