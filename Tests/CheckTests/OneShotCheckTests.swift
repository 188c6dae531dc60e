import Check
import CtlmonTestSupport
import Foundation
import RuleEngine
import Testing

/// The one-shot pipeline the command line and the fuzzer share (`OneShotCheck.run`).
@Suite("one-shot check pipeline")
struct OneShotCheckTests {
    static let time: Int64 = 1_782_864_000_000  // 2026-07-01T00:00:00Z, pinned

    static func options(_ sources: [InputSource]) -> OneShotCheck.Options {
        var o = OneShotCheck.Options(sources: sources, groups: ShippedRules.groups)
        o.time = time
        o.wallClock = { Issue.record("the wall clock was read"); return 0 }
        return o
    }

    @Test("a file and the same bytes in memory give the same report")
    func fileAndBytes() throws {
        let path = Fixture.path("apiserver/nri-kubernetes-v1.35.txt.gz")
        let fromFile = try OneShotCheck.run(Self.options([.file(path)]))
        let bytes = try Fixture.bytes("apiserver/nri-kubernetes-v1.35.txt.gz")
        let fromBytes = try OneShotCheck.run(Self.options([.bytes(name: "nri-kubernetes-v1.35.txt.gz", bytes)]))
        #expect(fromFile.report.json() == fromBytes.report.json())
        #expect(fromFile.report.now == Self.time)
        #expect(fromFile.evaluator.errors.isEmpty)
        // The report is the fixture's: its instance, its API server version, its etcd size read.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(fromFile.report.json().utf8)) as? [String: Any])
        let source = try #require(json["source"] as? [String: Any])
        let instances = try #require(source["instances"] as? [[String: Any]])
        #expect(instances.map { $0["instance"] as? String } == ["nri-kubernetes-v1.35.txt.gz"])
        #expect(((source["samples"] as? Int) ?? 0) > 0 && ((source["series"] as? Int) ?? 0) > 0)
        #expect(((json["etcd"] as? [String: Any])?["db_bytes"] as? Double ?? 0) > 0)
    }

    @Test("what is not a control-plane scrape is refused with its name, never a green report", arguments: [
        ("", "does not look like a kube-apiserver or etcd /metrics scrape (no apiserver_* or etcd_* samples)"),
        ("up 1\n", "does not look like a kube-apiserver or etcd /metrics scrape"),
        ("apiserver_request_total{ 1\n", "garbage:1:"),
    ])
    func refused(_ text: String, _ words: String) {
        do {
            let outcome = try OneShotCheck.run(Self.options([.bytes(name: "garbage", Array(text.utf8))]))
            Issue.record("a report was made: \(outcome.report.alerts.count) alerts")
        } catch {
            #expect(error.message.contains(words), "\(error.message)")
        }
    }

    @Test("a baseline needs exactly one source and must be older")
    func baseline() throws {
        let path = Fixture.path("apiserver/nri-kubernetes-v1.35.txt.gz")
        var o = Self.options([.file(path), .file(path)])
        o.baseline = .file(path)
        o.baselineTime = Self.time - 600_000
        #expect(throws: OneShotCheck.Failure.self) { try OneShotCheck.run(o) }
        o.sources = [.file(path)]
        o.baselineTime = Self.time + 1
        #expect(throws: OneShotCheck.Failure.self) { try OneShotCheck.run(o) }
        o.baselineTime = Self.time - 600_000
        let outcome = try OneShotCheck.run(o)
        #expect(outcome.report.now == Self.time)
    }

    @Test("a sample stamped after its scrape was taken or read is refused, as one before its process started is; within the clock skew it is the evaluation time")
    func futureStampsRefused() throws {
        let scrape = "process_start_time_seconds 1.7e9\napiserver_request_total{code=\"200\"} 5 "
        func source(_ stamp: Int64) -> InputSource { .bytes(name: "stamped", Array((scrape + "\(stamp)\n").utf8)) }
        // --time given: the stamp may not lie after it by more than the clock skew.
        var o = Self.options([source(Self.time + OneShotCheck.clockSkew + 1)])
        #expect { try OneShotCheck.run(o) } throws: { error in
            (error as? OneShotCheck.Failure)?.message.contains("stamped 2026-07-01T00:05:00.001Z, after the scrape time given by --time") == true
        }
        o.sources = [source(Self.time + OneShotCheck.clockSkew)]
        #expect(try OneShotCheck.run(o).report.now == Self.time)
        // No --time: the stamps are the evaluation time, unless they lie after the time the
        // bytes were read (the injected clock here; a file's modification time otherwise).
        o.time = nil
        o.wallClock = { Self.time }
        o.sources = [source(32_503_680_000_000)]  // the year 3000
        #expect { try OneShotCheck.run(o) } throws: { error in
            (error as? OneShotCheck.Failure)?.message.contains("stamped 3000-01-01T00:00:00Z, after the time it was read") == true
        }
        o.sources = [source(Self.time - 60_000)]
        #expect(try OneShotCheck.run(o).report.now == Self.time - 60_000)
        // The other way round, as before: the process started after the scrape.
        o.sources = [source(1_600_000_000_000)]
        #expect(throws: OneShotCheck.Failure.self) { try OneShotCheck.run(o) }
    }
}
