//! Files and archives through `berth` against the harness's real engine: `cp` both ways with
//! docker's naming rules (and `-` for a tar on stdout or stdin), `diff`, `commit`, `export`, `import`, `save` and `load`. Needs root and a real
//! engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Scope, busybox_image, engine};
use support::{Home, fails, ok, run};

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn cp_diff_commit_export_import_save_load() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let dir = home.path();
    let image = format!("berth-test/{}:files", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "RUN mkdir /www /tmp && echo hello > /www/index.html && ln -s /www/index.html /www/link.html\nCMD [\"sleep\", \"600\"]",
    );
    let c = scope.name("files");
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "--name",
        &c,
        "-l",
        &scope.label(),
        &image,
    ]));
    let berth = |args: &[&str]| {
        let mut cmd = home.berth(&["-H", h]);
        cmd.args(args).current_dir(dir);
        cmd
    };

    // Out: a file under a new name, a directory under a new name, a directory into a directory.
    ok(berth(&["cp", &format!("{c}:/www/index.html"), "page.html"]));
    assert_eq!(
        std::fs::read_to_string(dir.join("page.html")).unwrap(),
        "hello\n"
    );
    ok(berth(&["cp", &format!("{c}:/www"), "site"]));
    assert_eq!(
        std::fs::read_to_string(dir.join("site/index.html")).unwrap(),
        "hello\n"
    );
    std::fs::create_dir(dir.join("into")).unwrap();
    ok(berth(&["cp", &format!("{c}:/www"), "into"]));
    assert_eq!(
        std::fs::read_to_string(dir.join("into/www/index.html")).unwrap(),
        "hello\n"
    );

    // In: into a directory, under a new name, and a directory to a new path (which becomes it).
    std::fs::write(dir.join("note.txt"), "from the host\n").unwrap();
    ok(berth(&["cp", "note.txt", &format!("{c}:/tmp")]));
    ok(berth(&["cp", "note.txt", &format!("{c}:/tmp/renamed.txt")]));
    ok(berth(&["cp", "site", &format!("{c}:/srv")]));
    let cat = ok(berth(&[
        "exec",
        &c,
        "cat",
        "/tmp/note.txt",
        "/tmp/renamed.txt",
        "/srv/index.html",
    ]));
    assert_eq!(cat, "from the host\nfrom the host\nhello\n");

    // -L: a link given as the source is followed, its target copied under the link's name;
    // without it the link itself is copied.
    ok(berth(&["cp", &format!("{c}:/www/link.html"), "as-link"]));
    assert!(
        std::fs::symlink_metadata(dir.join("as-link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    std::fs::create_dir(dir.join("followed")).unwrap();
    ok(berth(&[
        "cp",
        "-L",
        &format!("{c}:/www/link.html"),
        "followed",
    ]));
    let followed = dir.join("followed/link.html");
    assert!(std::fs::symlink_metadata(&followed).unwrap().is_file());
    assert_eq!(std::fs::read_to_string(&followed).unwrap(), "hello\n");
    std::os::unix::fs::symlink("note.txt", dir.join("note-link")).unwrap();
    ok(berth(&["cp", "note-link", &format!("{c}:/tmp")]));
    ok(berth(&[
        "cp",
        "--follow-link",
        "note-link",
        &format!("{c}:/srv"),
    ]));
    assert_eq!(
        ok(berth(&[
            "exec",
            &c,
            "sh",
            "-c",
            "test -L /tmp/note-link && ! test -L /srv/note-link && cat /srv/note-link"
        ])),
        "from the host\n"
    );
    // -a: what is copied into a container becomes its user's, else root's. The engine looks
    // the user up in its own host's accounts (as docker cp -a has it): nobody's uid here.
    let user = scope.name("owner");
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "--name",
        &user,
        "-u",
        "65534",
        "-l",
        &scope.label(),
        &image,
    ]));
    ok(berth(&[
        "cp",
        "note.txt",
        &format!("{user}:/tmp/as-root.txt"),
    ]));
    ok(berth(&[
        "cp",
        "-a",
        "note.txt",
        &format!("{user}:/tmp/as-user.txt"),
    ]));
    assert_eq!(
        ok(berth(&[
            "exec",
            &user,
            "stat",
            "-c",
            "%u:%g",
            "/tmp/as-root.txt",
            "/tmp/as-user.txt"
        ])),
        "0:0\n65534:65534\n"
    );

    // `-`: a tar on stdout, and a tar from stdin unpacked into a directory.
    let piped = run(berth(&["cp", &format!("{c}:/www"), "-"]));
    assert!(piped.status.success());
    let theirs = run(e.docker().args(["cp", &format!("{c}:/www"), "-"]));
    let names = |tar: &[u8]| -> Vec<String> {
        tar::Archive::new(tar)
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect()
    };
    assert_eq!(names(&piped.stdout), names(&theirs.stdout));
    let mut untar = berth(&["cp", "-", &format!("{c}:/tmp")]);
    untar.stdin(std::process::Stdio::piped());
    let mut child = untar.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &piped.stdout).unwrap();
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    assert_eq!(
        ok(berth(&["exec", &c, "cat", "/tmp/www/index.html"])),
        "hello\n"
    );

    let err = fails(berth(&["cp", &format!("{c}:/nope"), "x"]));
    assert!(
        err.contains(":/nope: no such file or directory in the container"),
        "{err}"
    );
    // A container that is not there is said to be missing, not its file.
    let missing = scope.name("missing");
    let err = fails(berth(&["cp", &format!("{missing}:/etc"), "x"]));
    assert!(
        err.contains(&format!("No such container: {missing}")),
        "{err}"
    );
    let err = fails(berth(&["cp", "note.txt", "other.txt"]));
    assert!(err.contains("one side of cp is CONTAINER:PATH"), "{err}");

    let diff = ok(berth(&["diff", &c]));
    for line in ["C /tmp", "A /tmp/note.txt", "A /tmp/renamed.txt", "A /srv"] {
        assert!(diff.lines().any(|l| l == line), "{line} in {diff}");
    }

    // Commit: the new image has the copied files.
    let committed = format!("berth-test/{}:committed", scope.id);
    let id = ok(berth(&["commit", "-m", "with notes", &c, &committed]));
    assert!(id.trim().starts_with("sha256:"), "{id}");
    e.docker_ok(&["image", "inspect", &committed]);
    let out = ok(berth(&[
        "run",
        "--rm",
        &committed,
        "cat",
        "/tmp/renamed.txt",
    ]));
    assert_eq!(out, "from the host\n");

    // Export: the container's filesystem as a tar.
    ok(berth(&["export", "-o", "fs.tar", &c]));
    let list = ok(std::process::Command::new("tar")
        .args(["-tf", "fs.tar"])
        .current_dir(dir));
    assert!(
        list.lines().any(|l| l == "www/index.html") && list.lines().any(|l| l == "tmp/note.txt"),
        "exported"
    );
    // Without -o the tar goes to stdout (when that is not a terminal).
    let piped = run(berth(&["export", &c]));
    assert!(
        piped.status.success() && piped.stdout.len() > 512 && &piped.stdout[257..262] == b"ustar",
        "a tar on stdout"
    );

    // Import: the exported filesystem as an image, with instructions and a message, from a
    // file and from stdin.
    let imported = format!("berth-test/{}:imported", scope.id);
    let label = format!("LABEL {}", scope.label());
    let id = ok(berth(&[
        "import",
        "-c",
        &label,
        "-c",
        "CMD [\"/bin/busybox\", \"cat\", \"/tmp/note.txt\"]",
        "-m",
        "from an export",
        "fs.tar",
        &imported,
    ]));
    assert!(id.trim().starts_with("sha256:"), "{id}");
    assert_eq!(ok(berth(&["run", "--rm", &imported])), "from the host\n");
    assert_eq!(
        ok(berth(&[
            "image",
            "inspect",
            &imported,
            "-f",
            "{{.Comment}}"
        ])),
        "from an export\n"
    );
    let from_stdin = format!("berth-test/{}:stdin", scope.id);
    let mut piped = berth(&["image", "import", "-c", &label, "-", &from_stdin]);
    piped.stdin(std::fs::File::open(dir.join("fs.tar")).unwrap());
    ok(piped);
    ok(berth(&["image", "rm", &from_stdin]));
    let err = fails(berth(&["import", "-c", "RUN rm -rf /", "fs.tar"]));
    assert!(
        err.contains("--change \"RUN rm -rf /\": give a Dockerfile instruction"),
        "{err}"
    );
    let err = fails(berth(&["import", "missing.tar"]));
    assert!(err.contains("cannot read missing.tar"), "{err}");

    // Save, remove, load: the image comes back under its name.
    ok(berth(&["save", "-o", "img.tar", &committed]));
    ok(berth(&["rmi", &committed]));
    assert!(
        !run(e.docker().args(["image", "inspect", &committed]))
            .status
            .success()
    );
    let loaded = ok(berth(&["load", "-i", "img.tar"]));
    assert!(
        loaded.contains(&format!("Loaded image: {committed}")),
        "{loaded}"
    );
    e.docker_ok(&["image", "inspect", &committed]);
    // A save that fails leaves the file it was to write as it was, and nothing beside it (the
    // archive is written beside it and takes its name once whole, as docker's is).
    let before = std::fs::read(dir.join("img.tar")).unwrap();
    let missing = format!("berth-test/{}:missing", scope.id);
    let err = fails(berth(&["save", "-o", "img.tar", &committed, &missing]));
    assert!(err.contains(&missing), "{err}");
    assert!(
        std::fs::read(dir.join("img.tar")).unwrap() == before,
        "img.tar kept"
    );
    let beside: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.contains("img.tar") && f != "img.tar")
        .collect();
    assert!(beside.is_empty(), "left beside img.tar: {beside:?}");
    // Made into a container, it is refused with the container's name, not the engine's ids.
    let user = scope.name("user");
    ok(berth(&[
        "create",
        "--name",
        &user,
        "-l",
        &scope.label(),
        &committed,
    ]));
    let err = fails(berth(&["rmi", &committed]));
    assert_eq!(
        err.trim(),
        format!("berth: image {committed} is in use by {user}: remove the container first")
    );
    ok(berth(&["rm", &user]));
    ok(berth(&["rmi", &committed]));
}
