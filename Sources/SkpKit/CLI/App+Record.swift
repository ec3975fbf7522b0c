import Foundation

/// What a run's journal keeps of its command line, and whether a recorded run can be resumed.
extension App {
    /// The command line as a journal keeps it, and as it is shown (`command`).
    struct RecordedLine {
        /// Without the secret parameters (flag and value): a resume asks for them again.
        var arguments: [String]
        /// For people: secret values as ***.
        var command: String
        /// A secret value stood inside another argument, which is recorded masked.
        var masked: Bool
    }

    /// Secret parameters are found by position (the parser knows which flags are secret), never by
    /// matching text: a secret that happens to end another argument must not drop that argument.
    /// Any other argument still holding a secret's text is recorded masked and marked.
    static func recordable(_ arguments: [String], secretPositions: Set<Int>, secrets: [Secret]) -> RecordedLine {
        let mask = SecretMask(secrets)
        var kept: [String] = [], shown: [String] = []
        var masked = false
        for (i, argument) in arguments.enumerated() {
            if secretPositions.contains(i) {
                // `-p VALUE`: the flag is shown, the value is not; `-p=VALUE`: the flag part is shown.
                if argument.hasPrefix("-"), secretPositions.contains(i + 1), !argument.contains("=") {
                    shown.append(argument)
                } else if argument.hasPrefix("-"), let equals = argument.firstIndex(of: "=") {
                    shown.append(argument[..<equals] + "=***")
                } else {
                    shown.append("***")
                }
                continue
            }
            let hidden = mask.apply(argument)
            if hidden != argument { masked = true }
            kept.append(hidden)
            shown.append(hidden)
        }
        return RecordedLine(arguments: kept, command: (["skp"] + shown).joined(separator: " "), masked: masked)
    }

    /// A resume reruns what a run planned: refused when its command line could not be recorded
    /// whole, or when its inventories are not the ones it used (unless told to go ahead).
    static func checkResumable(_ run: RunRecord, paths: InventoryPaths, allowChanges: Bool) throws {
        if run.argumentsMasked {
            throw Diagnostic("run \(run.id) cannot be resumed: a secret stood inside one of its arguments, which was recorded masked",
                             hint: "run the command again as you first gave it")
        }
        let changes = InventoryFingerprint.differences(recorded: run.inventories, now: InventoryFingerprint.of(paths))
        guard !changes.isEmpty, !allowChanges else { return }
        throw Diagnostic("run \(run.id) used other inventories: " + changes.joined(separator: "; "),
                         hint: "nothing was run; resume with the same files, or add --allow-inventory-change to rerun its unfinished steps against these")
    }
}
