package dev.tangram.extender.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.config.ExtenderConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint gets the recorded bodies mutated: truncated, types flipped, random bytes, huge numbers, deep nesting,
 * fields dropped. The extender must answer every one with 200 or 400, never 5xx, and keep serving.
 */
class FuzzIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VERBS = List.of("filter", "prioritize", "bind", "preempt");
    private static ExtenderApp app;
    private static HttpClientFixture http;

    @BeforeAll
    static void start() {
        app = ExtenderApp.start(ExtenderConfigLoader.parse("http: {host: 127.0.0.1, port: 0, maxRequestBytes: 1000000}", "test"),
                Optional.empty(), Clock.systemUTC(), "fuzz");
        http = HttpClientFixture.plain(app.port());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void mutatedBodiesNeverGetA5xxOnAnyEndpoint() throws Exception {
        Random random = new Random(20261123L);
        int sent = 0;
        List<String> seeds = new ArrayList<>();
        for (String f : RecordedRequests.FILES) {
            seeds.add(RecordedRequests.text(f));
            if (f.contains("full")) {
                seeds.add(RecordedRequests.withInventories(f));
            }
        }
        for (String seed : seeds) {
            for (int round = 0; round < 40; round++) {
                String body = mutate(seed, random);
                for (String verb : VERBS) {
                    HttpResponse<String> r = http.post("/" + verb, body);
                    assertThat(r.statusCode()).as(verb + " <- " + abbreviate(body) + " -> " + r.body()).isIn(200, 400);
                    if (r.statusCode() == 400) {
                        assertThat(r.body()).contains("\"Error\"");
                    }
                    sent++;
                }
            }
        }
        assertThat(sent).isGreaterThan(1000);
        // Still serving after all that.
        assertThat(http.post("/filter", RecordedRequests.withInventories("001-full-filter.json")).statusCode()).isEqualTo(200);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
    }

    static String mutate(String seed, Random random) throws Exception {
        switch (random.nextInt(7)) {
            case 0:
                return seed.substring(0, random.nextInt(seed.length()));
            case 1: {
                byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 1 + random.nextInt(20); i++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
            case 2:
                return "[".repeat(1 + random.nextInt(5000)) + "]".repeat(random.nextInt(3));
            case 3: {
                String deep = "{\"a\":".repeat(50 + random.nextInt(2000)) + "1" + "}".repeat(random.nextInt(10));
                return "{\"Pod\":" + deep + "}";
            }
            default: {
                JsonNode tree = JSON.readTree(seed);
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    tree = mutateTree(tree, random);
                }
                return JSON.writeValueAsString(tree);
            }
        }
    }

    private static final List<JsonNode> ODD_VALUES = List.of(
            JsonNodeFactory.instance.numberNode(new java.math.BigInteger("9".repeat(400))),
            JsonNodeFactory.instance.numberNode(-1), JsonNodeFactory.instance.numberNode(1e308),
            JsonNodeFactory.instance.textNode(""), JsonNodeFactory.instance.textNode("1.5"),
            JsonNodeFactory.instance.textNode("-3"), JsonNodeFactory.instance.textNode("99999999999999999999"),
            JsonNodeFactory.instance.textNode("\u0000\uFFFF"), JsonNodeFactory.instance.booleanNode(true),
            JsonNodeFactory.instance.nullNode(), JsonNodeFactory.instance.arrayNode(), JsonNodeFactory.instance.objectNode());

    /** Replaces, drops or retypes one randomly chosen value somewhere in the tree. */
    private static JsonNode mutateTree(JsonNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) {
            return ODD_VALUES.get(random.nextInt(ODD_VALUES.size()));
        }
        JsonNode target = containers.get(random.nextInt(containers.size()));
        JsonNode odd = ODD_VALUES.get(random.nextInt(ODD_VALUES.size())).deepCopy();
        if (target instanceof ObjectNode o && o.size() > 0) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String name = names.get(random.nextInt(names.size()));
            if (random.nextInt(4) == 0) {
                o.remove(name);
            } else {
                o.set(name, odd);
            }
        } else if (target instanceof ArrayNode a && a.size() > 0) {
            a.set(random.nextInt(a.size()), odd);
        }
        return root;
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            Iterator<JsonNode> it = node.elements();
            while (it.hasNext()) {
                collect(it.next(), out);
            }
        }
    }
}
