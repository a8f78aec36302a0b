import Testing
@testable import Steps

/// The hand-written syntax checks that replaced regular expressions.
@Suite struct ScanTests {
    @Test func k3sVersions() {
        for good in ["v1.31.4+k3s1", "v1.32.0-rc2+k3s1", "v1.9.10+k3s12"] { #expect(K3sInstall.isK3sVersion(good), "\(good)") }
        for bad in ["1.31.4+k3s1", "v1.31+k3s1", "v1.31.4", "v1.31.4+k3s", "v1.31.4-beta1+k3s1", "v1.31.x+k3s1", "v1.31.4+k3s1 "] {
            #expect(!K3sInstall.isK3sVersion(bad), "\(bad)")
        }
    }

    @Test func semanticVersions() {
        for good in ["14.6.10", "v1.2.3", "1.0.0-rc.1", "1.0.0+build.5", "1.0.0-alpha+001"] { #expect(Scan.isSemver(good), "\(good)") }
        for bad in ["14.6", "^14.6.10", "~1.2.3", "1.2.3.4", "1.2.x", "", "1.2.3-", ">=1.0.0"] { #expect(!Scan.isSemver(bad), "\(bad)") }
    }

    @Test func goDurations() {
        for good in ["10m", "1h30m", "2.5s", "300ms", "1h", "45s"] { #expect(GoDuration.parse(good) != nil, "\(good)") }
        for bad in ["", "10", "m", "1.2.3s", "10 m", "1d", "-5s", "1.s", ".5s"] { #expect(GoDuration.parse(bad) == nil, "\(bad)") }
        #expect(GoDuration.parse("2.5s") == .milliseconds(2500) && GoDuration.parse("1m30s") == .seconds(90))
        #expect(GoDuration.parse("300ms") == .milliseconds(300) && GoDuration.parse("1h30m") == .seconds(5400))
    }

    @Test func datasetNames() {
        for good in ["tank/faf", "tank/faf/mariadb", "pool_1/a.b:c-d"] { #expect(ZFSDataset.isDatasetName(good), "\(good)") }
        for bad in ["tank", "/tank/faf", "tank//faf", "tank/faf/", "-tank/faf", "tank/fa f"] { #expect(!ZFSDataset.isDatasetName(bad), "\(bad)") }
        #expect(ZFSDataset.isLeveledCompression("zstd-19") && ZFSDataset.isLeveledCompression("gzip-9") && ZFSDataset.isLeveledCompression("zstd-fast-5"))
        #expect(!ZFSDataset.isLeveledCompression("zstd-20") && !ZFSDataset.isLeveledCompression("gzip-0") && !ZFSDataset.isLeveledCompression("zstd-fast-"))
    }

    @Test func emailsAndResolvers() {
        #expect(Traefik.isEmail("admin@faforever.com"))
        for bad in ["admin", "admin@", "@faforever.com", "a@b", "a b@c.com", "a@b.", "a@@b.com"] { #expect(!Traefik.isEmail(bad), "\(bad)") }
        #expect(Traefik.isHostPort("1.1.1.1:53") && Traefik.isHostPort("[2606:4700::1111]:53"))
        #expect(!Traefik.isHostPort("1.1.1.1") && !Traefik.isHostPort("1.1.1.1:dns"))
    }
}
