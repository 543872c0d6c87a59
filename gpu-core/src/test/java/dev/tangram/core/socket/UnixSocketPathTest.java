package dev.tangram.core.socket;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnixSocketPathTest {
    @Test
    void acceptsAPathOfExactly107Bytes() {
        Path p = Path.of("/" + "a".repeat(106));
        assertThat(UnixSocketPath.of(p).path()).isEqualTo(p);
    }

    @Test
    void rejectsAPathOf108BytesNamingItsLength() {
        Path p = Path.of("/" + "a".repeat(107));
        assertThatThrownBy(() -> UnixSocketPath.of(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("108 bytes").hasMessageContaining("shorter directory");
    }

    @Test
    void countsBytesNotCharacters() {
        Path p = Path.of("/" + "é".repeat(53) + "a"); // 1 + 106 + 1 bytes
        assertThatThrownBy(() -> UnixSocketPath.of(p)).hasMessageContaining("108 bytes");
    }
}
