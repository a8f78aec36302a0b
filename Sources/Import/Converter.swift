import Platform
import Steps
import Document
import FoundationEssentials

/// Step 2 of the import: the compose project becomes a playbook's steps, the files they name, the
/// secrets skeleton and the report. Deterministic: the same input gives the same bytes.
public struct Converter {
    let options: ImportOptions
    let project: ComposeProject
    /// The compose env file (`${VAR}` values), non-secret and secret alike.
    let env: [String: String]
    var problems: [Diagnostic] = []
    var report: [ReportEntry] = []
    var vars = Object()
    var usedVars: [String] = []
    var secrets: [String: [String: String]] = [:]  // secrets.<group>.<key> -> what it is
    /// The values of those read from the compose env files, for `--secrets-from-env`; never printed.
    var secretValues: [String: [String: String]] = [:]
    var files: [String: String] = [:]
    var counts: [String: ServiceCounts] = [:]

    // What the steps collect.
    var namespaceOrder: [String] = []
    var volumeOrder: [String] = []  // data folders in first-use order
    var volumes: [String: (name: String, namespace: String)] = [:]
    var entryPoints: [(name: String, port: Int, proto: String)] = []
    var hostPorts: [String: String] = [:]  // "tcp/8001" -> the service that publishes it
    var routes: [Value] = []
    var tcpRoutes: [Value] = []
    var udpRoutes: [Value] = []
    var middlewareOrder: [String] = []
    var middlewares: [String: Value] = [:]
    var resolvers: [String] = []
    var workloads: [(service: String, id: String, namespace: String, with: Object, needs: [String], ports: Bool)] = []
    var references: [String: String] = [:]  // service -> text in which other services are named
    var dynamicMiddlewares: [String: (node: Node, file: String)] = [:]
    var dynamicRedirects = false
    var tlsOptions: Object?
    var labelMiddlewares: [String: (options: [(key: String, setting: TraefikLabels.Setting)], service: String)] = [:]

    public static func convert(_ project: ComposeProject, options: ImportOptions) throws(Diagnostics) -> ImportResult {
        var env: [String: String] = [:]
        var problems: [Diagnostic] = []
        let envPath = options.envFile ?? (Files.exists(project.directory + "/.env") ? project.directory + "/.env" : nil)
        if let envPath {
            do { for entry in EnvFile.parse(try TextFile.read(envPath)) where entry.problem == nil { env[entry.name] = entry.value } }
            catch { problems.append(.error("cannot read env file: \(error.reason)", at: error.mark(in: envPath))) }
        }
        var converter = Converter(options: options, project: project, env: env)
        converter.problems = problems
        converter.readDynamic()
        converter.run()
        if !converter.problems.filter({ $0.severity == .error }).isEmpty {
            throw Diagnostics(converter.problems.filter { $0.severity == .error })
        }
        return converter.result()
    }

    // MARK: - Interpolation

