import Document
import Foundation
import Import
import Testing
import TestSupport

/// One conversion rule per test, on a small compose file.
@Suite struct RuleTests {
    static func importing(_ compose: String, env: String? = nil, files: [String: String] = [:], configure: (inout ImportOptions) -> Void = { _ in }) throws -> ImportResult {
        let dir = TemporaryDirectory("import-rule")
        try dir.write("docker-compose.yml", compose)
        if let env { try dir.write(".env", env) }
        // A compose checkout's files: 0644, as git writes them.
        for (path, text) in files { try dir.write(path, text, mode: 0o644) }
        var options = ImportOptions(composeFiles: [dir.file("docker-compose.yml")])
        options.composeData = "/srv/compose/data"
        configure(&options)
        return try Converter.convert(try ComposeReader.read(files: options.composeFiles), options: options)
    }

    @Test func secretEnvironmentByNameAndContentWithOverrides() throws {
        let compose = """
            services:
              api:
                image: api:1.0
                environment:
                  DB_HOST: db
                  DB_PASSWORD: hunter2hunter2
                  PASSWORD_FILE: /run/secret
                  PASSWORD_RESET_URL_FORMAT: https://example.org/reset/%s
                  BROKER_URL: amqp://user:s3cretpass@rabbit/
                  ADMIN_HTPASSWD: "$$2y$$05$$abcdefghijklmnop"
            """
        let result = try Self.importing(compose)
        #expect(result.playbook.contains("DB_PASSWORD: ${{ secrets.api.DB_PASSWORD }}"))
        #expect(result.playbook.contains("BROKER_URL: ${{ secrets.api.BROKER_URL }}"))
        #expect(result.playbook.contains("ADMIN_HTPASSWD: ${{ secrets.api.ADMIN_HTPASSWD }}"))
        #expect(result.playbook.contains("DB_HOST: db"))
        #expect(result.playbook.contains("PASSWORD_FILE: /run/secret"))
        #expect(result.playbook.contains("PASSWORD_RESET_URL_FORMAT: https://example.org/reset/%s"))
        #expect(!result.playbook.contains("hunter2") && !result.playbook.contains("s3cretpass"))
        #expect(result.secretsExample.contains("DB_PASSWORD: change-me"))

        let overridden = try Self.importing(compose) { $0.rules = SecretRules(forced: ["DB_HOST"], exempt: ["DB_PASSWORD"]) }
        #expect(overridden.playbook.contains("DB_HOST: ${{ secrets.api.DB_HOST }}"))
        #expect(overridden.playbook.contains("DB_PASSWORD: hunter2hunter2"))
    }

