# Sourced by .ci/run and bench/run: exports JAVA_HOME (and PATH) for a JDK 21+, which websockets-next's build needs.

java_major() { # prints the major version of the JDK at $1, or nothing
    local release="$1/release"
    [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

pick_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
        [ -n "$candidate" ] || continue
        major=$(java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 21 ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

found_jdks() { # the JDKs pick_jdk looked at, as "JDK 17 at /usr/lib/jvm/...", or "no JDK"
    local candidate major list=""
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "$candidate" ] || continue
        major=$(java_major "$candidate")
        [ -z "$major" ] || list="${list:+$list, }JDK $major at $candidate"
    done
    echo "${list:-no JDK}"
}

if ! picked=$(pick_jdk); then
    # The build's own guard in the same words (pom.xml), and what was looked at: the fix is a JAVA_HOME to a newer one
    echo "Slackir needs a JDK 21 or newer: set JAVA_HOME (found $(found_jdks) in JAVA_HOME and /usr/lib/jvm)" >&2
    exit 1
fi
export JAVA_HOME=$picked
export PATH="$JAVA_HOME/bin:$PATH"
echo "Using JDK $(java_major "$JAVA_HOME") at $JAVA_HOME"
