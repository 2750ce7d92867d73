# Builds the llmlog release binary and runs it on a slim Debian with libpq.
FROM swift:6.2-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev zlib1g-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product llmlog --static-swift-stdlib \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir -p /out && cp "$bin/llmlog" /out/ && cp -R "$bin/llmlog_LLMLogService.resources" /out/

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 llmlog
# The binary finds its SQL migrations and OpenAPI document in the resource bundle beside it.
COPY --from=build /out/ /usr/local/bin/
USER llmlog
EXPOSE 8080
ENTRYPOINT ["llmlog"]
CMD ["serve", "--hostname", "0.0.0.0"]
