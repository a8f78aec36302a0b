import Platform
import Document
import FoundationEssentials

/// A failed API request: the server's `Status` as a typed reason, or a transport failure.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    /// Why the request failed; `transport` when no HTTP response arrived.
    public enum Reason: Sendable, Equatable {
        case notFound, alreadyExists, conflict, invalid, forbidden, unauthorized
        case tooManyRequests, serverTimeout, internalError, badRequest
        /// apiVersion/kind is not served by the API server (e.g. its CRD is not Established yet).
        case unknownKind
        case other(String)
        case transport(TransportFailure)

        /// The name kubectl would show (the Status `reason`).
        public var name: String {
            switch self {
            case .notFound: return "NotFound"
            case .alreadyExists: return "AlreadyExists"
            case .conflict: return "Conflict"
            case .invalid: return "Invalid"
            case .forbidden: return "Forbidden"
            case .unauthorized: return "Unauthorized"
            case .tooManyRequests: return "TooManyRequests"
            case .serverTimeout: return "ServerTimeout"
            case .internalError: return "InternalError"
            case .badRequest: return "BadRequest"
            case .unknownKind: return "UnknownKind"
            case .other(let name): return name
            case .transport(let failure): return failure.rawValue
            }
        }
    }

    /// One field-level problem of an `Invalid` response.
    public struct Cause: Sendable, Equatable {
        public var field: String?
        public var reason: String?
        public var message: String
    }

    public var reason: Reason
    /// The server's message, or the transport's human explanation.
    public var message: String
    /// The request: verb and path (with query), so the engine can name what failed.
    public var method: String
    public var path: String
    /// HTTP status; nil for transport failures.
    public var code: Int?
    public var causes: [Cause]
    /// Seconds the server asked us to wait (Retry-After), when it did.
    public var retryAfter: Int?

    public init(reason: Reason, message: String, method: String, path: String, code: Int? = nil,
                causes: [Cause] = [], retryAfter: Int? = nil) {
        self.reason = reason
        self.message = message
        self.method = method
        self.path = path
        self.code = code
        self.causes = causes
        self.retryAfter = retryAfter
    }

    /// Why, in a few words, for a progress line: `connection refused`, `503 ServiceUnavailable`.
    public var briefReason: String {
        switch reason {
        case .transport(.connectionRefused): return "connection refused"
        case .transport(.connectionReset): return "connection reset"
        case .transport(.timeout): return "timed out"
        case .transport(.hostNotFound): return "host not found"
        case .transport: return message
        default: return code.map { "\($0) \(reason.name)" } ?? reason.name
        }
    }

    public var isTransport: Bool { if case .transport = reason { return true } else { return false } }

    /// `PATCH /api/v1/namespaces/x/configmaps/y: 422 Invalid: message`, as kubectl would put it.
    public var description: String {
        if let code { return "\(method) \(path): \(code) \(reason.name): \(message)" }
        return "\(method) \(path): \(message)"
    }

    /// Builds the error from a non-2xx response, reading a `Status` body when there is one.
    static func from(_ response: HTTPResponse, method: String, path: String) -> KubeError {
        let status = (try? JSON.decode(response.body)).flatMap { $0["kind"]?.stringValue == "Status" ? $0 : nil }
        let reasonName = status?["reason"]?.stringValue ?? ""
        var message = status?["message"]?.stringValue ?? ""
        if message.isEmpty {
            let text = String(decoding: response.body.prefix(500), as: UTF8.self).trimming(.whitespaceAndNewlines)
            message = text.isEmpty ? "HTTP \(response.status)" : text
        }
        let causes = (status?[path: ["details", "causes"]]?.arrayValue ?? []).map {
            Cause(field: $0["field"]?.stringValue, reason: $0["reason"]?.stringValue, message: $0["message"]?.stringValue ?? "")
        }
        let retryAfter = response.headers["retry-after"].flatMap { Int($0.trimming(.whitespace)) }
            ?? status?[path: ["details", "retryAfterSeconds"]]?.intValue
        // Server-side apply of a configuration with a field the schema lacks fails with a 500 that is
        // no Status reason (staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/
        // structuredmerge.go: "failed to create typed patch object (…): .spec.foo: field not declared
        // in schema"). It is an answer about the object, not a server fault: never retried, and each
        // field is named.
        if response.status == 500, message.contains("field not declared in schema") {
            let fields = message.split(separator: "\n").compactMap { line -> Cause? in
                let text = line.trimming(.whitespace)
                guard let end = text.firstRange(of: ": field not declared in schema") else { return nil }
                var field = String(text[..<end.lowerBound])
                if let start = field.firstRange(of: "): ") { field = String(field[start.upperBound...]) }
                if field.hasPrefix(".") { field.removeFirst() }
                return Cause(field: field, reason: "FieldValueUnknown", message: "field not declared in schema")
            }
            let names = fields.compactMap(\.field).map { "\"\($0)\"" }.joined(separator: ", ")
            let what = fields.count == 1 ? "unknown field \(names) (the server's schema does not declare it)"
                : "unknown fields \(names) (the server's schema does not declare them)"
            return KubeError(reason: .invalid, message: "\(what): \(message)",
                             method: method, path: path, code: response.status, causes: fields)
        }
        return KubeError(reason: reason(named: reasonName, code: response.status), message: message,
                         method: method, path: path, code: response.status, causes: causes, retryAfter: retryAfter)
    }

    /// The texts of a `Warning` header (`299 - "text", 299 - "other"`, RFC 7234 §5.5): quoted strings
    /// with backslash escapes; anything malformed is skipped.
    static func warnings(in header: String) -> [String] {
        var out: [String] = []
        var chars = header[...]
        while let quote = chars.firstIndex(of: "\"") {
            chars = chars[chars.index(after: quote)...]
            var text = ""
            var escaped = false
            var closed = false
            while let c = chars.first {
                chars = chars.dropFirst()
                if escaped { text.append(c); escaped = false }
                else if c == "\\" { escaped = true }
                else if c == "\"" { closed = true; break }
                else { text.append(c) }
            }
            guard closed else { break }
            out.append(text)
            // An optional quoted warn-date may follow the text; the next value starts after a comma.
            chars = chars.drop { $0 == " " }
            if chars.first == "\"" {
                chars = chars.dropFirst()
                guard let end = chars.firstIndex(of: "\"") else { break }
                chars = chars[chars.index(after: end)...]
            }
        }
        return out
    }

    /// `spec.foo` of `unknown field "spec.foo"`.
    static func quotedField(in warning: String) -> String? {
        guard let open = warning.firstIndex(of: "\""), let close = warning[warning.index(after: open)...].firstIndex(of: "\"") else { return nil }
        return String(warning[warning.index(after: open)..<close])
    }

    static func reason(named name: String, code: Int) -> Reason {
        switch name {
        case "NotFound": return .notFound
        case "AlreadyExists": return .alreadyExists
        case "Conflict": return .conflict
        case "Invalid": return .invalid
        case "Forbidden": return .forbidden
        case "Unauthorized": return .unauthorized
        case "TooManyRequests": return .tooManyRequests
        case "ServerTimeout", "Timeout": return .serverTimeout
        case "InternalError": return .internalError
        case "BadRequest": return .badRequest
        default: break
        }
        switch code {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 409: return .conflict
        case 422: return .invalid
        case 429: return .tooManyRequests
        case 500: return .internalError
        case 504: return .serverTimeout
        default: return .other(name.isEmpty ? "HTTP\(code)" : name)
        }
    }
}
