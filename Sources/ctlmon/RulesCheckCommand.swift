import ArgumentParser
import FoundationEssentials
import PromModel
import ConfigYAML
import RuleEngine

/// `ctlmon rules check PATH…`: validates rule files like `promtool check rules`.
struct RulesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate rule files (YAML, PromQL, templates), like promtool check rules.",
        discussion: """
            Exit 0 when every file is valid, 2 otherwise, with file:line: message on stderr. A rule defined \
            twice in a group is said (lint) but is no error, as with promtool: Prometheus runs both.
            """
    )

    @Argument(help: "Rule files, or folders of *.yml / *.yaml files.")
    var paths: [String]

    func run() throws {
        var failed = false
        for path in paths where Self.isEmptyFolder(path) {
            printError("\(path): no rule files (*.yml, *.yaml) in this folder")
            failed = true
        }
        for path in Self.expand(paths) {
            print("Checking \(path)")
            do {
                let file = try RuleFile.load(path: path)
                print("  SUCCESS: \(file.ruleCount) rules found\n")
                for d in file.duplicates { printError("\(d) (lint: Prometheus records both)", prefixed: false) }
            } catch {
                print("  FAILED:")
                printError(error.description, prefixed: false)
                failed = true
            }
        }
        if failed { throw CommandFailure.reported }
    }

    /// Whether `path` is a folder without `.yml`/`.yaml` files: nothing to check is not a success.
    static func isEmptyFolder(_ path: String) -> Bool {
        guard (try? FileManager.default.contentsOfDirectory(atPath: path)) != nil else { return false }
        return expand([path]).isEmpty
    }

    /// Folders become their `.yml`/`.yaml` files, sorted.
    static func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            // A folder is what can be listed; anything else is a file.
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
            return names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { FilePaths.join(path, $0) }
        }
    }
}
