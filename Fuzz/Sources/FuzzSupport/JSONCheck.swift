import Foundation

/// Fails the iteration unless `text` is one well-formed JSON document (the renderers' contract).
public func requireValidJSON(_ text: String, _ what: String) {
    do {
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    } catch {
        fuzzFailure("\(what) rendered invalid JSON: \(error)\n\(text.prefix(2000))")
    }
}
