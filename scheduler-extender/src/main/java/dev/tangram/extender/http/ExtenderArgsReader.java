package dev.tangram.extender.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads filter and prioritize bodies ({@code ExtenderArgs}) with Jackson's streaming API: {@code NodeNames} (the whole
 * body in cache-capable mode, apart from the pod) is read token by token into a list, and only {@code Pod} and
 * {@code Nodes} are bound to fabric8's models. Keys match case-insensitively and unknown keys are skipped, as the
 * mapper in {@link ExtenderJson} does; when a key repeats, the last one wins.
 */
final class ExtenderArgsReader {
    private ExtenderArgsReader() {
    }

    static ExtenderArgs read(ObjectMapper json, byte[] body) throws IOException, BadRequest {
        try (JsonParser p = json.getFactory().createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.VALUE_NULL) {
                throw new BadRequest("the body is JSON null, expected an object");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new BadRequest("expected a JSON object, found " + first);
            }
            Pod pod = null;
            NodeList nodes = null;
            List<String> names = null;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("NodeNames".equalsIgnoreCase(field)) {
                    names = value == JsonToken.VALUE_NULL ? null : names(p, value);
                } else if ("Pod".equalsIgnoreCase(field)) {
                    pod = value == JsonToken.VALUE_NULL ? null : json.readValue(p, Pod.class);
                } else if ("Nodes".equalsIgnoreCase(field)) {
                    nodes = value == JsonToken.VALUE_NULL ? null : json.readValue(p, NodeList.class);
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new BadRequest("malformed JSON: data after the end of the object");
            }
            return new ExtenderArgs(pod, nodes, names);
        }
    }

    private static List<String> names(JsonParser p, JsonToken start) throws IOException, BadRequest {
        if (start != JsonToken.START_ARRAY) {
            throw new BadRequest("NodeNames must be an array of node names, found " + start);
        }
        List<String> names = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.VALUE_NULL) {
                throw new BadRequest("NodeNames contains null");
            }
            if (t != JsonToken.VALUE_STRING) {
                throw new BadRequest("NodeNames must hold strings, found " + t + " at index " + names.size());
            }
            names.add(p.getText());
        }
        return names;
    }
}
