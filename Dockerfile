# Builds the llmlog release binary and runs it on a slim Debian with libpq.
FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY sql ./sql
RUN swift build -c release --product llmlog --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/llmlog" /usr/local/bin/llmlog

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 llmlog
COPY --from=build /usr/local/bin/llmlog /usr/local/bin/llmlog
USER llmlog
EXPOSE 8080
ENTRYPOINT ["llmlog"]
CMD ["serve"]
