package dev.tangram.extender.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExtenderArgsReaderTest {
    private final ObjectMapper json = ExtenderJson.mapper();

    private ExtenderArgs read(String body) throws Exception {
        return ExtenderArgsReader.read(json, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsThePodAndTheNamesAndSkipsUnknownKeys() throws Exception {
        ExtenderArgs args = read("{\"Extra\":{\"a\":[1,{\"b\":2}]},\"Pod\":{\"metadata\":{\"name\":\"p\",\"uid\":\"u\"}},"
                + "\"NodeNames\":[\"n1\",\"n2\"]}");
        assertThat(args.pod().getMetadata().getName()).isEqualTo("p");
        assertThat(args.nodeNames()).containsExactly("n1", "n2");
        assertThat(args.nodes()).isNull();
    }

    @Test
    void matchesKeysCaseInsensitivelyAndLetsTheLastRepeatWin() throws Exception {
        ExtenderArgs args = read("{\"pod\":{\"metadata\":{\"name\":\"p\"}},\"nodenames\":[\"a\"],\"NODENAMES\":[\"b\"],"
                + "\"nodes\":{\"items\":[{\"metadata\":{\"name\":\"x\"}}]}}");
        assertThat(args.pod().getMetadata().getName()).isEqualTo("p");
        assertThat(args.nodeNames()).containsExactly("b");
        assertThat(args.nodes().getItems()).hasSize(1);
    }

    @Test
    void treatsNullValuesAsAbsent() throws Exception {
        ExtenderArgs args = read("{\"Pod\":null,\"NodeNames\":null,\"Nodes\":null}");
        assertThat(args.pod()).isNull();
        assertThat(args.nodeNames()).isNull();
        assertThat(args.nodes()).isNull();
    }

    @Test
    void rejectsNamesThatAreNotAnArrayOfStrings() {
        assertThatThrownBy(() -> read("{\"NodeNames\":\"n1\"}")).isInstanceOf(BadRequest.class).hasMessageContaining("array");
        assertThatThrownBy(() -> read("{\"NodeNames\":[\"a\",null]}")).isInstanceOf(BadRequest.class).hasMessageContaining("null");
        assertThatThrownBy(() -> read("{\"NodeNames\":[\"a\",{}]}")).isInstanceOf(BadRequest.class).hasMessageContaining("index 1");
    }

    @Test
    void rejectsBodiesThatAreNotOneObject() {
        assertThatThrownBy(() -> read("null")).isInstanceOf(BadRequest.class).hasMessageContaining("JSON null");
        assertThatThrownBy(() -> read("[1]")).isInstanceOf(BadRequest.class).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> read("{} {}")).isInstanceOf(BadRequest.class).hasMessageContaining("after the end");
        assertThatThrownBy(() -> read("{\"NodeNames\":[\"a\"")).isInstanceOf(JsonProcessingException.class);
    }
}
