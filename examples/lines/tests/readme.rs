//! The README's "Write your first plugin" shows this crate's files; they must stay the same.

fn blocks(lang: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme.split("## Write your first plugin").nth(1).expect("README has the section");
    let section = section.split("\n## ").next().unwrap();
    let fence = format!("```{lang}\n");
    section.split(&fence).skip(1).map(|b| b.split("```\n").next().unwrap().to_string()).collect()
}

fn file(name: &str) -> String {
    std::fs::read_to_string(format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn readme_shows_the_example_as_it_is() {
    assert_eq!(blocks("toml"), [file("Cargo.toml")]);
    assert_eq!(blocks("rust"), [file("src/lib.rs"), file("tests/with_vfs_host.rs")]);
}
