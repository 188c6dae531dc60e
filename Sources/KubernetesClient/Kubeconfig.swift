import ConfigYAML
import FoundationEssentials
import HTTPClient
import PromModel

/// A kubeconfig as kubectl reads it: clusters, users and contexts by name, merged from
/// several files as `KUBECONFIG` lists them, and what one context needs to reach its API
/// server (``api(context:)``).
///
/// Merging follows kubectl: files in order, the first file to name a cluster, user or
/// context wins it (entries are never merged field by field), `current-context` is the
/// first one set; a listed file that does not exist is passed over, a file named by
/// `--kubeconfig` must exist. Paths inside a file (`certificate-authority`,
/// `client-certificate`, `client-key`, `tokenFile`, an exec command with a `/`) are relative
/// to that file's folder. Unknown keys are ignored, as kubectl ignores them.
package struct Kubeconfig: Sendable {
    /// A `clusters[].cluster`.
    package struct Cluster: Sendable, Equatable {
        /// `server`: `https://host:port` (a path prefix allowed, as kubectl allows it).
        package var server = ""
        /// `certificate-authority`: a PEM file (resolved against the kubeconfig's folder).
        package var certificateAuthority: String? = nil
        /// `certificate-authority-data`: PEM bytes (decoded from base64).
        package var certificateAuthorityData: [UInt8]? = nil
        /// `tls-server-name`: the name the server's certificate is checked against (and SNI).
        package var tlsServerName: String? = nil
        /// `insecure-skip-tls-verify`.
        package var insecureSkipTLSVerify = false
        /// `proxy-url`: not supported (refused when the context is used).
        package var proxyURL: String? = nil
    }

    /// A `users[].user`.
    package struct User: Sendable, Equatable {
        /// `token`.
        package var token: String? = nil
        /// `tokenFile` (resolved; read at each request).
        package var tokenFile: String? = nil
        /// `client-certificate` (resolved).
        package var clientCertificate: String? = nil
        /// `client-certificate-data` (decoded).
        package var clientCertificateData: [UInt8]? = nil
        /// `client-key` (resolved).
        package var clientKey: String? = nil
        /// `client-key-data` (decoded).
        package var clientKeyData: [UInt8]? = nil
        /// `exec`: a credential plugin.
        package var exec: ExecConfig? = nil
        /// What the user has that ctlmon does not support (`auth-provider`, `username`/`password`,
        /// `as`): refused, by name, when the context is used.
        package var unsupported: [String] = []
    }

    /// A `users[].user.exec`: a program that prints an `ExecCredential` (`aws eks get-token`).
    package struct ExecConfig: Sendable, Equatable {
        /// `apiVersion`: `client.authentication.k8s.io/v1` or `/v1beta1`.
        package var apiVersion = ""
        /// `command` (resolved against the kubeconfig's folder when it holds a `/`).
        package var command = ""
        /// `args`.
        package var args: [String] = []
        /// `env`: added to ctlmon's own environment.
        package var env: [String: String] = [:]
        /// `installHint`: shown when the command cannot be run.
        package var installHint: String? = nil
        /// `interactiveMode`: `Never`, `IfAvailable` (the default) or `Always`. ctlmon never gives
        /// the plugin a terminal; `Always` is refused.
        package var interactiveMode = "IfAvailable"
        /// `provideClusterInfo`: the cluster's server and CA go to the plugin in `KUBERNETES_EXEC_INFO`.
        package var provideClusterInfo = false

        /// A plugin's settings, as a kubeconfig spells them.
        package init(
            apiVersion: String = "", command: String = "", args: [String] = [], env: [String: String] = [:], installHint: String? = nil,
            interactiveMode: String = "IfAvailable", provideClusterInfo: Bool = false
        ) {
            self.apiVersion = apiVersion
            self.command = command
            self.args = args
            self.env = env
            self.installHint = installHint
            self.interactiveMode = interactiveMode
            self.provideClusterInfo = provideClusterInfo
        }
    }

    /// A `contexts[].context`.
    package struct Context: Sendable, Equatable {
        /// `cluster`: a cluster's name.
        package var cluster = ""
        /// `user`: a user's name (may be empty: no credentials).
        package var user = ""
    }

    /// Clusters by name.
    package var clusters: [String: Cluster] = [:]
    /// Users by name.
    package var users: [String: User] = [:]
    /// Contexts by name.
    package var contexts: [String: Context] = [:]
    /// `current-context`: the first file's that sets one.
    package var currentContext: String? = nil
    /// The files read, in order (those that exist).
    package var files: [String] = []

    /// The most a kubeconfig file may hold (real ones are a few kilobytes; a `*-data` is a few more).
    package static let maxFileBytes = 4 << 20

    /// The files to read, as kubectl picks them: `--kubeconfig` alone when given, else
    /// `KUBECONFIG`'s `:`-separated list (empty entries skipped, the first of repeated ones
    /// kept), else `~/.kube/config`.
    package static func paths(explicit: String?, environment: [String: String]) -> (paths: [String], explicit: Bool) {
        if let explicit { return ([explicit], true) }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen: Set<String> = []
            return (list.split(separator: ":").map(String.init).filter { seen.insert($0).inserted }, false)
        }
        let home = environment["HOME"] ?? "/root"
        return ([FilePaths.join(home, ".kube/config")], false)
    }

    /// Reads and merges `paths`. `mustExist`: every file (the `--kubeconfig` one) must be there;
    /// otherwise missing ones are passed over, but at least one must be read.
    package static func load(paths: [String], mustExist: Bool) throws(KubeconfigError) -> Kubeconfig {
        var merged = Kubeconfig()
        for path in paths {
            let bytes: [UInt8]
            do {
                bytes = try FileContents.read(path, limit: maxFileBytes)
            } catch .noSuchFile where !mustExist {
                continue
            } catch {
                throw KubeconfigError("\(path): \(error)")
            }
            let one = try parse(String(decoding: bytes, as: UTF8.self), path: path)
            merged.files.append(path)
            for (k, v) in one.clusters where merged.clusters[k] == nil { merged.clusters[k] = v }
            for (k, v) in one.users where merged.users[k] == nil { merged.users[k] = v }
            for (k, v) in one.contexts where merged.contexts[k] == nil { merged.contexts[k] = v }
            if merged.currentContext == nil, let c = one.currentContext, !c.isEmpty { merged.currentContext = c }
        }
        guard !merged.files.isEmpty else {
            throw KubeconfigError("no kubeconfig: none of \(paths.joined(separator: ", ")) exists (--kubeconfig FILE or KUBECONFIG names one)")
        }
        return merged
    }

    /// One file's clusters, users and contexts; `path` names it in errors and anchors its relative paths.
    package static func parse(_ text: String, path: String) throws(KubeconfigError) -> Kubeconfig {
        let root: YAMLNode?
        do {
            root = try StrictYAML.compose(text, path: path)
        } catch {
            throw KubeconfigError("\(error)")
        }
        var config = Kubeconfig()
        guard let root, !root.isNull else { return config }
        guard root.mapping != nil else { throw KubeconfigError("\(path):\(root.mark.line): a kubeconfig is a mapping") }
        let folder = FilePaths.directory(of: path)
        func resolve(_ p: String?) -> String? {
            guard let p, !p.isEmpty else { return nil }
            return p.hasPrefix("/") ? p : FilePaths.join(folder, p)
        }
        func scalar(_ node: YAMLNode?, _ what: String) throws(KubeconfigError) -> String? {
            guard let node, !node.isNull else { return nil }
            guard let s = node.string else { throw KubeconfigError("\(path):\(node.mark.line): \(what) must be a string") }
            return s
        }
        func data(_ node: YAMLNode?, _ what: String) throws(KubeconfigError) -> [UInt8]? {
            guard let s = try scalar(node, what), !s.isEmpty else { return nil }
            guard let bytes = Data(base64Encoded: s.trimmingWhitespace()).map(Array.init) else {
                throw KubeconfigError("\(path):\(node!.mark.line): \(what) is not base64")
            }
            return bytes
        }
        func named(_ key: String, _ inner: String) throws(KubeconfigError) -> [(String, YAMLNode?, Int)] {
            guard let list = root[key], !list.isNull else { return [] }
            guard let items = list.sequence else { throw KubeconfigError("\(path):\(list.mark.line): \(key) must be a list") }
            var out: [(String, YAMLNode?, Int)] = []
            for item in items {
                guard let name = try scalar(item["name"], "\(key)[].name"), !name.isEmpty else {
                    throw KubeconfigError("\(path):\(item.mark.line): an entry of \(key) without a name")
                }
                // An entry without its body is empty, as kubectl reads it: an error only if it is used.
                out.append((name, item[inner].flatMap { $0.mapping != nil ? $0 : nil }, item.mark.line))
            }
            return out
        }
        for (name, c, _) in try named("clusters", "cluster") where config.clusters[name] == nil {
            var cluster = Cluster()
            cluster.server = try scalar(c?["server"], "server") ?? ""
            cluster.certificateAuthority = resolve(try scalar(c?["certificate-authority"], "certificate-authority"))
            cluster.certificateAuthorityData = try data(c?["certificate-authority-data"], "certificate-authority-data")
            cluster.tlsServerName = try scalar(c?["tls-server-name"], "tls-server-name").flatMap { $0.isEmpty ? nil : $0 }
            cluster.insecureSkipTLSVerify = try scalar(c?["insecure-skip-tls-verify"], "insecure-skip-tls-verify") == "true"
            cluster.proxyURL = try scalar(c?["proxy-url"], "proxy-url").flatMap { $0.isEmpty ? nil : $0 }
            config.clusters[name] = cluster
        }
        for (name, u, _) in try named("users", "user") where config.users[name] == nil {
            var user = User()
            user.token = try scalar(u?["token"], "token").flatMap { $0.isEmpty ? nil : $0 }
            user.tokenFile = resolve(try scalar(u?["tokenFile"], "tokenFile"))
            user.clientCertificate = resolve(try scalar(u?["client-certificate"], "client-certificate"))
            user.clientCertificateData = try data(u?["client-certificate-data"], "client-certificate-data")
            user.clientKey = resolve(try scalar(u?["client-key"], "client-key"))
            user.clientKeyData = try data(u?["client-key-data"], "client-key-data")
            for key in ["auth-provider", "username", "password", "as", "as-groups", "as-uid"] where u?[key].map({ !$0.isNull }) ?? false {
                user.unsupported.append(key)
            }
            if let e = u?["exec"], !e.isNull {
                var exec = ExecConfig()
                exec.apiVersion = try scalar(e["apiVersion"], "exec.apiVersion") ?? ""
                exec.command = try scalar(e["command"], "exec.command") ?? ""
                if exec.command.contains("/") && !exec.command.hasPrefix("/") { exec.command = FilePaths.join(folder, exec.command) }
                for a in e["args"]?.sequence ?? [] { exec.args.append(try scalar(a, "exec.args[]") ?? "") }
                for v in e["env"]?.sequence ?? [] {
                    guard let n = try scalar(v["name"], "exec.env[].name") else { continue }
                    exec.env[n] = try scalar(v["value"], "exec.env[].value") ?? ""
                }
                exec.installHint = try scalar(e["installHint"], "exec.installHint")
                exec.interactiveMode = try scalar(e["interactiveMode"], "exec.interactiveMode") ?? "IfAvailable"
                exec.provideClusterInfo = try scalar(e["provideClusterInfo"], "exec.provideClusterInfo") == "true"
                user.exec = exec
            }
            config.users[name] = user
        }
        for (name, c, _) in try named("contexts", "context") where config.contexts[name] == nil {
            config.contexts[name] = Context(cluster: try scalar(c?["cluster"], "cluster") ?? "", user: try scalar(c?["user"], "user") ?? "")
        }
        config.currentContext = try scalar(root["current-context"], "current-context")
        return config
    }

    /// The API server of `context` (the current one when nil) and how to authenticate to it,
    /// with notes for the report (`insecure-skip-tls-verify`). What ctlmon does not support is
    /// refused by name, never silently passed over.
    package func api(context name: String?, environment: [String: String]) throws(KubeconfigError) -> (api: KubernetesAPI, notes: [String]) {
        guard let contextName = name ?? currentContext else {
            throw KubeconfigError("no context: the kubeconfig (\(files.joined(separator: ", "))) has no current-context; --context NAME picks one")
        }
        guard let context = contexts[contextName] else {
            throw KubeconfigError("context \"\(contextName)\" is not in the kubeconfig (\(files.joined(separator: ", ")))")
        }
        guard let cluster = clusters[context.cluster] else {
            throw KubeconfigError("context \"\(contextName)\": cluster \"\(context.cluster)\" is not in the kubeconfig")
        }
        if cluster.proxyURL != nil {
            throw KubeconfigError("cluster \"\(context.cluster)\": proxy-url is not supported by ctlmon (reach the API server directly, or fetch /metrics with kubectl and pipe it)")
        }
        let user: User
        if context.user.isEmpty {
            user = User()
        } else {
            guard let u = users[context.user] else {
                throw KubeconfigError("context \"\(contextName)\": user \"\(context.user)\" is not in the kubeconfig")
            }
            user = u
        }
        if let key = user.unsupported.first {
            throw KubeconfigError("user \"\(context.user)\": \(key) is not supported by ctlmon (a token, a client certificate or an exec plugin is)")
        }
        guard !cluster.server.isEmpty else { throw KubeconfigError("cluster \"\(context.cluster)\" has no server") }
        // kubectl takes a server without a scheme for https.
        let withScheme = cluster.server.contains("://") ? cluster.server : "https://" + cluster.server
        guard withScheme.hasPrefix("https://") || withScheme.hasPrefix("http://") else {
            throw KubeconfigError("cluster \"\(context.cluster)\": server \"\(cluster.server)\" is not an http(s) URL")
        }
        if cluster.insecureSkipTLSVerify && (cluster.certificateAuthority != nil || cluster.certificateAuthorityData != nil) {
            throw KubeconfigError("cluster \"\(context.cluster)\": a certificate authority and insecure-skip-tls-verify together are refused, as kubectl refuses them")
        }
        var notes: [String] = []
        var tls = TLSOptions(caFile: cluster.certificateAuthority, certFile: user.clientCertificate, keyFile: user.clientKey,
                             insecureSkipVerify: cluster.insecureSkipTLSVerify)
        tls.caPEM = cluster.certificateAuthorityData
        tls.certPEM = user.clientCertificateData
        tls.keyPEM = user.clientKeyData
        if cluster.insecureSkipTLSVerify {
            notes.append("insecure-skip-tls-verify: the API server's certificate was not verified (cluster \"\(context.cluster)\")")
        }
        var server = withScheme
        while server.hasSuffix("/") { server.removeLast() }
        var api = KubernetesAPI(server: server, bearerToken: nil, tls: tls)
        if let name = cluster.tlsServerName, var url = URLComponents(string: server), let (host, port) = HTTPTransfer.hostAndPort(server) {
            // The certificate is checked against (and SNI carries) the name; the connection
            // goes to the server's address.
            api.connectTo = (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
            url.host = name
            url.port = port
            api.server = url.string ?? server
        }
        // As client-go: the token file, read at each request, wins over an inline token.
        if let file = user.tokenFile {
            api.bearerToken = .file(file)
        } else if let token = user.token {
            api.bearerToken = .inline(token)
        }
        if let exec = user.exec, user.token == nil && user.tokenFile == nil {
            guard exec.apiVersion == ExecCredentialPlugin.v1 || exec.apiVersion == ExecCredentialPlugin.v1beta1 else {
                throw KubeconfigError("user \"\(context.user)\": exec apiVersion \"\(exec.apiVersion)\" is not supported "
                    + "(\(ExecCredentialPlugin.v1) or \(ExecCredentialPlugin.v1beta1))")
            }
            guard !exec.command.isEmpty else { throw KubeconfigError("user \"\(context.user)\": exec has no command") }
            guard exec.interactiveMode != "Always" else {
                throw KubeconfigError("user \"\(context.user)\": exec interactiveMode Always needs a terminal, which ctlmon never gives a plugin")
            }
            var caPEM = cluster.certificateAuthorityData
            if caPEM == nil, exec.provideClusterInfo, let file = cluster.certificateAuthority {
                caPEM = try? FileContents.read(file, limit: Self.maxFileBytes)
            }
            api.exec = ExecCredentialPlugin(
                config: exec, server: server, caPEM: caPEM, tlsServerName: cluster.tlsServerName,
                insecureSkipTLSVerify: cluster.insecureSkipTLSVerify, environment: environment)
        }
        return (api, notes)
    }
}

/// A kubeconfig that cannot be used: the file and line, or the context, and why.
package struct KubeconfigError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, with the file and line or the context's name.
    package var description: String
    /// An error worded `message`.
    package init(_ message: String) { description = message }
}
