import Document

/// `/openapi/v3`: just enough of kube-apiserver's OpenAPI v3 documents for kubectl's validation.
///
/// kubectl (1.27+) validates through the server when the PATCH operation of a kind lists the
/// `fieldValidation` parameter in `/openapi/v3/<group-version>`: it then sends
/// `fieldValidation=Strict` and leaves unknown fields to the server, which the emulator refuses
/// (staging/src/k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go, supportsQueryParamV3).
/// Only when that fails does it fall back to `/openapi/v2` and client-side schemas, which the
/// emulator does not serve. So each operation here carries its kind and parameters, and no schemas.
extension Registry {
    /// `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`
    /// (k8s.io/kube-openapi pkg/handler3: OpenAPIV3Discovery).
    func openAPIRoot() -> Value {
        var paths = Object()
        for (group, versions) in groupVersions {
            for version in versions {
                let key = group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
                let doc = openAPIDocument(groupVersion: group.isEmpty ? version : "\(group)/\(version)") ?? .null
                let hash = String(stableHash(JSON.encode(doc, options: .sortedKeys)), radix: 16, uppercase: true)
                paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash)")]
            }
        }
        return ["paths": .object(paths)]
    }

    /// One group version's document: per resource, the PATCH operation with its kind and query parameters.
    func openAPIDocument(groupVersion: String) -> Value? {
        guard let types = byGroupVersion[groupVersion] else { return nil }
        let prefix = groupVersion.contains("/") ? "/apis/\(groupVersion)" : "/api/\(groupVersion)"
        var paths = Object()
        for t in types {
            let collection = t.namespaced ? "\(prefix)/namespaces/{namespace}/\(t.plural)" : "\(prefix)/\(t.plural)"
            let parameters: [Value] = [
                ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                ["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true],
                 "description": "Ignore, Warn (the default) or Strict: what to do with fields the schema does not declare"],
                ["name": "force", "in": "query", "schema": ["type": "boolean", "uniqueItems": true]],
            ]
            paths["\(collection)/{name}"] = ["patch": [
                "operationId": .string("patch\(t.kind)"),
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": ["group": .string(t.group), "version": .string(t.version), "kind": .string(t.kind)],
                "parameters": .array(parameters),
                "responses": ["200": ["description": "OK"], "201": ["description": "Created"]],
            ]]
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": ServerInfo.version["gitVersion"] ?? "v1.31.4+k3s1"],
                "paths": .object(paths), "components": ["schemas": .object(Object())]]
    }
}
