package dev.tangram.extender.http;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The mapper for kube-scheduler's extender JSON: keys are matched case-insensitively (old schedulers sent lower-case
 * keys), unknown keys are ignored, the Go field names are written as declared; Pod and NodeList are the fabric8 models.
 */
public final class ExtenderJson {
    /** Deepest JSON nesting accepted; a Pod needs far less. */
    public static final int MAX_NESTING = 200;

    private ExtenderJson() {
    }

    public static ObjectMapper mapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
        return mapper;
    }
}
