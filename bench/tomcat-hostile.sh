#!/usr/bin/env bash
# RELIABILITY.md §5's Tomcat columns: HostileClientsIT against the service as it last served on Tomcat
# (commit d6bacab), as it was ("patched": its connector override and the filter that read bodies
# without a thread) and with Tomcat's stock settings ("stock": those removed, everything else kept).
# Usage: bench/tomcat-hostile.sh patched|stock   (as root, with `ulimit -n` raised, like .ci/run);
# the figures land in target/bench/hostile-tomcat-VARIANT.json.
set -euo pipefail
cd "$(dirname "$0")/.."
VARIANT=${1:?patched or stock}
OUT=$PWD/target/bench
TREE=/tmp/denseserve-tomcat-$VARIANT
mkdir -p "$OUT"
git worktree remove --force "$TREE" 2>/dev/null || true
git worktree add -q --detach "$TREE" d6bacab
cd "$TREE"
if [ "$VARIANT" = stock ]; then
  git rm -q src/main/java/io/denseserve/web/{UploadBuffering,Upload,ConnectionDeadlines,SpreadTimeoutNioProtocol}.java \
    src/test/java/io/denseserve/web/{SlowUploadEndToEndTest,SpreadTimeoutNioProtocolTest}.java
  python3 - <<'PY'
p = 'src/main/java/io/denseserve/web/ProblemResponses.java'
s = open(p).read()
s = s[:s.index('    /**\n     * Answers a request whose body an {@link Upload}')] + s[s.index('    /** The whole answer, sent now'):]
open(p, 'w').write(s.replace('import jakarta.servlet.AsyncContext;\n', ''))
p = 'src/main/java/io/denseserve/web/EarlyRefusal.java'
s = open(p).read()
open(p, 'w').write(s.replace('@Order(UploadBuffering.ORDER - 10)',
    '@Order(org.springframework.boot.web.servlet.filter.OrderedFormContentFilter.DEFAULT_ORDER - 20)'))
PY
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
./mvnw -q -B -ntp -DskipTests package
./mvnw -B -ntp failsafe:integration-test -Dit.test=HostileClientsIT | grep -E 'Tests run|FAIL' || true
cp target/reliability/hostile.json "$OUT/hostile-tomcat-$VARIANT.json"
echo "figures: $OUT/hostile-tomcat-$VARIANT.json"
