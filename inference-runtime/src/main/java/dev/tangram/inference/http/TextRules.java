package dev.tangram.inference.http;

import java.util.List;
import java.util.Set;

/**
 * How the generated tokens become the answer's text, and where it stops short of {@code max_tokens}.
 *
 * @param stops               OpenAI's {@code stop}: strings that end the answer where they appear
 * @param stopTokenIds        vLLM's {@code stop_token_ids}: tokens that end the answer when drawn
 * @param includeStopStrings  vLLM's {@code include_stop_str_in_output}: keep the stop string that ended the answer
 * @param skipSpecialTokens   vLLM's {@code skip_special_tokens}: control tokens add no text
 */
public record TextRules(List<String> stops, Set<Integer> stopTokenIds, boolean includeStopStrings, boolean skipSpecialTokens) {
    /** No stops; control tokens shown as their text. */
    public static final TextRules NONE = new TextRules(List.of(), Set.of(), false, false);

    public TextRules {
        stops = List.copyOf(stops);
        stopTokenIds = Set.copyOf(stopTokenIds);
    }
}
