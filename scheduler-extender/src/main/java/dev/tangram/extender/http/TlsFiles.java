package dev.tangram.extender.http;

import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTPS from PEM files, as kube-scheduler's {@code tlsConfig} expects of an extender: the server certificate (chain) and
 * its PKCS#8 private key (RSA or EC), and optionally a CA bundle that client certificates must chain to (then a client
 * without a valid certificate is refused). Files are read and checked at startup; a bad file stops startup naming it.
 */
public record TlsFiles(Path certFile, Path keyFile, Optional<Path> clientCaFile) {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final char[] PASSWORD = "tangram".toCharArray();

    /** The key store (server key + chain) and trust store (client CAs), checked. */
    public record Stores(KeyStore keyStore, Optional<KeyStore> trustStore) {
    }

    public Stores load() {
        try {
            List<Certificate> chain = certificates(certFile);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("tls.certFile " + certFile + " holds no CERTIFICATE block");
            }
            PrivateKey key = privateKey(keyFile);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, PASSWORD, chain.toArray(Certificate[]::new));
            Optional<KeyStore> trust = Optional.empty();
            if (clientCaFile.isPresent()) {
                List<Certificate> cas = certificates(clientCaFile.get());
                if (cas.isEmpty()) {
                    throw new IllegalArgumentException("tls.clientCaFile " + clientCaFile.get() + " holds no CERTIFICATE block");
                }
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    ts.setCertificateEntry("ca" + i, cas.get(i));
                }
                trust = Optional.of(ts);
            }
            return new Stores(ks, trust);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS files unusable (cert " + certFile + ", key " + keyFile + "): " + e.getMessage(), e);
        }
    }

    ServerConnector connector(Server server, HttpConfiguration httpConfig) {
        Stores stores = load();
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(stores.keyStore());
        ssl.setKeyStorePassword(new String(PASSWORD));
        stores.trustStore().ifPresent(ts -> {
            ssl.setTrustStore(ts);
            ssl.setNeedClientAuth(true);
        });
        HttpConfiguration https = new HttpConfiguration(httpConfig);
        SecureRequestCustomizer customizer = new SecureRequestCustomizer();
        customizer.setSniHostCheck(false);
        https.addCustomizer(customizer);
        return new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
    }

    static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Certificate> out = new ArrayList<>();
        for (byte[] der : blocks(file, "CERTIFICATE")) {
            out.add(cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        return out;
    }

    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        List<byte[]> keys = blocks(file, "PRIVATE KEY");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("tls.keyFile " + file + " holds no PKCS#8 'PRIVATE KEY' block"
                    + " (convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.getFirst());
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("tls.keyFile " + file + ": not an RSA, EC or Ed25519 PKCS#8 key");
    }

    private static List<byte[]> blocks(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }
}
