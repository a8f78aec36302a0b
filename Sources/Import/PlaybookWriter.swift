import Document
import FoundationEssentials
import Steps

/// Step 3 of the import: the collected steps written as one playbook with the existing YAML
/// writer, the report as a comment block on top, and the secrets skeleton.
extension Converter {
    func result() -> ImportResult {
        var steps: [Value] = []
        func step(_ id: String, _ type: String, _ needs: [String], _ with: Value) {
            var s = Object()
            s["id"] = .string(id)
            s["type"] = .string(type)
            if !needs.isEmpty { s["needs"] = .array(needs.map { .string($0) }) }
            s["with"] = with
            steps.append(.object(s))
        }
        let k3sVersion = K3sReleases.newest.version
        step("k3s", K3sInstall.type, [], [
            "version": .string(k3sVersion),
            "nodeName": "${{ vars.nodeName }}",
            "nodeLabels": [LocalVolumes.storageLabelKey: "${{ vars.storageLabel }}"],
            "installer": ["url": .string(K3sInstall.installerURL(at: k3sVersion))],
        ])
        step("namespaces", NamespacesStep.type, ["k3s"], [
            "names": .array(namespaceOrder.map { .string($0) }),
            // Services without limits in compose get these: review them.
            "defaultResources": ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["cpu": "1", "memory": "1Gi"]],
        ])
        var volumeList: [Value] = volumeOrder.map { folder in
            let v = volumes[folder]!
            var o = Object()
            o["name"] = .string(v.name)
            if v.name != folder { o["folder"] = .string(folder) }
            o["namespace"] = .string(v.namespace)
            o["size"] = "10Gi"
            o["migrateFrom"] = .string("${{ vars.composeData }}/\(folder)")
            return .object(o)
        }
        volumeList.append(["name": "traefik-acme", "namespace": "kube-system", "size": "128Mi", "owner": "65532:65532", "mode": "0700"])
        var storage = Object()
        // ZFS datasets when a parent dataset is given (--zfs), plain directories otherwise.
        if options.zfsDataset != nil { storage["dataset"] = "${{ vars.dataset }}" } else { storage["backend"] = "directory" }
        storage["dataRoot"] = "${{ vars.dataRoot }}"
        storage["nodeSelector"] = [LocalVolumes.storageLabelKey: "${{ vars.storageLabel }}"]
        storage["volumes"] = .array(volumeList)
        step("volumes", LocalVolumes.type, ["k3s", "namespaces"], .object(storage))
        let resolver = resolvers.first ?? "default"
        var traefik = Object()
        traefik["resolver"] = .string(resolver)
        traefik["email"] = "${{ vars.acmeEmail }}"
        traefik["challenge"] = "tls"
        traefik["storage"] = ["claim": "traefik-acme-pvc", "path": "/data"]
        if dynamicRedirects { traefik["redirectToHTTPS"] = true }
        if !entryPoints.isEmpty {
            traefik["entryPoints"] = .array(entryPoints.map { e in
                var o = Object()
                o["name"] = .string(e.name)
                o["port"] = .int(e.port)
                if e.proto == "UDP" { o["protocol"] = "UDP" }
                return .object(o)
            })
        }
        if let tlsOptions { traefik["tlsOptions"] = .object(tlsOptions) }
        step("traefik", TraefikACME.type, ["k3s", "volumes"], .object(traefik))
        if !routes.isEmpty || !tcpRoutes.isEmpty || !udpRoutes.isEmpty {
            var r = Object()
            r["namespace"] = .string(routesNamespace)
            r["certResolver"] = .string(resolver)
            if !middlewareOrder.isEmpty { r["middlewares"] = .array(middlewareOrder.map { middlewares[$0]! }) }
            r["routes"] = .array(routes)
            if !tcpRoutes.isEmpty { r["tcp"] = .array(tcpRoutes) }
            if !udpRoutes.isEmpty { r["udp"] = .array(udpRoutes) }
            step("routes", TraefikRoutes.type, ["traefik", "namespaces"], .object(r))
        }
        let ids = Set(workloads.map(\.id))
        for w in workloads { step(w.id, AppWorkload.type, w.needs.filter { ["namespaces", "volumes"].contains($0) || ids.contains($0) }, .object(w.with)) }

        var allVars = Object()
        allVars["nodeName"] = "node-01"
        allVars["storageLabel"] = "node-01"
        allVars["acmeEmail"] = "admin@example.com"
        if let dataset = options.zfsDataset { allVars["dataset"] = .string(dataset) }
        allVars["dataRoot"] = .string(options.dataRoot)
        allVars["composeData"] = .string(options.composeData ?? project.directory + "/data")
        for key in vars.keys.sorted() { allVars[key] = vars[key] }

        var playbook = Object()
        playbook["apiVersion"] = "bootstrap.faforever.com/v1"
        playbook["kind"] = "Playbook"
        playbook["metadata"] = ["name": .string(options.name), "description": "imported from docker-compose by bootstrap import compose"]
        playbook["vars"] = .object(allVars)
        playbook["steps"] = .array(steps)

        let sortedReport = report
        var header = "# Imported from docker-compose by `bootstrap import compose`: review before applying.\n"
        header += "# Set the vars (node name, storage label, ACME e-mail, data paths) and the volume sizes (10Gi each).\n#\n"
        header += "# Not converted, or to review (\(sortedReport.count)):\n"
        for entry in sortedReport {
            let place = entry.mark.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line): " } ?? ""
            header += "#   \(place)\(entry.service): \(entry.key): \(entry.reason)\n"
        }
        var text = header + YAML.emit(.object(playbook))
        // A blank line between steps, as people write playbooks.
        text = text.replacing("\n  - id: ", with: "\n\n  - id: ").replacing("\nsteps:\n\n", with: "\nsteps:\n")

        var skeleton = Object()
        for group in secrets.keys.sorted() {
            var inner = Object()
            for key in secrets[group]!.keys.sorted() { inner[key] = "change-me" }
            skeleton[group] = .object(inner)
        }
        var secretsText = "# Secrets of the imported playbook: replace every change-me with the real value (from the\n"
        secretsText += "# compose env files and config files named below), then chmod 600.\n"
        for group in secrets.keys.sorted() {
            for key in secrets[group]!.keys.sorted() { secretsText += "#   \(group).\(key): \(secrets[group]![key]!)\n" }
        }
        secretsText += skeleton.isEmpty ? "{}\n" : YAML.emit(.object(skeleton))
        return ImportResult(playbook: text, files: files, secretsExample: secretsText, secretsFromEnv: secretsFromEnv(),
                            report: sortedReport, counts: counts)
    }

    /// The secrets file filled from the compose env files: each value as compose read it, and
    /// `change-me` where none was there (config files, basic-auth users, empty values).
    func secretsFromEnv() -> (text: String, filled: Int, total: Int) {
        var filled = Object(), count = 0, total = 0
        for group in secrets.keys.sorted() {
            var inner = Object()
            for key in secrets[group]!.keys.sorted() {
                total += 1
                if let value = secretValues[group]?[key] { inner[key] = .string(value); count += 1 } else { inner[key] = "change-me" }
            }
            filled[group] = .object(inner)
        }
        var text = "# Secrets of the imported playbook, from the compose env files (bootstrap import compose --secrets-from-env).\n"
        text += "# Keep this file mode 0600 and out of version control; replace every change-me.\n"
        text += filled.isEmpty ? "{}\n" : YAML.emit(.object(filled))
        return (text, count, total)
    }
}