    @Test func aRulesFileOverridesTheRulesAndItsMistakesArePositioned() throws {
        let dir = TemporaryDirectory("import-rules")
        try dir.write("rules.yaml", "secret: [DB_HOST]\nnotSecret: [DB_PASSWORD]\n")
        let rules = try SecretRules().adding(file: dir.file("rules.yaml"))
        #expect(rules.isSecret(key: "DB_HOST", value: "db"))
        #expect(!rules.isSecret(key: "DB_PASSWORD", value: "x"))
        try dir.write("bad.yaml", "secret: DB_HOST\nsecrets: [A]\n")
        do {
            _ = try SecretRules().adding(file: dir.file("bad.yaml"))
            Issue.record("a bad rules file was accepted")
        } catch {
            #expect(error.items.map(\.description) == [
                "\(dir.file("bad.yaml")):1:9: error: secret must be a list of names, found string",
                "\(dir.file("bad.yaml")):2:1: error: unknown key \"secrets\" in secret rules (secret, notSecret)",
            ])
        }
    }

    /// The secrets move to secretEnv and the rest is copied, as compose reads the file: also one
    /// written on Windows (CRLF) with a comment after a value, whose secret moves without it.
    @Test(arguments: [
        "# settings\nLOG_LEVEL=debug\nAPI_TOKEN=abcdef123456\n",
        "# settings\r\nLOG_LEVEL=debug\r\nAPI_TOKEN=abcdef123456 # rotated monthly\r\n",
    ])
    func envFileSecretsMoveToSecretEnvAndTheRestIsCopied(envFile: String) throws {
        let result = try Self.importing("""
            services:
              api:
                image: api:1.0
                env_file: ./config/api/api.env
            """, files: ["config/api/api.env": envFile])
        let copied = try #require(result.files["config/api/api.env"])
        #expect(copied.contains(envFile.contains("\r") ? "LOG_LEVEL=debug\r\n" : "LOG_LEVEL=debug\n"))
        #expect(!copied.contains("abcdef123456"))
        #expect(copied.contains("# API_TOKEN: a secret, in secretEnv (secrets.api.API_TOKEN)"))
        #expect(result.playbook.contains("envFiles:\n        - config/api/api.env"))
        #expect(result.playbook.contains("API_TOKEN: ${{ secrets.api.API_TOKEN }}"))
        // --secrets-from-env fills in the value as compose reads it, without the comment.
        #expect(result.secretsFromEnv.text.contains("API_TOKEN: abcdef123456\n"), "\(result.secretsFromEnv.text)")
    }

    @Test func composeVariablesBecomeVars() throws {
        let result = try Self.importing("""
            services:
              web:
                image: web:${TAG}
                user: ${WEB_USER}
                environment:
                  SITE: https://www.${DOMAIN}/
                  MODE: ${MODE:-production}
                  REGION: ${REGION:?a region is needed}
            """, env: "DOMAIN=example.org\nTAG=2.1\nWEB_USER=root\nREGION=eu-1\n")
        #expect(result.playbook.contains("MODE: production"))
        #expect(result.playbook.contains("REGION: ${{ vars.REGION }}"))
        #expect(result.playbook.contains("SITE: https://www.${{ vars.DOMAIN }}/"))
        #expect(result.playbook.contains("  DOMAIN: example.org\n"))
        #expect(result.playbook.contains("image: web:2.1"))
        #expect(result.playbook.contains("user: \"0\""))
        // Variables used only where the value is needed (image, user) are not vars.
        #expect(!result.playbook.contains("WEB_USER:"))
    }

    @Test func dataMountsUnderOneFolderShareAVolumeThroughSubPath() throws {
        let result = try Self.importing("""
            services:
              db:
                image: mongo:6.0
                volumes:
                  - ./data/mongodb/data/db:/data/db
                  - ./data/mongodb/backup:/backup:ro
            """)
        #expect(result.counts["db"]?.dataMounts == 2)
        #expect(result.playbook.components(separatedBy: "migrateFrom:").count - 1 == 1)
        #expect(result.playbook.contains("migrateFrom: ${{ vars.composeData }}/mongodb"))
        #expect(result.playbook.contains("- claim: mongodb-pvc\n          mountPath: /data/db\n          subPath: data/db"))
        #expect(result.playbook.contains("mountPath: /backup\n          subPath: backup\n          readOnly: true"))
    }

    @Test func configDirectoriesExpandToFilesAndOtherHostPathsAreReported() throws {
        let result = try Self.importing("""
            services:
              web:
                image: nginx:1.20
                volumes:
                  - ./config/web:/etc/nginx/conf.d
                  - /var/run/docker.sock:/var/run/docker.sock
                  - cache:/cache
            """, files: ["config/web/a.conf": "server {}\n", "config/web/sub/b.conf": "# b\n", "config/web/tls.key": "-----BEGIN PRIVATE KEY-----\n"])
        #expect(result.playbook.contains("/etc/nginx/conf.d/a.conf:\n          from: config/web/a.conf"))
        #expect(result.playbook.contains("/etc/nginx/conf.d/sub/b.conf:\n          from: config/web/sub/b.conf"))
        #expect(result.playbook.contains("/etc/nginx/conf.d/tls.key:\n          secret: ${{ secrets.files.web-tls-key }}"))
        #expect(result.files["config/web/tls.key"] == nil)
        #expect(result.report.contains { $0.service == "web" && $0.reason.hasPrefix("host path /var/run/docker.sock") })
        #expect(result.report.contains { $0.service == "web" && $0.reason.hasPrefix("named volume cache") })
    }

    @Test func healthcheckResourcesRestartAndDependsOn() throws {
        let result = try Self.importing("""
            services:
              db:
                image: mariadb:10.6
                mem_limit: 512m
                cpus: 1.5
                healthcheck:
                  test: ["CMD", "mysqladmin", "ping"]
                  interval: 1m30s
                  timeout: 20s
                  retries: 10
              migrate:
                image: migrate:1
                restart: "no"
                depends_on: [db]
                deploy:
                  resources:
                    reservations: {memory: 1g}
            """)
        #expect(result.playbook.contains("readiness:\n          exec:\n            command:\n              - mysqladmin\n              - ping\n          periodSeconds: 90\n          timeoutSeconds: 20\n          failureThreshold: 10"))
        #expect(result.playbook.contains("limits:\n          memory: 512Mi\n          cpu: 1500m"))
        #expect(result.playbook.contains("requests:\n          memory: 1Gi"))
        #expect(result.playbook.contains("- id: migrate\n    type: app.workload\n    needs:\n      - namespaces\n      - db"))
        #expect(result.playbook.contains("kind: Job"))
    }

    @Test func hostNetworkServicesStayWithAWarning() throws {
        let result = try Self.importing("""
            services:
              turn:
                image: coturn:4.6
                network_mode: host
            """)
        #expect(result.counts.isEmpty)
        let entry = try #require(result.report.first { $0.service == "turn" })
        #expect(entry.key == "network_mode" && entry.mark?.line == 4)
        #expect(result.playbook.contains("#   docker-compose.yml:4: turn: network_mode: host network"))
    }

    @Test func traefikLabelsBecomeRoutesWithMiddlewares() throws {
        let dir = TemporaryDirectory("import-rule")
        try dir.write("dynamic.yml", "http:\n  middlewares:\n    gzip:\n      compress: {}\n")
        let withDynamic = try Self.importing("""
            services:
              web:
                image: web:1.0
                labels:
                  - "traefik.enable=true"
                  - "traefik.http.routers.web.rule=Host(`www.${DOMAIN}`)"
                  - "traefik.http.routers.web.entryPoints=web-secure"
                  - "traefik.http.routers.web.middlewares=strip, gzip@file, missing@file"
                  - "traefik.http.routers.web.tls.certresolver=le"
                  - "traefik.http.middlewares.strip.stripprefix.prefixes=/x"
                  - "traefik.http.services.web.loadbalancer.server.port=3000"
                  - "traefik.http.routers.admin.rule=Host(`admin.${DOMAIN}`)"
                  - "traefik.http.routers.admin.entryPoints=internal"
            """, env: "DOMAIN=example.org\n") { $0.traefikDynamic = dir.file("dynamic.yml") }
        let p = withDynamic.playbook
        #expect(p.contains("match: Host(`www.${{ vars.DOMAIN }}`)"))
        #expect(p.contains("entryPoints:\n            - websecure"))
        #expect(p.contains("port: 3000"))
        #expect(p.contains("middlewares:\n            - strip\n            - gzip\n"))
        #expect(p.contains("- name: strip\n          stripPrefix:\n            prefixes:\n              - /x"))
        #expect(p.contains("- name: gzip\n          compress: {}"))
        #expect(p.contains("certResolver: le"))
        #expect(withDynamic.counts["web"]?.routes == 1)
        #expect(withDynamic.report.contains { $0.reason.contains("missing@file") })
        #expect(withDynamic.report.contains { $0.reason.contains("router admin: entry point internal") })
    }

    @Test func publishedPortsWithoutLabelsBecomeHostPortsThatKeepClientAddresses() throws {
        let result = try Self.importing("""
            services:
              game:
                image: game:1
                ports:
                  - "8001:8001"
                  - "3478:3478/udp"
                  - "127.0.0.1:4000:4000"
                  - "80:8080"
                  - "9000:9001"
              relay:
                image: relay:1
                ports:
                  - "8001:8001"
            """)
        let p = result.playbook
        // The pod binds the node's port: docker's DNAT kept the client's address, so does hostPort.
        #expect(p.contains("- name: tcp-8001\n          port: 8001\n          hostPort: 8001\n"))
        #expect(p.contains("- name: udp-3478\n          port: 3478\n          protocol: UDP\n          hostPort: 3478\n"))
        #expect(p.contains("- name: tcp-9001\n          port: 9001\n          hostPort: 9000\n"))
        // No Traefik entry point or TCP/UDP route in between.
        #expect(!p.contains("entryPoints:\n        - name: tcp-8001") && !p.contains("tcp:\n        - name: game-8001"))
        #expect(result.counts["game"]?.tcpRoutes == 0 && result.counts["game"]?.udpRoutes == 0)
        #expect(result.report.contains { $0.reason.contains("127.0.0.1:4000:4000 is published on the loopback only") })
        #expect(result.report.contains { $0.reason.hasPrefix("80:8080: the node's port 80 is Traefik's") })
        #expect(result.report.contains { $0.service == "relay" && $0.reason == "8001 is published by game already: not converted" })
        #expect(!p.contains("- name: tcp-8080\n          port: 8080\n          hostPort"))
    }

    @Test func aConfigFileKeepsTheReadBitsOfItsHostModeAndATightOneIsReported() throws {
        let dir = TemporaryDirectory("import-modes")
        try dir.write("docker-compose.yml", """
            services:
              irc:
                image: irc:1
                volumes:
                  - ./config/irc/server.key.pem:/conf/server.key.pem
                  - ./config/irc/ircd.conf:/conf/ircd.conf
                  - ./config/irc/start.sh:/start.sh
            """)
        try dir.write("config/irc/server.key.pem", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", mode: 0o600)
        try dir.write("config/irc/ircd.conf", "allow { ip *@*; }\n", mode: 0o644)
        try dir.write("config/irc/start.sh", "#!/bin/sh\n", mode: 0o755)
        var options = ImportOptions(composeFiles: [dir.file("docker-compose.yml")])
        options.composeData = "/srv/compose/data"
        let result = try Converter.convert(try ComposeReader.read(files: options.composeFiles), options: options)
        let p = result.playbook
        // Write bits mean nothing on a read-only mount; the read and execute bits are kept.
        #expect(p.contains("/conf/server.key.pem:\n          secret: ${{ secrets.files.irc-server-key-pem }}\n          mode: \"0400\"\n"))
        // 0644 reads as the ConfigMap default: no mode written.
        #expect(p.contains("/conf/ircd.conf:\n          from: config/irc/ircd.conf\n        /conf/server.key.pem"))
        #expect(p.contains("/start.sh:\n          from: config/irc/start.sh\n          mode: \"0555\"\n"))
        #expect(result.report.contains { $0.reason.hasPrefix("config/irc/server.key.pem: mode 0400 kept from the host file") })
    }

    @Test func namespacesAndExternalNameAliases() throws {
        let result = try Self.importing("""
            services:
              db:
                image: mariadb:10.6
                expose: ["3306"]
              api:
                image: api:1
                environment:
                  DB_HOST: db
            """) { $0.namespaces = ["db": "infra"] }
        #expect(result.playbook.contains("names:\n        - infra\n        - apps"))
        #expect(result.playbook.contains("aliases:\n        - namespace: apps"))
    }

    @Test func networkAliasesBecomeExternalNameAliases() throws {
        let result = try Self.importing("""
            services:
              rabbitmq:
                image: rabbitmq:3.9
                expose: ["5672"]
                networks:
                  faf:
                    aliases: [rabbitmq, broker, "Not_A_Name"]
            """)
        #expect(result.playbook.contains("aliases:\n        - name: broker\n"))
        #expect(result.report.contains { $0.key == "networks" && $0.reason.contains("Not_A_Name") && $0.mark?.line == 7 })
    }

    @Test func unconvertedKeysAreListedWithServiceAndReason() throws {
        let result = try Self.importing("""
            services:
              web:
                image: web:1
                hostname: web.local
                ulimits: {nofile: 1024}
                cap_add: [NET_ADMIN]
                labels: [loki_retention=long]
            """)
        let keys = Set(result.report.filter { $0.service == "web" }.map(\.key))
        #expect(keys.isSuperset(of: ["hostname", "ulimits", "cap_add", "labels"]))
    }
}

