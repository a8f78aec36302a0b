import Document

/// An API error: the HTTP code and the `Status` object the real API server would send.
struct APIError: Error {
    var code: Int
    var reason: String
    var message: String
    var details: Value?
    var headers: [(String, String)] = []

    var status: Value {
        var object: Value = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object(Object()),
            "status": "Failure", "message": .string(message),
        ]
        // An error that is not a Status (reason Unknown, "") has no reason field.
        if !reason.isEmpty { object["reason"] = .string(reason) }
        if let details { object["details"] = details }
        object["code"] = .int(code)
        return object
    }

    static func details(name: String?, group: String, kind: String, causes: [Value]? = nil) -> Value {
        var d = Value.object(Object())
        if let name { d["name"] = .string(name) }
        d["group"] = .string(group)
        d["kind"] = .string(kind)
        if let causes { d["causes"] = .array(causes) }
        return d
    }

    static func notFound(_ type: ResourceType, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(type.qualifiedPlural) \"\(name)\" not found",
                 details: details(name: name, group: type.group, kind: type.plural))
    }

    static func alreadyExists(_ type: ResourceType, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(type.qualifiedPlural) \"\(name)\" already exists",
                 details: details(name: name, group: type.group, kind: type.plural))
    }

    static func conflict(_ type: ResourceType, _ name: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(type.qualifiedPlural) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                 details: details(name: name, group: type.group, kind: type.plural))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func unknownPath() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                 details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])
    }

    static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource",
                 details: ["causes": [["reason": "UnexpectedServerResponse", "message": .string("method \(method) not allowed")]]])
    }

    static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
    }

    /// One field error, shaped like the API server's `StatusCause`.
    struct Cause {
        var reason: String   // FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueTypeInvalid
        var field: String
        var detail: String   // the text after "field: "

        var value: Value { ["reason": .string(reason), "message": .string(detail), "field": .string(field)] }
    }

    /// 422 Invalid: `Kind.group "name" is invalid: field: detail` (several causes are bracketed).
    static func invalid(_ type: ResourceType, _ name: String, _ causes: [Cause]) -> APIError {
        let texts = causes.map { "\($0.field): \($0.detail)" }
        let joined = texts.count == 1 ? texts[0] : "[" + texts.joined(separator: ", ") + "]"
        let qualifiedKind = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
        return APIError(code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(joined)",
                        details: details(name: name, group: type.group, kind: type.kind, causes: causes.map(\.value)))
    }

    /// The Status sent for an injected error code.
    static func injected(_ code: Int, retryAfter: Int?) -> APIError {
        let (reason, message): (String, String) = switch code {
        case 429: ("TooManyRequests", "Too many requests, please try again later.")
        case 500: ("InternalError", "Internal error occurred: injected fault")
        case 503: ("ServiceUnavailable", "The server is currently unable to handle the request")
        case 504: ("Timeout", "The server was unable to return a response in the time allotted, but may still be processing the request")
        case 409: ("Conflict", "Operation cannot be fulfilled: injected conflict")
        case 404: ("NotFound", "the server could not find the requested resource")
        case 401: ("Unauthorized", "Unauthorized")
        case 403: ("Forbidden", "forbidden: injected fault")
        default: ("InternalError", "injected fault \(code)")
        }
        var error = APIError(code: code, reason: reason, message: message)
        if let retryAfter {
            error.details = ["retryAfterSeconds": .int(retryAfter)]
            error.headers.append(("Retry-After", String(retryAfter)))
        }
        return error
    }
}

/// The `Status` a successful DELETE returns.
func successStatus(_ type: ResourceType, name: String, uid: String?) -> Value {
    var details: Value = ["name": .string(name), "group": .string(type.group), "kind": .string(type.plural)]
    if let uid { details["uid"] = .string(uid) }
    return ["kind": "Status", "apiVersion": "v1", "metadata": .object(Object()), "status": "Success", "details": details]
}
