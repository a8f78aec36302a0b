import Document
import Foundation
import Import
import Testing
import TestSupport

/// The options that shape the playbook for its node and its place in a repository: ZFS datasets,
/// images pinned on the command line, files in a folder beside the playbook; and plain-HTTP routers.
/// One test runs the binary, so the suite runs with the other process tests.
extension ImportProcessTests {
@Suite struct LayoutRuleTests {
    static let service = """
        services:
          cms:
            image: wordpress
            env_file: ./config/cms/cms.env
            volumes:
              - ./data/cms/wp-content:/var/www/html/wp-content
              - ./config/cms/php.ini:/usr/local/etc/php/php.ini:ro
            labels:
              - "traefik.enable=true"
              - "traefik.http.routers.cms.rule=Host(`cms.example.org`)"
              - "traefik.http.routers.cms.entryPoints=web-secure"
              - "traefik.http.routers.cms-http.rule=Host(`cms.example.org`)"
              - "traefik.http.routers.cms-http.entryPoints=web"
              - "traefik.http.routers.cms-tls.rule=Host(`tls.example.org`)"
              - "traefik.http.routers.cms-tls.entryPoints=web"
              - "traefik.http.routers.cms-tls.tls=true"
              - "traefik.http.services.cms.loadbalancer.server.port=80"
        """
    static let files = ["config/cms/cms.env": "WP_DEBUG=false\n", "config/cms/php.ini": "memory_limit = 256M\n"]

    @Test func anUnpinnedImageIsLeftOutUnlessTheCommandLinePinsIt() throws {
        let unpinned = try RuleTests.importing(Self.service, files: Self.files)
        #expect(unpinned.counts["cms"] == nil)
        #expect(unpinned.report.contains { $0.key == "image" && $0.reason.contains("--image cms=IMAGE:TAG pins it") })

        let pinned = try RuleTests.importing(Self.service, files: Self.files) { $0.images = ["cms": "wordpress:6.2.2-apache"] }
        #expect(pinned.counts["cms"]?.routes == 3)
        #expect(pinned.playbook.contains("image: wordpress:6.2.2-apache"))
        // The replacement is reported with the compose image, for review.
        #expect(pinned.report.contains { $0.key == "image" && $0.reason.contains("wordpress:6.2.2-apache from --image in place of \"wordpress\"") })
    }

    @Test func zfsGivesDatasetsUnderTheParentAndDirectoriesOtherwise() throws {
        let plain = try RuleTests.importing(Self.service, files: Self.files) { $0.images = ["cms": "wordpress:6.2.2-apache"] }
        #expect(plain.playbook.contains("    with:\n      backend: directory\n      dataRoot: ${{ vars.dataRoot }}\n"))
        #expect(!plain.playbook.contains("dataset"))

        let zfs = try RuleTests.importing(Self.service, files: Self.files) {
            $0.images = ["cms": "wordpress:6.2.2-apache"]
            $0.zfsDataset = "tank/cms"
        }
        #expect(zfs.playbook.contains("  dataset: tank/cms\n"))
        #expect(zfs.playbook.contains("    with:\n      dataset: ${{ vars.dataset }}\n      dataRoot: ${{ vars.dataRoot }}\n"))
        #expect(!zfs.playbook.contains("backend"))
    }

    @Test func filesGoUnderTheFolderNamedForThePlaybook() throws {
        let result = try RuleTests.importing(Self.service, files: Self.files) {
            $0.images = ["cms": "wordpress:6.2.2-apache"]
            $0.filesFolder = "site/"
        }
        #expect(Set(result.files.keys) == ["site/config/cms/cms.env", "site/config/cms/php.ini"])
        #expect(result.playbook.contains("envFiles:\n        - site/config/cms/cms.env\n"))
        #expect(result.playbook.contains("/usr/local/etc/php/php.ini:\n          from: site/config/cms/php.ini\n"))
    }

    @Test func theOutOptionNamingAPlaybookPutsItsFilesInTheFolderOfItsName() throws {
        let src = TemporaryDirectory("import-layout")
        try src.write("docker-compose.yml", Self.service)
        // A compose checkout's files: 0644, as git writes them.
        for (path, text) in Self.files { try src.write(path, text, mode: 0o644) }
        let out = TemporaryDirectory("import-layout-out")
        let run = try bootstrap(["import", "compose", "docker-compose.yml", "--image", "cms=wordpress:6.2.2-apache", "--out", out.file("site.yaml")],
                                currentDirectory: src.path)
        #expect(run.status == 0, "\(run.stderr)")
        for path in ["site.yaml", "site/secrets.example", "site/config/cms/cms.env", "site/config/cms/php.ini"] {
            #expect(FileManager.default.fileExists(atPath: out.file(path)), "\(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.file("playbook.yaml")))
        let validate = try bootstrap(["validate", out.file("site.yaml"), "--secrets", out.file("site/secrets.example")])
        #expect(validate.status == 0, "\(validate.stderr)")

        let bad = try bootstrap(["import", "compose", "docker-compose.yml", "--image", "cms", "--out", out.file("x.yaml")], currentDirectory: src.path)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("error: --image \"cms\" is not SERVICE=IMAGE"))
    }

    @Test func aRouterOnlyOnWebWithoutTLSLabelsServesPlainHTTP() throws {
        let result = try RuleTests.importing(Self.service, files: Self.files) { $0.images = ["cms": "wordpress:6.2.2-apache"] }
        #expect(result.playbook.contains("- name: cms-http\n          match: Host(`cms.example.org`)\n          entryPoints:\n            - web\n          service: cms\n          port: 80\n          tls:\n            enabled: false\n"))
        // The websecure router and a web router with tls=true keep the default: TLS by the resolver.
        #expect(result.playbook.components(separatedBy: "enabled: false").count - 1 == 1)
    }
}
}
