package dev.tangram.extender.http;

import dev.tangram.extender.ExtenderApp;
import dev.tangram.extender.config.ExtenderConfigLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HTTPS from PEM files made by keytool in the test, with and without client-certificate verification. */
class TlsIT {
    @TempDir
    static Path dir;
    static Path keystore;
    static Path certPem;
    static Path keyPem;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        keystore = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        KeyStore ks = load(keystore);
        Key key = ks.getKey("server", "changeit".toCharArray());
        certPem = dir.resolve("tls.crt");
        keyPem = dir.resolve("tls.key");
        Files.writeString(certPem, pem("CERTIFICATE", ks.getCertificate("server").getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
    }

    private static KeyStore load(Path file) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static HttpClient client(boolean presentCertificate) throws Exception {
        KeyStore ks = load(keystore);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        ssl.init(presentCertificate ? kmf.getKeyManagers() : null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).build();
    }

    private ExtenderApp start(boolean requireClientCert) {
        String yaml = "http: {host: 127.0.0.1, port: 0, tls: {certFile: '" + certPem + "', keyFile: '" + keyPem + "'"
                + (requireClientCert ? ", clientCaFile: '" + certPem + "'" : "") + "}}";
        return ExtenderApp.start(ExtenderConfigLoader.parse(yaml, "test"), Optional.empty(), Clock.systemUTC(), "tls");
    }

    @Test
    void servesTheVerbsOverHttps() throws Exception {
        try (ExtenderApp app = start(false)) {
            HttpClientFixture https = new HttpClientFixture(client(false), "https://127.0.0.1:" + app.port());
            assertThat(https.post("/filter", RecordedRequests.withInventories("001-full-filter.json")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withAClientCaOnlyClientsPresentingACertificateGetIn() throws Exception {
        try (ExtenderApp app = start(true)) {
            HttpClientFixture withCert = new HttpClientFixture(client(true), "https://127.0.0.1:" + app.port());
            assertThat(withCert.post("/filter", RecordedRequests.withInventories("001-full-filter.json")).statusCode()).isEqualTo(200);
            HttpClientFixture without = new HttpClientFixture(client(false), "https://127.0.0.1:" + app.port());
            assertThatThrownBy(() -> without.post("/filter", "{}")).hasRootCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void aKeyFileWithoutAPrivateKeyStopsStartupNamingIt() {
        assertThatThrownBy(() -> ExtenderApp.start(ExtenderConfigLoader.parse("http: {port: 0, tls: {certFile: '" + certPem
                + "', keyFile: '" + certPem + "'}}", "test"), Optional.empty(), Clock.systemUTC(), "tls"))
                .hasMessageContaining("tls.keyFile").hasMessageContaining("PRIVATE KEY");
    }
}
