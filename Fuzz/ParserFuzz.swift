// libFuzzer target: the task language. Any input must give a TaskFile or a Diagnostic, never a
// crash, a hang or an out-of-bounds read (built with AddressSanitizer). The first byte picks
// what to parse: a task file, or a host selector as written after `on` and in --limit.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: count - 1), as: UTF8.self)
    if data[0] & 1 == 0 {
        _ = try? Parser.parseFile(SourceText(path: "fuzz.skp", text: text))
    } else {
        _ = try? Parser.parseSelector(text, origin: "fuzz")
    }
    return 0
}
