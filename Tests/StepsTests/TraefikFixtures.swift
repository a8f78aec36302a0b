import Document

/// Expected objects and CRDs the Traefik tests compare against.
extension TraefikTests {
    static func legacyCRD(kind: String, plural: String) -> Value {
        ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": ["name": .string("\(plural).traefik.containo.us")],
         "spec": [
            "group": "traefik.containo.us", "scope": "Namespaced",
            "names": ["kind": .string(kind), "plural": .string(plural), "singular": .string(kind.lowercased()), "listKind": .string(kind + "List")],
            "versions": [["name": "v1alpha1", "served": true, "storage": true,
                          "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]],
         ]]
    }

    static let expectedRoutes = """
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: test-compress
          namespace: faf-apps
        spec:
          compress: {}
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: redirect-replay-subdomain
          namespace: faf-apps
        spec:
          redirectRegex:
            regex: ^(http|https)://replay.faforever.com/(.*)
            replacement: ${1}://api.faforever.com/game/${2}/replay
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: cors
          namespace: faf-apps
        spec:
          headers:
            accessControlAllowMethods:
              - GET
            accessControlAllowOriginList:
              - "*"
            accessControlMaxAge: 60
            addVaryHeader: false
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: unitdb-stripprefix
          namespace: faf-apps
        spec:
          stripPrefix:
            prefixes:
              - /faf/unitsDB
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: rabbitmq-auth-basicauth
          namespace: faf-apps
        type: Opaque
        data:
          users: (sensitive)
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: rabbitmq-auth
          namespace: faf-apps
        spec:
          basicAuth:
            secret: rabbitmq-auth-basicauth
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: faf-java-api
          namespace: faf-apps
        spec:
          entryPoints:
            - websecure
          routes:
            - kind: Rule
              match: Host(`api.faforever.com`)
              middlewares:
                - name: test-compress
              services:
                - kind: Service
                  name: faf-java-api
                  port: 8010
          tls:
            certResolver: default
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: faf-content
          namespace: faf-apps
        spec:
          entryPoints:
            - websecure
          routes:
            - kind: Rule
              match: Host(`content.faforever.com`) || Host(`replay.faforever.com`)
              middlewares:
                - name: redirect-replay-subdomain
                - name: test-compress
                - name: cors
              services:
                - kind: Service
                  name: faf-content
                  port: 80
          tls:
            certResolver: default
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: faf-unitdb
          namespace: faf-apps
        spec:
          entryPoints:
            - websecure
          routes:
            - kind: Rule
              match: Host(`unitdb.faforever.com`) || Host(`direct.faforever.com`) && PathPrefix(`/faf/unitsDB`)
              middlewares:
                - name: unitdb-stripprefix
                - name: test-compress
              services:
                - kind: Service
                  name: faf-unitdb
                  port: 80
          tls:
            certResolver: default
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: faf-rabbitmq
          namespace: faf-apps
        spec:
          entryPoints:
            - websecure
          routes:
            - kind: Rule
              match: Host(`rabbitmq.faforever.com`)
              middlewares:
                - name: rabbitmq-auth
              services:
                - kind: Service
                  name: faf-rabbitmq
                  port: 15672
          tls:
            certResolver: default

        """
}

/// The Services the route tests send traffic to, as a step at the end of their playbooks (the
/// lines above keep their numbers): a route to a Service no step creates is refused.
let routedServicesStep = """

      - id: routed-services
        type: kube.objects
        with:
          objects:
                - {apiVersion: v1, kind: Service, metadata: {name: faf-aio-replayserver, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-api, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-content, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-coturn, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-ircd, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-java-api, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-python-server, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-rabbitmq, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-unitdb, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-website, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: faf-wordpress, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: synapse, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
                - {apiVersion: v1, kind: Service, metadata: {name: x, namespace: faf-apps}, spec: {ports: [{port: 80}]}}
    """
