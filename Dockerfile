# ctlmon's image: built with the Swift toolchain, run on a slim Debian with the C libraries
# it links (libcurl, zlib, RE2, snappy, libyaml) and CA certificates. The Swift runtime is
# linked statically and the binary stripped (33 MB; no Foundation ICU data).
#   docker build -t ctlmon:0.1.0 .
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g-dev libre2-dev libcurl4-openssl-dev libsnappy-dev libyaml-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY Rules Rules
RUN swift build -c release --static-swift-stdlib --product ctlmon \
    && install -D -s "$(swift build -c release --static-swift-stdlib --show-bin-path)/ctlmon" /out/ctlmon

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libcurl4 zlib1g libre2-9 libsnappy1v5 libyaml-0-2 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ctlmon /usr/local/bin/ctlmon
# kubectl's plugin convention: `kubectl ctlmon check` runs kubectl-ctlmon.
RUN ln -s ctlmon /usr/local/bin/kubectl-ctlmon
USER 65532:65532
EXPOSE 9095
ENTRYPOINT ["/usr/local/bin/ctlmon"]
CMD ["serve", "--storage.path=/var/lib/ctlmon"]
