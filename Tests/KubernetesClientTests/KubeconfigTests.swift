import CtlmonTestSupport
import Foundation
import HTTPClient
import KubernetesClient
import Testing

/// Kubeconfigs read and merged as kubectl reads them, and exec credential plugins run as it runs them.
@Suite("kubeconfig")
struct KubeconfigTests {
    static func folder() throws -> String { try Components.temporaryFolder("kubeconfig") }

    static func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    @Test("KUBECONFIG's files merge as kubectl merges them: the first to name an entry wins it, the first current-context wins, missing files are passed over")
    func merging() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("""
            apiVersion: v1
            kind: Config
            current-context: first
            clusters:
            - name: shared
              cluster: {server: 'https://one.example:6443', certificate-authority: ca.crt}
            users:
            - name: u
              user: {token: from-first}
            contexts:
            - name: first
              context: {cluster: shared, user: u}
            """, dir + "/a")
        try Self.write("""
            current-context: second
            clusters:
            - name: shared
              cluster: {server: 'https://two.example'}
            - name: other
              cluster: {server: 'https://other.example', insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {token: from-second}
            contexts:
            - name: second
              context: {cluster: other, user: u}
            preferences: {colors: true}
            """, dir + "/b")
        let (paths, explicit) = Kubeconfig.paths(explicit: nil, environment: ["KUBECONFIG": "\(dir)/missing:\(dir)/a::\(dir)/b:\(dir)/a"])
        #expect(paths == ["\(dir)/missing", "\(dir)/a", "", "\(dir)/b"].filter { !$0.isEmpty } && !explicit)
        let config = try Kubeconfig.load(paths: paths, mustExist: false)
        #expect(config.files == ["\(dir)/a", "\(dir)/b"])
        #expect(config.currentContext == "first")
        #expect(config.clusters["shared"]?.server == "https://one.example:6443")
        // A path in a file is relative to that file's folder.
        #expect(config.clusters["shared"]?.certificateAuthority == "\(dir)/ca.crt")
        #expect(config.users["u"]?.token == "from-first")
        #expect(config.contexts.keys.sorted() == ["first", "second"])
        let (api, notes) = try config.api(context: "second", environment: [:])
        #expect(api.server == "https://other.example" && api.tls.insecureSkipVerify && api.bearerToken == .inline("from-first"))
        #expect(notes.count == 1 && notes[0].contains("insecure-skip-tls-verify"))
        // --kubeconfig names one file, which must exist; without any file there is no kubeconfig.
        #expect(Kubeconfig.paths(explicit: "/x", environment: ["KUBECONFIG": dir + "/a"]) == (["/x"], true))
        #expect(Kubeconfig.paths(explicit: nil, environment: ["HOME": "/home/me"]).paths == ["/home/me/.kube/config"])
        #expect(throws: KubeconfigError.self) { try Kubeconfig.load(paths: ["\(dir)/missing"], mustExist: true) }
        #expect(throws: KubeconfigError.self) { try Kubeconfig.load(paths: ["\(dir)/missing"], mustExist: false) }
    }

    @Test("what ctlmon does not support is refused by name, and a broken file by line", arguments: [
        ("clusters: [{name: c, cluster: {server: 'https://a', proxy-url: 'http://proxy:3128'}}]\nusers: [{name: u, user: {token: t}}]",
         "proxy-url is not supported"),
        ("clusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {auth-provider: {name: oidc}}}]", "auth-provider is not supported"),
        ("clusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {username: a, password: b}}]", "username is not supported"),
        ("clusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}}]",
         "exec apiVersion \"client.authentication.k8s.io/v1alpha1\" is not supported"),
        ("clusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: x, interactiveMode: Always}}}]",
         "interactiveMode Always"),
        ("clusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: other, user: {token: t}}]", "user \"u\" is not in the kubeconfig"),
        ("clusters: [{name: c, cluster: {server: 'https://a', certificate-authority-data: '%%%'}}]\nusers: [{name: u, user: {token: t}}]", ":1: certificate-authority-data is not base64"),
        ("clusters: [{name: c, cluster: {insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]", "cluster \"c\" has no server"),
        ("clusters: {c: 1}", "clusters must be a list"),
        ("clusters: [{name: c, cluster: {server: 'https://a', insecure-skip-tls-verify: true, certificate-authority-data: 'UEVN'}}]\nusers: [{name: u, user: {token: t}}]",
         "a certificate authority and insecure-skip-tls-verify together are refused"),
    ])
    func refused(_ body: String, _ words: String) throws {
        let text = body + "\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"
        do {
            let config = try Kubeconfig.parse(text, path: "k.yaml")
            _ = try config.api(context: nil, environment: [:])
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains(words), "\(error.description)")
        }
    }

    @Test("as kubectl: a server without a scheme is https, a token file wins over a token, a broken entry matters only when used")
    func kubectlDefaults() throws {
        let config = try Kubeconfig.parse("""
            clusters:
            - {name: bare, cluster: {server: '10.0.0.1:6443'}}
            - {name: broken}
            users:
            - {name: both, user: {token: inline, tokenFile: /run/token}}
            contexts:
            - {name: ok, context: {cluster: bare, user: both}}
            - {name: bad, context: {cluster: broken, user: both}}
            """, path: "/etc/k/config")
        let (api, _) = try config.api(context: "ok", environment: [:])
        #expect(api.server == "https://10.0.0.1:6443" && api.bearerToken == .file("/run/token"))
        #expect { try config.api(context: "bad", environment: [:]) } throws: { ($0 as? KubeconfigError)?.description == "cluster \"broken\" has no server" }
    }

    @Test("tls-server-name: the URL carries the name the certificate is checked against, the connection goes to the server's address")
    func tlsServerName() throws {
        let config = try Kubeconfig.parse("""
            clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443/prefix', tls-server-name: api.internal}}]
            contexts: [{name: x, context: {cluster: c}}]
            """, path: "k")
        let (api, _) = try config.api(context: "x", environment: [:])
        #expect(api.server == "https://api.internal:6443/prefix" && api.connectTo == "127.0.0.1:6443")
    }

    /// A plugin script printing `json`, counting its runs in `folder/runs`.
    static func plugin(_ folder: String, _ json: String, exit status: Int = 0, stderr: String = "") throws -> String {
        let path = folder + "/plugin.sh"
        try Self.write("""
            #!/bin/sh
            echo run >> "\(folder)/runs"
            echo "$KUBERNETES_EXEC_INFO" > "\(folder)/exec-info"
            echo "$PLUGIN_ENV $1" > "\(folder)/seen"
            printf '%s' '\(json)'
            printf '%s' '\(stderr)' >&2
            exit \(status)
            """, path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    static func runs(_ folder: String) -> Int {
        ((try? String(contentsOfFile: folder + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test("an exec plugin's token is kept until its expirationTimestamp; its env and args reach it; KUBERNETES_EXEC_INFO says no terminal")
    func execExpiry() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.plugin(dir, #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"tok","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#)
        let config = Kubeconfig.ExecConfig(apiVersion: ExecCredentialPlugin.v1beta1, command: path, args: ["token-arg"], env: ["PLUGIN_ENV": "from-env"],
                                           installHint: nil, interactiveMode: "Never", provideClusterInfo: true)
        let clock = ClockBox(time: 1_800_000_000_000)  // 2027-01-15, before the expiry
        let plugin = ExecCredentialPlugin(config: config, server: "https://api", caPEM: Array("PEM".utf8), environment: [:], clock: { clock.time })
        #expect(try plugin.credential().token == "tok")
        #expect(try plugin.credential().token == "tok")
        #expect(plugin.runs == 1 && Self.runs(dir) == 1)
        #expect(try String(contentsOfFile: dir + "/seen", encoding: .utf8) == "from-env token-arg\n")
        let info = try String(contentsOfFile: dir + "/exec-info", encoding: .utf8)
        #expect(info.contains("\"interactive\":false") && info.contains("\"server\":\"https://api\"")
            && info.contains("\"certificate-authority-data\":\"UEVN\"") && info.contains(ExecCredentialPlugin.v1beta1))
        // Past the expiry: the plugin runs again.
        clock.time = 1_893_456_000_000  // 2030-01-01T00:00:00Z
        #expect(try plugin.credential().token == "tok")
        #expect(plugin.runs == 2)
    }

    @Test("a failing plugin, a missing one and a wrong answer are credential failures in kubectl's words", arguments: [
        ("fail", "exec plugin plugin.sh exited with status 1: token service unreachable"),
        ("missing", "exec plugin: executable /nonexistent/aws not found\n\nInstall the AWS CLI"),
        ("version", "the kubeconfig asks for client.authentication.k8s.io/v1, the plugin returned client.authentication.k8s.io/v1beta1"),
        ("empty", "neither a token nor a client certificate"),
        ("garbage", "its output is not an ExecCredential"),
    ])
    func execFailures(_ kind: String, _ words: String) throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var command = ""
        switch kind {
        case "fail": command = try Self.plugin(dir, "", exit: 1, stderr: "token service unreachable")
        case "missing": command = "/nonexistent/aws"
        case "version": command = try Self.plugin(dir, #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}"#)
        case "empty": command = try Self.plugin(dir, #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#)
        default: command = try Self.plugin(dir, "not json")
        }
        let config = Kubeconfig.ExecConfig(apiVersion: ExecCredentialPlugin.v1, command: command, args: [], env: [:],
                                           installHint: "Install the AWS CLI", interactiveMode: "Never", provideClusterInfo: false)
        let plugin = ExecCredentialPlugin(config: config, server: "https://api", caPEM: nil, environment: [:], clock: { 0 })
        do {
            _ = try plugin.credential()
            Issue.record("no failure")
        } catch {
            #expect(error.reason == .credentials && error.message.contains(words), "\(error.message)")
        }
    }
}

/// A settable clock for the plugin's expiry.
final class ClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    init(time: Int64) { value = time }
    var time: Int64 {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
