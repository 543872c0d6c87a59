package dev.tangram.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What bin/tangram says about each command: its JVM flags (the *_OPTS variables) and its main class. */
public final class Launcher {
    private static final String TEXT;

    static {
        try {
            TEXT = Files.readString(Chart.ROOT.resolve("bin/tangram"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Launcher() {
    }

    /** The value of {@code NAME="..."} in the launcher. */
    public static String variable(String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "=\"([^\"]*)\"").matcher(TEXT);
        if (!m.find()) {
            throw new IllegalStateException("bin/tangram defines no " + name);
        }
        return m.group(1);
    }

    /** The JVM flags of a command, its $VARIABLES expanded, as one space-separated line. */
    public static String jvmFlags(String command) {
        String opts = caseRow(command, "opts");
        Matcher m = Pattern.compile("\\$([A-Z_]+)").matcher(opts);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(variable(m.group(1))));
        }
        m.appendTail(out);
        return normalise(out.toString());
    }

    public static String mainClass(String command) {
        return caseRow(command, "main");
    }

    public static String module(String command) {
        return caseRow(command, "module");
    }

    public static String normalise(String flags) {
        return flags.trim().replaceAll("\\s+", " ");
    }

    private static String caseRow(String command, String key) {
        Matcher row = Pattern.compile("(?m)^\\s*" + Pattern.quote(command) + "\\)\\s*(.*)$").matcher(TEXT);
        if (!row.find()) {
            throw new IllegalStateException("bin/tangram has no command " + command);
        }
        Matcher m = Pattern.compile(key + "=(\"[^\"]*\"|[^;\\s]+)").matcher(row.group(1));
        if (!m.find()) {
            throw new IllegalStateException("bin/tangram command " + command + " sets no " + key);
        }
        return m.group(1).replace("\"", "");
    }
}
