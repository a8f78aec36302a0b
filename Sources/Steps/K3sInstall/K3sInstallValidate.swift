import Document
import Engine
import Host

extension K3sInstall {
    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if !isK3sVersion(p.version) {
            diagnostics.append(context.error("version \"\(p.version)\" is not a k3s release such as v1.31.4+k3s1", at: "version"))
        }
        if !ParameterRules.isDNSSubdomain(p.nodeName) {
            diagnostics.append(context.error("nodeName \"\(p.nodeName)\" is not a valid node name (lower-case DNS name)", at: "nodeName"))
        }
        diagnostics += ParameterRules.checkLabels(p.nodeLabels, context, at: "nodeLabels")
        for (index, component) in (p.disable ?? []).enumerated() where !disableableComponents.contains(component) {
            let hint = suggestion(for: component, among: disableableComponents).map { " (did you mean \"\($0)\"?)" } ?? ""
            diagnostics.append(context.error(
                "disable: unknown component \"\(component)\"\(hint); k3s can disable \(disableableComponents.joined(separator: ", "))",
                at: "disable", String(index)))
        }
        if let mode = p.writeKubeconfigMode, parseMode(mode) == nil {
            diagnostics.append(context.error("writeKubeconfigMode \"\(mode)\" is not an octal mode such as 0600", at: "writeKubeconfigMode"))
        }
        if let oidc = p.oidc {
            if !oidc.issuerURL.hasPrefix("https://") {
                diagnostics.append(context.error("oidc.issuerURL must be an https:// URL", at: "oidc", "issuerURL"))
            }
            if oidc.clientID.isEmpty { diagnostics.append(context.error("oidc.clientID must not be empty", at: "oidc", "clientID")) }
        }
        diagnostics += validateInstaller(p.installer, context)
        return diagnostics
    }

    static func validateInstaller(_ installer: Installer, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        switch (installer.url, installer.file) {
        case (nil, nil), (.some, .some):
            diagnostics.append(context.error("installer needs exactly one of url or file", at: "installer"))
        case (let url?, nil):
            if !url.hasPrefix("https://") {
                diagnostics.append(context.error("installer.url must be an https:// URL", at: "installer", "url"))
            }
            if installer.sha256 == nil {
                diagnostics.append(context.warning("installer.url is not pinned by sha256: whatever the URL serves will run as root",
                                                   at: "installer", "url"))
            }
        case (nil, let file?):
            diagnostics += ParameterRules.checkHostPath(file, context, at: "installer", "file")
        }
        if let digest = installer.sha256, !(digest.utf8.count == 64 && digest.allSatisfy(\.isHexDigit)) {
            diagnostics.append(context.error("installer.sha256 must be 64 hexadecimal digits", at: "installer", "sha256"))
        }
        return diagnostics
    }
}

extension K3sInstall {
    /// `v1.31.4+k3s1` or `v1.31.4-rc1+k3s1`.
    static func isK3sVersion(_ text: String) -> Bool {
        guard text.hasPrefix("v"), let plus = text.firstIndex(of: "+") else { return false }
        let build = text[text.index(after: plus)...]
        guard build.hasPrefix("k3s"), Scan.digits(build.dropFirst(3)) else { return false }
        var release = text[text.index(after: text.startIndex)..<plus]
        if let dash = release.firstIndex(of: "-") {
            let pre = release[release.index(after: dash)...]
            guard pre.hasPrefix("rc"), Scan.digits(pre.dropFirst(2)) else { return false }
            release = release[..<dash]
        }
        let parts = release.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { Scan.digits($0) }
    }
}
