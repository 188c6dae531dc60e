import CtlmonTestSupport
import Foundation
import Testing

/// `ctlmon check` from a kubeconfig, against a stand-in API server on 127.0.0.1 with TLS
/// (scripts/fake-kube-api.py) that checks the token or the client certificate; Debian's
/// `kubectl` reads the same kubeconfig against the same stand-in, which proves that both are
/// what kubectl accepts.
@Suite("ctlmon check from a kubeconfig", .serialized)
struct KubeconfigCheckTests {
    static let scripts = packageRoot.appendingPathComponent("scripts")

    struct Cluster {
        var process: ManagedProcess
        var folder: String
        var port: String
        var certificates: Certificates
        func stop() {
            process.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// The stand-in: the 1.35 scrape at /metrics, with or without EKS's scheduler and
    /// controller-manager endpoints, the webhook configurations, token `kube-token` or a
    /// client certificate of its CA.
    static func cluster(eks: Bool = true) throws -> Cluster {
        let folder = try Components.temporaryFolder("kubeconfig-check")
        let certs = try Certificates.make(in: folder, name: "api")
        try "kube-token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        var arguments = [
            scripts.appendingPathComponent("fake-kube-api.py").path, "--file", Fixture.path("webhooks/eks-cluster.json"),
            "--token-file", folder + "/token", "--tls", certs.serverCert, certs.serverKey, "--client-ca", certs.caFile,
            "--metrics", Fixture.path("synthetic/apiserver-1.35-with-webhooks.txt.gz"),
        ]
        if eks {
            arguments += ["--scheduler", Fixture.path("scheduler/" + (try Self.first("scheduler"))),
                          "--controller-manager", Fixture.path("controller-manager/" + (try Self.first("controller-manager")))]
        }
        let p = try ManagedProcess("python3", arguments)
        let port = try p.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)
        return Cluster(process: p, folder: folder, port: port, certificates: certs)
    }

    static func first(_ fixtureFolder: String) throws -> String {
        try #require(try FileManager.default.contentsOfDirectory(atPath: Fixture.path(fixtureFolder)).sorted().first)
    }

    static func base64(_ path: String) throws -> String { try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString() }