    /// compose's `${VAR}` in a value: the playbook text (`${{ vars.VAR }}`), the value it stands
    /// for, and whether a secret variable is in it.
    mutating func interpolate(_ text: String, service: String, key: String, mark: Mark?, record: Bool = true) -> (playbook: String, resolved: String, secret: Bool) {
        var playbook = "", resolved = "", secret = false
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "$" { playbook += "$"; resolved += "$"; i += 2; continue }
            if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "{" || chars[i + 1].isLetter || chars[i + 1] == "_" {
                var name = "", fallback: String?
                if chars[i + 1] == "{" {
                    var j = i + 2
                    while j < chars.count, chars[j] != "}" { j += 1 }
                    let inner = String(chars[(i + 2)..<min(j, chars.count)])
                    // ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}.
                    if let op = inner.firstIndex(where: { $0 == ":" || $0 == "-" || $0 == "?" }) {
                        name = String(inner[..<op])
                        let rest = inner[op...]
                        if rest.hasPrefix(":-") { fallback = String(rest.dropFirst(2)) }
                        else if rest.hasPrefix("-") { fallback = String(rest.dropFirst()) }
                    } else { name = inner }
                    i = j + 1
                } else {
                    var j = i + 1
                    while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                    name = String(chars[(i + 1)..<j]); i = j
                }
                if let value = env[name] {
                    resolved += value
                    if options.rules.isSecret(key: name, value: value) { secret = true; playbook += value.isEmpty ? "" : "${\(name)}" }
                    else { playbook += "${{ vars.\(name) }}"; if record { useVar(name, value) } }
                } else if let fallback {
                    resolved += fallback; playbook += fallback
                } else {
                    report.append(.init(service: service, key: key, reason: "${\(name)} is not set in the env file: empty, as compose would", mark: mark))
                }
                continue
            }
            playbook.append(chars[i]); resolved.append(chars[i]); i += 1
        }
        return (playbook, resolved, secret)
    }

    mutating func useVar(_ name: String, _ value: String) {
        if vars[name] == nil { vars[name] = .string(value) }
    }

    mutating func addSecret(_ group: String, _ key: String, _ what: String, value: String? = nil) -> String {
        secrets[group, default: [:]][key] = what
        if let value, !value.isEmpty { secretValues[group, default: [:]][key] = value }
        return "${{ secrets.\(group).\(key) }}"
    }

    mutating func note(_ service: String, _ key: String, _ reason: String, _ mark: Mark?) {
        report.append(.init(service: service, key: key, reason: reason, mark: mark))
    }

    static func dnsLabel(_ text: String) -> String {
        var out = ""
        for c in text.lowercased() { out.append(c.isLetter && c.isASCII || c.isNumber && c.isASCII ? c : "-") }
        while out.contains("--") { out = out.replacing("--", with: "-") }
        out = out.trimming(.characters("-"))
        return String(out.prefix(63)).trimming(.characters("-"))
    }

    // MARK: - The Traefik dynamic configuration

    mutating func readDynamic() {
        guard let path = options.traefikDynamic else { return }
        let root: Node
        do { root = try YAML.parseOne(try TextFile.read(path), file: path) } catch let error as Diagnostics {
            problems += error.items; return
        } catch let error as TextFile.ReadError {
            problems.append(.error("cannot read Traefik dynamic configuration: \(error.reason)", at: error.mark(in: path))); return
        } catch { return }
        for pair in root["http"]?["middlewares"]?.mapping ?? [] {
            guard let name = pair.key.scalarText else { continue }
            dynamicMiddlewares[name] = (pair.value, path)
            if let scheme = pair.value["redirectScheme"]?["scheme"]?.scalarText, scheme == "https" { dynamicRedirects = true }
        }
        for pair in root["http"]?["routers"]?.mapping ?? [] {
            let name = pair.key.scalarText ?? ""
            let reason = pair.value["middlewares"]?.sequence?.contains(where: { dynamicMiddlewares[$0.scalarText ?? ""]?.node["redirectScheme"] != nil }) == true
                ? "the HTTP to HTTPS redirect: traefik.acme's redirectToHTTPS does it"
                : "a file-provider router: not converted (write a traefik.routes entry if it is still wanted)"
            note("(traefik dynamic)", "http.routers.\(name)", reason, pair.key.mark)
        }
        for pair in root["http"]?["services"]?.mapping ?? [] {
            note("(traefik dynamic)", "http.services.\(pair.key.scalarText ?? "")", "a file-provider service: not converted", pair.key.mark)
        }
        if let defaults = root["tls"]?["options"]?["default"] {
            var tls = Object()
            tls["namespace"] = "kube-system"
            for pair in defaults.mapping ?? [] {
                let key = pair.key.scalarText ?? ""
                if ["minVersion", "maxVersion", "sniStrict", "cipherSuites", "curvePreferences"].contains(key) { tls[key] = pair.value.resolved }
                else { note("(traefik dynamic)", "tls.options.default.\(key)", "not a traefik.acme tlsOptions setting: not converted", pair.key.mark) }
            }
            tlsOptions = tls
        }
        for pair in root["tls"]?["options"]?.mapping ?? [] where pair.key.scalarText != "default" {
            note("(traefik dynamic)", "tls.options.\(pair.key.scalarText ?? "")", "only the default TLS options are converted", pair.key.mark)
        }
    }
}
