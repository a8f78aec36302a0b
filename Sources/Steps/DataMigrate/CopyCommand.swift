import Engine
import Host

// The copy is rsync's, for what a 100 GiB copy interrupted at 90 % needs:
// - resumable: a re-run into the same staging directory skips every file whose size and
//   modification time already match (rsync's quick check), so what was completed stays;
// - only complete files count: rsync writes each file under a temporary name and renames it into
//   place once it is whole and its checksum matched (rsync(1), "--whole-file" is the default for a
//   local copy and every transferred file is verified), so an interruption (Ctrl-C, SIGHUP, SIGKILL,
//   a reboot) leaves at most a temporary file, which `--delete` removes on the re-run, and a file
//   cut short is copied again from its start;
// - exact: `--archive` (permissions, times, symlinks, devices, owners and groups), `--hard-links`,
//   `--xattrs`, `--numeric-ids` (the container's uids, not this host's names), as `cp -a` did;
//   ACLs are not carried: ZFS on Linux stores none by default (acltype=off).
// - on PATH like every host command: Debian and Ubuntu package it (`apt-get install rsync`), and
//   the pre-flight checks that it is there before the first change.
extension DataMigrate {
    /// rsync of the source's contents (or the one file) into the staging directory; re-running it
    /// after an interruption copies only what is not complete there yet.
    func copyCommand(owner: FileOwner?, sourceIsFile: Bool) -> Command {
        var argv = ["rsync", "--archive", "--hard-links", "--xattrs", "--numeric-ids", "--delete"]
        if let owner { argv.append("--chown=\(owner.uid):\(owner.gid)") }
        if let mode = parameters.fileMode.flatMap(parseMode) { argv.append("--chmod=F\(octal(mode))") }
        // `DIR/.` copies the directory's contents; `STAGING/` makes a one-file source land inside it.
        let source = sourceIsFile ? parameters.from : join(parameters.from, ".")
        argv += [source, staging + "/"]
        return Command(argv, changesHost: true, hostPaths: [argv.count - 2, argv.count - 1])
    }

    /// The copy as plan shows it (owners as written in the playbook: resolving them needs the host).
    func plannedCopyCommand(sourceIsFile: Bool) -> Command {
        var command = copyCommand(owner: nil, sourceIsFile: sourceIsFile)
        if let owner = parameters.owner { command.argv.insert("--chown=\(owner)", at: 6) }
        return command
    }
}
