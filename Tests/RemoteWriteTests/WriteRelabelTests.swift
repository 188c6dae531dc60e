import LabelMatchers
import PromModel
import Testing

@testable import RemoteWrite

@Suite("remote write: the labels sent")
struct WriteRelabelTests {
    static func resolve(_ pairs: [(String, String)], external: [(String, String)] = [], _ steps: [WriteRelabel] = []) -> String? {
        RemoteWriting.resolve(Labels(pairs), external: external.map { (name: $0.0, value: $0.1) }, steps: steps)
            .map { $0.map { "\($0.name)=\($0.value)" }.joined(separator: ",") }
    }

    @Test("external labels are added where the series lacks them (its own win), then the whole set is sorted by name")
    func externalLabels() {
        #expect(Self.resolve([("__name__", "up"), ("job", "a")], external: [("cluster", "prod"), ("zone", "z")]) == "__name__=up,cluster=prod,job=a,zone=z")
        #expect(Self.resolve([("__name__", "up"), ("cluster", "own")], external: [("cluster", "prod")]) == "__name__=up,cluster=own")
    }

    @Test("keep and drop match the anchored regex against the source labels joined by the separator; labeldrop removes labels by name; in order")
    func steps() throws {
        let keepApiserver = WriteRelabel(action: .keep, sourceLabels: ["job"], regex: try RE2Pattern("api.*"))
        let dropGo = WriteRelabel(action: .drop, sourceLabels: ["__name__", "job"], separator: "@", regex: try RE2Pattern("go_.*@apiserver"))
        let dropPod = WriteRelabel(action: .labeldrop, regex: try RE2Pattern("pod|container"))
        let steps = [keepApiserver, dropGo, dropPod]
        #expect(Self.resolve([("__name__", "up"), ("job", "etcd")], steps) == nil)
        #expect(Self.resolve([("__name__", "go_goroutines"), ("job", "apiserver")], steps) == nil)
        #expect(Self.resolve([("__name__", "go_goroutines"), ("job", "apiserver-x")], steps) == "__name__=go_goroutines,job=apiserver-x")
        #expect(Self.resolve([("__name__", "up"), ("container", "c"), ("job", "apiserver"), ("pod", "p"), ("podx", "q")], steps) == "__name__=up,job=apiserver,podx=q")
        // Anchored: "api" alone does not keep "xapiserver".
        #expect(Self.resolve([("__name__", "up"), ("job", "xapiserver")], [keepApiserver]) == nil)
        // A missing source label is the empty string.
        let dropUnlabeled = WriteRelabel(action: .drop, sourceLabels: ["team"], regex: try RE2Pattern(""))
        #expect(Self.resolve([("__name__", "up")], [dropUnlabeled]) == nil)
        #expect(Self.resolve([("__name__", "up"), ("team", "t")], [dropUnlabeled]) == "__name__=up,team=t")
    }
}
