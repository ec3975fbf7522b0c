import CJansson

/// Loads a JSON file with jansson: syntax errors and duplicate keys come back as diagnostics
/// with jansson's own line and column; values come back as `JSONNode`s placed by `JSONLocator`.
public enum JSONDocument {
    public static func load(path: String, text: String) throws -> JSONNode {
        var error = json_error_t()
        guard let root = json_loadb(text, text.utf8.count, Int(JSON_REJECT_DUPLICATES), &error) else {
            throw diagnostic(error, path: path, text: text)
        }
        defer { json_decref(root) }
        let locator = JSONLocator(path: path, text: text)
        return convert(root, at: [], locator: locator)
    }

    private static func diagnostic(_ error: json_error_t, path: String, text: String) -> Diagnostic {
        var error = error
        let message = withUnsafeBytes(of: &error.text) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        // jansson counts lines and columns from 1; column is in characters of that line.
        let line = max(0, Int(error.line) - 1), column = max(0, Int(error.column) - 1)
        let location = SourceLocation(file: path, line: line, column: column)
        var hint: String?
        if message.contains("':' expected") {
            hint = "an object member is written \"key\": value"
        } else if message.contains("duplicate object key") {
            hint = "each name may appear once; rename or merge the two entries"
        } else if message.contains("string or '}' expected") || message.contains("unexpected token near ']'") {
            hint = "JSON allows no comma after the last member of an object or array"
        }
        return Diagnostic(.invalidJSON(message), at: location,
                          source: SourceText(path: path, text: text), hint: hint)
    }

    private static func convert(_ json: UnsafeMutablePointer<json_t>, at path: [String],
                                locator: JSONLocator) -> JSONNode {
        let location = locator.location(of: path)
        let value: JSONNode.Value
        switch json.pointee.type {
        case JSON_OBJECT:
            var entries: [(key: String, node: JSONNode)] = []
            var iter = json_object_iter(json)
            while let it = iter {
                let key = String(cString: json_object_iter_key(it))
                if let child = json_object_iter_value(it) {
                    entries.append((key, convert(child, at: path + [key], locator: locator)))
                }
                iter = json_object_iter_next(json, it)
            }
            // Keep the order the user wrote: inventory order decides who runs first.
            let offsets = entries.map { locator.offset(of: path + [$0.key]) }
            value = .object(entries.indices.sorted { offsets[$0] < offsets[$1] }.map { entries[$0] })
        case JSON_ARRAY:
            value = .array((0..<json_array_size(json)).map { index in
                convert(json_array_get(json, index)!, at: path + [String(index)], locator: locator)
            })
        case JSON_STRING:
            let length = json_string_length(json)
            let bytes = UnsafeRawBufferPointer(start: json_string_value(json), count: length)
            value = .string(String(decoding: bytes, as: UTF8.self))
        case JSON_INTEGER: value = .number(Double(json_integer_value(json)))
        case JSON_REAL: value = .number(json_real_value(json))
        case JSON_TRUE: value = .bool(true)
        case JSON_FALSE: value = .bool(false)
        default: value = .null
        }
        return JSONNode(value: value, location: location, keyLocation: locator.keyLocation(of: path))
    }
}
