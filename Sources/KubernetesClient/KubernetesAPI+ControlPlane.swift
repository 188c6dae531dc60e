import HTTPClient

extension KubernetesAPI {
    /// The most one `/metrics` body may hold when read through the API (a real API server's
    /// is under 50 MB).
    package static let metricsBodyLimit = 256 << 20

    /// How long one `/metrics` read through the API may take (a large cluster's, far away).
    package static let metricsTimeout = 120.0

    /// Where EKS offers the scheduler's and the controller manager's metrics through the API
    /// server (`ksh`, `kcm`), by the name a report gives them.
    package static let eksControlPlaneMetrics = [
        ("kube-scheduler", "/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics"),
        ("kube-controller-manager", "/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics"),
    ]

    /// The control plane's scrapes this API offers: the API server's own `/metrics` (a failure
    /// is the caller's), then on EKS the scheduler's and the controller manager's; a cluster
    /// that does not offer those (404) or does not let this user read them (403) is passed
    /// over, named in `skipped`.
    package func controlPlaneScrapes() throws(HTTPFailure) -> (scrapes: [(name: String, text: [UInt8])], skipped: [String]) {
        let accept = "text/plain;version=0.0.4;q=1,*/*;q=0.1"
        var scrapes = [("kube-apiserver", try get("/metrics", what: "/metrics", limit: Self.metricsBodyLimit, accept: accept, timeout: Self.metricsTimeout))]
        var skipped: [String] = []
        for (name, path) in Self.eksControlPlaneMetrics {
            do {
                scrapes.append((name, try get(path, what: path, limit: Self.metricsBodyLimit, accept: accept, timeout: Self.metricsTimeout)))
            } catch let failure where failure.status == 404 || failure.status == 403 {
                skipped.append("\(name) (\(path): HTTP \(failure.status ?? 0))")
            }
        }
        return (scrapes, skipped)
    }
}