extension ImportProcessTests {
/// Input the importer refuses: `file:line:col: error:`, every problem at once, exit 65.
@Suite struct RefusalTests {
    /// Runs the import on a compose file; nothing may be written when it is refused.
    func refused(_ compose: String) throws -> ProcessResult {
        let dir = TemporaryDirectory("import-refusal")
        try dir.write("docker-compose.yml", compose)
        let run = try bootstrap(["import", "compose", "docker-compose.yml", "--out", dir.file("out")], currentDirectory: dir.path)
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
        return run
    }

    @Test func aMissingFileIsExit66() throws {
        let dir = TemporaryDirectory("import-refusal")
        try dir.write("docker-compose.yml", "services: {}\n")
        let run = try bootstrap(["import", "compose", "docker-compose.yml", "--env-file", "nope.env", "--out", dir.file("out")], currentDirectory: dir.path)
        #expect(run.status == 66)
        #expect(run.stderr.contains("nope.env: error: cannot read: no such file"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
    }

    @Test func notAComposeFile() throws {
        let run = try refused("- just\n- a list\n")
        #expect(run.status == 65)
        #expect(run.stderr.contains("docker-compose.yml:1:1: error: not a compose file"))
    }

    @Test func aVersionItCannotRead() throws {
        let run = try refused("version: '1'\nservices: {}\n")
        #expect(run.status == 65)
        #expect(run.stderr.contains("docker-compose.yml:1:10: error: compose file version \"1\" cannot be read"))
    }

    @Test func labelsAndPortsItCannotParseAreAllReported() throws {
        let run = try refused("""
            services:
              web:
                image: web:1
                labels:
                  - "traefik.http.routers=oops"
                  - "no-equals-sign"
                ports:
                  - "eighty:80"
            """)
        #expect(run.status == 65)
        #expect(run.stderr.contains("docker-compose.yml:5:9: error: service \"web\": Traefik label \"traefik.http.routers\" cannot be parsed"))
        #expect(run.stderr.contains("docker-compose.yml:6:9: error: service \"web\": label \"no-equals-sign\" is not key=value"))
        #expect(run.stderr.contains("docker-compose.yml:8:9: error: service \"web\": port \"eighty:80\" is not"))
    }
}
}
