/// ctlmon's version, in one place: `--version`, `ctlmon_build_info`, the API's build
/// information and the `User-Agent` of every request ctlmon sends.
package enum BuildVersion {
    /// The release, semantic versioning.
    package static let version = "0.1.0"
    /// The `User-Agent` header of scrapes, Alertmanager posts and `check`'s fetches.
    package static let userAgent = "ctlmon/\(version)"
    /// The Prometheus release whose HTTP API and semantics ctlmon matches (the oracle of its
    /// tests): what `/api/v1/status/buildinfo` reports as `version`, since Grafana and the
    /// client libraries choose the API features they use by it.
    package static let prometheusAPIVersion = "2.42.0"
}