    /// A kubeconfig whose one context reaches the stand-in with `user` (YAML of a `user:`).
    static func kubeconfig(_ c: Cluster, user: String, cluster extra: String = "") throws -> String {
        let path = c.folder + "/config-\(UUID().uuidString)"
        try """
            apiVersion: v1
            kind: Config
            current-context: stand-in
            clusters:
            - name: stand-in
              cluster:
                server: https://127.0.0.1:\(c.port)
                certificate-authority-data: \(try base64(c.certificates.caFile))
            \(extra)
            users:
            - name: me
              user:
            \(user)
            contexts:
            - name: stand-in
              context: {cluster: stand-in, user: me}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `ctlmon check --kubeconfig K` at the pinned time, as JSON.
    static func check(_ kubeconfig: String, _ extra: [String] = []) throws -> CommandResult {
        try Command.run("ctlmon", ["check", "--kubeconfig", kubeconfig, "--time", Command.checkTime, "--format", "json"] + extra)
    }

    /// `kubectl --kubeconfig K get --raw /metrics`: kubectl takes the kubeconfig and the stand-in as ctlmon does.
    static func kubectlMetrics(_ kubeconfig: String) throws -> CommandResult {
        try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", kubeconfig, "get", "--raw", "/metrics"], timeout: 60)
    }

    static func instances(_ r: CommandResult) throws -> [String] {
        let json = try Command.json(r.stdout)
        let source = try #require(json["source"] as? [String: Any])
        return try #require(source["instances"] as? [[String: Any]]).compactMap { $0["instance"] as? String }
    }

    static let scrapeHead = "# HELP"

    @Test("a bearer token: the API server's, scheduler's and controller manager's scrapes and the webhook audit in one report; kubectl reads the same")
    func token() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let config = try Self.kubeconfig(c, user: "    token: kube-token")
        let r = try Self.check(config)
        #expect(r.status == 1, "\(r.stderr)")  // the synthetic scrape's failing webhooks fire
        #expect(try Self.instances(r) == ["kube-apiserver", "kube-scheduler", "kube-controller-manager"])
        let json = try Command.json(r.stdout)
        let audit = try #require(json["webhooks_audit"] as? [String: Any], "\(json.keys)")
        #expect(((audit["webhooks"] as? [[String: Any]]) ?? []).count == 18)
        let k = try Self.kubectlMetrics(config)
        #expect(k.status == 0 && k.stdout.hasPrefix("#"), "\(k.stderr)")
        // A wrong token: refused by the stand-in, bad input here, and kubectl refused too.
        let wrong = try Self.kubeconfig(c, user: "    token: wrong")
        let refused = try Self.check(wrong)
        #expect(refused.status == 2 && refused.stderr.contains("server returned HTTP status 401"), "\(refused.stderr)")
        #expect(try Self.kubectlMetrics(wrong).status != 0)
    }

    @Test("tls-server-name: the certificate is checked against that name (the stand-in's is for localhost); kubectl agrees")
    func tlsServerName() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let good = try Self.kubeconfig(c, user: "    token: kube-token", cluster: "    tls-server-name: localhost")
        let r = try Self.check(good)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(try Self.kubectlMetrics(good).status == 0)
        let wrong = try Self.kubeconfig(c, user: "    token: kube-token", cluster: "    tls-server-name: api.elsewhere.example")
        let refused = try Self.check(wrong)
        #expect(refused.status == 2 && refused.stderr.contains("api.elsewhere.example"), "\(refused.stderr)")
        #expect(try Self.kubectlMetrics(wrong).status != 0)
        // Another CA than the one that signed the server's certificate: refused, by ctlmon and kubectl alike.
        let stranger = try Certificates.make(in: c.folder, name: "stranger")
        let path = c.folder + "/stranger-config"
        try String(contentsOfFile: good, encoding: .utf8)
            .replacingOccurrences(of: try Self.base64(c.certificates.caFile), with: try Self.base64(stranger.caFile))
            .write(toFile: path, atomically: true, encoding: .utf8)
        let untrusted = try Self.check(path)
        #expect(untrusted.status == 2 && untrusted.stderr.contains("certificate"), "\(untrusted.stderr)")
        #expect(try Self.kubectlMetrics(path).status != 0)
    }

    @Test("a client certificate and key given inline, verified by the stand-in; kubectl reads the same")
    func clientCertificate() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let config = try Self.kubeconfig(c, user: """
                client-certificate-data: \(try Self.base64(c.certificates.clientCert))
                client-key-data: \(try Self.base64(c.certificates.clientKey))
            """)
        let r = try Self.check(config)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(try Self.instances(r).first == "kube-apiserver")
        #expect(try Self.kubectlMetrics(config).status == 0)
        // Files instead of data, relative to the kubeconfig's folder.
        let files = try Self.kubeconfig(c, user: """
                client-certificate: \(URL(fileURLWithPath: c.certificates.clientCert).lastPathComponent)
                client-key: \(URL(fileURLWithPath: c.certificates.clientKey).lastPathComponent)
            """)
        #expect(try Self.check(files).status == 1)
        #expect(try Self.kubectlMetrics(files).status == 0)
    }

    @Test("an exec plugin (v1beta1, as aws eks get-token prints) gives the token; a failing one's stderr is shown; kubectl runs the same plugin")
    func execPlugin() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let plugin = c.folder + "/get-token"
        try """
            #!/bin/sh
            echo run >> "\(c.folder)/runs"
            [ "$1" = fail ] && { echo "could not reach the token service" >&2; exit 1; }
            printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"%s","token":"kube-token"}}' "$EXPIRY"
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
        // No interactiveMode or installHint here: Debian's kubectl (1.20) predates them (the unit
        // tests cover them).
        func exec(_ expiry: String, _ arg: String = "ok") -> String {
            """
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: ./get-token
                  args: [\(arg)]
                  env: [{name: EXPIRY, value: '\(expiry)'}]
            """
        }
        func runs() -> Int { ((try? String(contentsOfFile: c.folder + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").count }
        // Valid for the whole run: one run of the plugin for the five requests.
        let lasting = try Self.kubeconfig(c, user: exec("9999-12-31T00:00:00Z"))
        let r = try Self.check(lasting)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(runs() == 1)
        #expect(try Self.kubectlMetrics(lasting).status == 0)
        // Expired as it is given: run again before every request (five of them).
        try? FileManager.default.removeItem(atPath: c.folder + "/runs")
        let expired = try Self.kubeconfig(c, user: exec("2000-01-01T00:00:00Z"))
        #expect(try Self.check(expired).status == 1)
        #expect(runs() == 5)
        // A plugin that fails: its words, exit 2.
        let failing = try Self.kubeconfig(c, user: exec("9999-12-31T00:00:00Z", "fail"))
        let f = try Self.check(failing)
        #expect(f.status == 2 && f.stderr.contains("exec plugin get-token exited with status 1: could not reach the token service"), "\(f.stderr)")
    }

    @Test("a cluster without EKS's scheduler and controller-manager endpoints: the API server alone, and a note; insecure-skip-tls-verify is said")
    func notEKS() throws {
        let c = try Self.cluster(eks: false)
        defer { c.stop() }
        let path = c.folder + "/insecure"
        try """
            clusters: [{name: s, cluster: {server: 'https://127.0.0.1:\(c.port)', insecure-skip-tls-verify: true}}]
            users: [{name: me, user: {token: kube-token}}]
            contexts: [{name: s, context: {cluster: s, user: me}}]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try Self.check(path, ["--context", "s"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(try Self.instances(r) == ["kube-apiserver"])
        #expect(r.stderr.contains("not offered by this cluster: kube-scheduler") && r.stderr.contains("insecure-skip-tls-verify"), "\(r.stderr)")
        // A proxy is refused by name; so is a context that is not there.
        try """
            clusters: [{name: s, cluster: {server: 'https://127.0.0.1:\(c.port)', proxy-url: 'http://127.0.0.1:3128'}}]
            contexts: [{name: s, context: {cluster: s}}]
            current-context: s
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let proxy = try Self.check(path)
        #expect(proxy.status == 2 && proxy.stderr.contains("proxy-url is not supported"), "\(proxy.stderr)")
        let missing = try Self.check(path, ["--context", "nope"])
        #expect(missing.status == 2 && missing.stderr.contains("context \"nope\" is not in the kubeconfig"), "\(missing.stderr)")
    }

    @Test("kubectl ctlmon check: kubectl finds ctlmon as a plugin named kubectl-ctlmon on PATH and hands it its arguments")
    func kubectlPlugin() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let config = try Self.kubeconfig(c, user: "    token: kube-token")
        let bin = c.folder + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: bin + "/kubectl-ctlmon", withDestinationPath: Command.productsDirectory.appendingPathComponent("ctlmon").path)
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let r = try Command.run("/usr/bin/env", ["PATH=" + path, "kubectl", "ctlmon", "check", "--kubeconfig", config,
                                                 "--time", Command.checkTime, "--format", "json"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(try Self.instances(r) == ["kube-apiserver", "kube-scheduler", "kube-controller-manager"])
    }
}
