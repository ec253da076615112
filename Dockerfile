# syntax=docker/dockerfile:1
# DenseServe container image (CPU). GPU: see Dockerfile.gpu.
# Base images are build arguments so that a mirror or a local image can stand in for them.
ARG BUILD_IMAGE=eclipse-temurin:17-jdk-jammy
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-jammy

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp -q dependency:go-offline
COPY src/ src/
RUN ./mvnw -B -ntp -q -DskipTests package \
 && cp target/denseserve-*[0-9T].jar /denseserve.jar \
 && java -Djarmode=tools -jar /denseserve.jar extract --destination /app/denseserve
# Unpack libtorch now, into a directory the runtime image keeps read-only.
RUN ENGINE_CACHE_DIR=/opt/djl java -Dloader.main=io.denseserve.plan.NativeLibraries \
      -cp /denseserve.jar org.springframework.boot.loader.launch.PropertiesLauncher

FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 denseserve \
 && useradd --system --uid 10001 --gid denseserve --home-dir /home/denseserve --create-home denseserve
COPY --from=build /opt/djl /opt/djl
# The jar extracted (the application jar and its libraries beside it), so that class-data sharing
# can map its classes: CDS reads classes from plain jars on the class path, not from nested ones.
COPY --from=build /app/denseserve/ /app/denseserve/
COPY deploy/docker/entrypoint.sh deploy/docker/jvm.options /app/
ENV ENGINE_CACHE_DIR=/opt/djl \
    DJL_CACHE_DIR=/tmp/djl \
    OPT_OUT_TRACKING=true \
    MALLOC_MMAP_THRESHOLD_=17179869184 \
    MALLOC_TRIM_THRESHOLD_=17179869184 \
    MALLOC_ARENA_MAX=2
# A class-data sharing archive of the classes start-up loads, made by this image's own JVM in a
# training run that starts the application context and exits (Spring's spring.context.exit): the
# entrypoint maps it, and the JVM skips parsing and verifying those classes again (BENCHMARKS.md §5).
RUN mkdir /tmp/cds && java @/app/jvm.options -XX:ArchiveClassesAtExit=/app/denseserve.jsa \
      -Dspring.context.exit=onRefresh -Dai.djl.offline=true -Djava.io.tmpdir=/tmp/cds \
      -jar /app/denseserve/denseserve.jar --server.port=0 > /tmp/cds/training.log 2>&1 \
 || { tail -40 /tmp/cds/training.log; exit 1; }; rm -rf /tmp/cds
USER 10001:10001
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/app/entrypoint.sh"]
