extension Plan {
    /// The plan as one JSON document, masked like the printed plan: secret parts show as `***`,
    /// and by value too (a secret's text that reached the plan another way is not shown).
    public var json: String { SecretMask(secrets).apply(document) }

    private var document: String {
        JSONWriter.object([("tasks", JSONWriter.array(tasks.map { task in
            JSONWriter.object([
                ("task", JSONWriter.string(task.name)),
                ("arguments", JSONWriter.object(task.arguments.map { ($0.name, JSONWriter.string($0.display)) })),
                ("reason", task.reason.map(JSONWriter.string) ?? "null"),
                ("stages", JSONWriter.array(task.stages.map { stage in
                    JSONWriter.object([
                        ("target", JSONWriter.string(stage.target)),
                        ("serial", stage.serial != nil ? "true" : "false"),
                        // As written (`2`, `40%`), and resolved: hosts per batch.
                        ("serial_as_written", stage.serial.map { JSONWriter.string($0.description) } ?? "null"),
                        ("batch_size", stage.batchSize.map { String($0) } ?? "null"),
                        ("hosts", JSONWriter.array(stage.hosts.map { host in
                            JSONWriter.object([
                                ("host", JSONWriter.string(host.name)),
                                ("steps", JSONWriter.array(host.steps.map(\.json))),
                            ])
                        })),
                    ])
                })),
            ])
        }))])
    }
}

extension PlannedStep {
    var json: String {
        var pairs: [(String, String)]
        switch kind {
        case .run(let c): pairs = [("run", JSONWriter.string(c.description))]
        case .show(let c): pairs = [("show", JSONWriter.string(c.description))]
        case .attach(let c): pairs = [("attach", JSONWriter.string(c.description))]
        case .local(let c): pairs = [("local", JSONWriter.string(c.description))]
        case .capture(let name, let c, let local):
            pairs = [("capture", JSONWriter.string(name)), (local ? "local" : "run", JSONWriter.string(c.description))]
        case .upload(let content, let path, let mode):
            pairs = [("upload", JSONWriter.string(path)), ("content", JSONWriter.string(content.description)),
                     ("mode", mode.map { JSONWriter.string(String($0, radix: 8).leftPad(4)) } ?? "null")]
        case .download(let remote, let local):
            pairs = [("download", JSONWriter.string(remote)), ("to", JSONWriter.string(local))]
        case .echo(let c): pairs = [("echo", JSONWriter.string(c.description))]
        case .fail(let c): pairs = [("fail", JSONWriter.string(c.description))]
        case .until(let c, let every, let timeout):
            pairs = [("until", JSONWriter.string(c.description)), ("every_s", String(every)), ("timeout_s", String(timeout))]
        }
        if let retry { pairs.append(("retry", JSONWriter.object([("attempts", String(retry.attempts)), ("delay_s", String(retry.delay))]))) }
        if let unless { pairs.append(("unless", JSONWriter.string(unless.description))) }
        pairs.append(("at", JSONWriter.string(location.description)))
        return JSONWriter.object(pairs)
    }
}
