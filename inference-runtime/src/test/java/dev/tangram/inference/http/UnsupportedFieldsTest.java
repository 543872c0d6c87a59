package dev.tangram.inference.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class UnsupportedFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode request(String field, String value) throws Exception {
        return JSON.readTree("{\"" + field + "\":" + value + "}");
    }

    @ParameterizedTest(name = "{0}: {1} (chat: {2})")
    @CsvSource(delimiter = '|', value = {
            "best_of           | 3                             | false",
            "suffix            | '\"end\"'                     | false",
            "functions         | '[{\"name\":\"f\"}]'          | true",
            "function_call     | '\"auto\"'                    | true",
            "modalities        | '[\"text\",\"audio\"]'        | true",
            "audio             | '{\"voice\":\"x\"}'           | true",
            "prediction        | '{\"type\":\"content\"}'      | true"})
    void aFieldThatAsksForSomethingNotImplementedIsA400NamingIt(String field, String value, boolean chat) throws Exception {
        ApiError e = catchThrowableOfType(ApiError.class, () -> UnsupportedFields.check(request(field, value), chat));
        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo(field);
        assertThat(e.getMessage()).isEqualTo("'" + field + "' is not supported by this server (got " + JSON.readTree(value)
                + "); leave it out or set it to null");
    }

    @ParameterizedTest(name = "{0}: {1} (chat: {2})")
    @CsvSource(delimiter = '|', value = {
            "best_of           | 1                             | false",
            "suffix            | '\"\"'                        | false",
            "response_format   | '{\"type\":\"text\"}'         | true",
            "tools             | '[]'                          | true",
            "tool_choice       | '\"none\"'                    | true",
            "function_call     | '\"none\"'                    | true",
            "modalities        | '[\"text\"]'                  | true",
            "echo              | true                          | true",
            "response_format   | '{\"type\":\"json_object\"}'  | false",
            "user              | '\"someone\"'                 | true",
            "min_p             | 0.1                           | false",
            "logprobs          | 5                             | false",
            "top_logprobs      | 3                             | true",
            "presence_penalty  | 1.5                           | true",
            "logit_bias        | '{\"7\": -100}'               | false"})
    void aFieldThatAsksForNothingOrIsNotTheEndpointsIsServed(String field, String value, boolean chat) {
        assertThatCode(() -> UnsupportedFields.check(request(field, value), chat)).doesNotThrowAnyException();
    }

    @Test
    void aLongValueIsCutShortInTheMessage() throws Exception {
        String functions = "[" + "{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}},".repeat(50) + "{}]";
        ApiError e = catchThrowableOfType(ApiError.class, () -> UnsupportedFields.check(request("functions", functions), true));
        assertThat(e.getMessage()).hasSizeLessThan(160).contains("...); leave it out");
    }
}
