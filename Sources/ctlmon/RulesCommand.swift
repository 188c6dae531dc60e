import ArgumentParser
import RuleEngine

/// `ctlmon rules`: rule files and their unit tests.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Validate rule files and run their promtool-format unit tests.",
        subcommands: [RulesCheckCommand.self, RulesTestCommand.self]
    )
}

/// `ctlmon rules test FILE…`: promtool-format unit tests; exit 0 when all pass, 1 otherwise.
struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run promtool-format rule unit tests (promtool test rules).",
        discussion: "Exit 0 when every test passes, 1 when any fails, with expected and actual samples."
    )

    @Argument(help: "Test files.")
    var files: [String]

    func run() throws {
        var allPassed = true
        let runner = RuleTestRunner()
        for file in files {
            // As promtool: the header and SUCCESS on stdout, warnings and failures on stderr.
            let (passed, report, warnings) = runner.run(path: file)
            var lines = report.split(separator: "\n", omittingEmptySubsequences: false)
            print(lines.removeFirst())
            for warning in warnings { printError(warning, prefixed: false) }
            if passed {
                print(lines.joined(separator: "\n"))
            } else {
                printError(lines.joined(separator: "\n"), prefixed: false)
            }
            allPassed = allPassed && passed
        }
        if !allPassed { throw CommandFailure.found }
    }
}
