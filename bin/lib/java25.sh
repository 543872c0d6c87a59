# Sourced by mvnw, bin/tangram and .ci/run: makes JAVA_HOME point at a JDK 25 or newer, or says clearly why it cannot.
# Order: $JAVA_HOME if it is 25+, then `java` on PATH if it is 25+, then the usual install folders.
tangram_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1
}
tangram_find_java25() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" \
      /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/jdk-25* /opt/java/openjdk /opt/jdk-25* \
      /Library/Java/JavaVirtualMachines/*25*/Contents/Home; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(tangram_java_major "$candidate")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "tangram: no JDK 25 found. Tangram needs Java 25 (the LTS): install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  echo "tangram: looked at \$JAVA_HOME (${JAVA_HOME:-unset}), the java on PATH and /usr/lib/jvm/*25*." >&2
  return 1
}
