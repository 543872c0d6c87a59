package dev.tangram.core.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    @Test
    void writesAndReadsBackEveryKindOfValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ newline \n tab \t \u0001 ünïcode");
        m.put("i", 42L);
        m.put("neg", -7L);
        m.put("d", 1.5);
        m.put("t", true);
        m.put("f", false);
        m.put("n", null);
        m.put("list", List.of(1L, "two", List.of()));
        m.put("obj", Map.of("k", "v"));
        String text = Json.write(m);
        assertThat(Json.parse(text)).isEqualTo(m);
    }

    @Test
    void acceptsWhitespaceAndEscapes() {
        assertThat(Json.parse(" { \"a\" : [ 1 , 2 ] , \"b\":\"\\u0041\\/\" } "))
                .isEqualTo(Map.of("a", List.of(1L, 2L), "b", "A/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "\"open", "tru", "{\"a\":1}x", "{\"a\":1,\"a\":2}",
            "-", "1.2.3", "{\"a\":\"\\x\"}", "\"\u0001\""})
    void rejectsMalformedInputWithAnOffset(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonException.class).hasMessageContaining("offset");
    }

    @Test
    void refusesDeepNesting() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nested deeper");
    }

    @Test
    void typedAccessNamesThePathOfAWrongField() {
        JsonObject o = Json.parseObject("{\"gpus\":[{\"uuid\":5}]}", "inventory");
        assertThatThrownBy(() -> o.objects("gpus").getFirst().string("uuid"))
                .hasMessage("inventory.gpus[0].uuid must be a string");
        assertThatThrownBy(() -> o.string("node")).hasMessage("inventory.node is missing");
    }
}
