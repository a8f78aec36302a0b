import Document
@testable import Kube
import Testing

@Suite struct KubeErrorTests {
    private func error(_ outcome: ScriptedTransport.Outcome, method: String = "PATCH",
                       path: String = "/api/v1/namespaces/x/configmaps/y") -> KubeError {
        guard case .response(let response) = outcome else { fatalError("not a response") }
        return KubeError.from(response, method: method, path: path)
    }

    @Test(arguments: [
        (404, "NotFound", KubeError.Reason.notFound), (409, "AlreadyExists", .alreadyExists), (409, "Conflict", .conflict),
        (422, "Invalid", .invalid), (403, "Forbidden", .forbidden), (401, "Unauthorized", .unauthorized),
        (429, "TooManyRequests", .tooManyRequests), (504, "Timeout", .serverTimeout), (500, "ServerTimeout", .serverTimeout),
        (500, "InternalError", .internalError), (400, "BadRequest", .badRequest), (503, "ServiceUnavailable", .other("ServiceUnavailable")),
    ])
    func statusReasonBecomesTypedReason(code: Int, reason: String, expected: KubeError.Reason) {
        let e = error(status(code, reason: reason, message: "m"))
        #expect(e.reason == expected)
        #expect(e.code == code)
        #expect(e.message == "m")
    }

    @Test func withoutAReasonTheCodeDecides() {
        let e = KubeError.from(HTTPResponse(status: 404, body: Array("404 page not found".utf8)), method: "GET", path: "/x")
        #expect(e.reason == .notFound)
        #expect(e.message == "404 page not found")
        #expect(KubeError.from(HTTPResponse(status: 502), method: "GET", path: "/x").description == "GET /x: 502 HTTP502: HTTP 502")
    }

    @Test func invalidCarriesFieldCausesAndReadsLikeKubectl() {
        let e = error(status(422, reason: "Invalid", message: "ConfigMap \"y\" is invalid: data[a b]: Invalid value: \"a b\"",
                             causes: [["reason": "FieldValueInvalid", "message": "Invalid value: \"a b\"", "field": "data[a b]"]]))
        #expect(e.causes == [KubeError.Cause(field: "data[a b]", reason: "FieldValueInvalid", message: "Invalid value: \"a b\"")])
        #expect(e.description == "PATCH /api/v1/namespaces/x/configmaps/y: 422 Invalid: ConfigMap \"y\" is invalid: data[a b]: Invalid value: \"a b\"")
    }

    @Test func retryAfterHeaderIsRead() {
        #expect(error(status(429, reason: "TooManyRequests", message: "slow down", retryAfter: 7)).retryAfter == 7)
    }

    @Test func transportFailuresAreADistinctCase() {
        let e = KubeError(reason: .transport(.connectionRefused), message: "connection refused by https://127.0.0.1:6443",
                          method: "GET", path: "/readyz")
        #expect(e.isTransport)
        #expect(e.code == nil)
        #expect(e.description == "GET /readyz: connection refused by https://127.0.0.1:6443")
    }
}

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(deadline: .seconds(30), baseDelay: .milliseconds(200), maxDelay: .seconds(5))
    private func failure(_ reason: KubeError.Reason, _ code: Int?) -> KubeError {
        KubeError(reason: reason, message: "", method: "", path: "", code: code)
    }

    @Test func whatIsRetried() {
        #expect(policy.shouldRetry(failure(.tooManyRequests, 429), method: "POST"))
        #expect(policy.shouldRetry(failure(.internalError, 500), method: "PUT"))
        #expect(policy.shouldRetry(failure(.other("ServiceUnavailable"), 503), method: "PATCH"))
        #expect(!policy.shouldRetry(failure(.internalError, 500), method: "POST"))
        #expect(!policy.shouldRetry(failure(.conflict, 409), method: "PUT"))
        #expect(!policy.shouldRetry(failure(.invalid, 422), method: "PATCH"))
        #expect(!policy.shouldRetry(failure(.forbidden, 403), method: "GET"))
        #expect(policy.shouldRetry(failure(.transport(.connectionRefused), nil), method: "POST"))
        #expect(policy.shouldRetry(failure(.transport(.connectionReset), nil), method: "DELETE"))
        #expect(!policy.shouldRetry(failure(.transport(.connectionReset), nil), method: "POST"))
        #expect(policy.shouldRetry(failure(.transport(.timeout), nil), method: "GET"))
        #expect(!policy.shouldRetry(failure(.transport(.tlsVerification), nil), method: "GET"))
    }

    @Test func fullJitterWithinAnExponentialCeiling() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, random: 0.999) <= .milliseconds(200))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0.5) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 30, retryAfter: nil, random: 1) == .seconds(5))
        #expect(policy.delay(afterAttempt: 4, retryAfter: nil, random: 0) == .zero)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 3, random: 0) == .seconds(3))
    }
}
