//! The EXAMPLES section of every command's `--help`, in one table: a
//! command without one fails the test below.

use clap::Command;

/// `(command path, examples)`: the path is the words after `hx`.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "hx tour\n  hx token\n  hx digest -c SHA256SUMS\n  hx encrypt -k app.ring backup.tar backup.tar.hx\n  hx pickle scan model.pt",
    ),
    (
        "token",
        "hx token                      # 32 bytes, url-safe base64\n  hx token --bytes 16 --encoding hex\n  (umask 077; hx token > master.key) # a master key file",
    ),
    (
        "apikey",
        "hx apikey new --prefix acme\n  printf %s \"$KEY\" | hx apikey check",
    ),
    ("apikey new", "hx apikey new --prefix acme_live"),
    (
        "apikey check",
        "printf %s \"$KEY\" | hx apikey check && echo well-formed",
    ),
    (
        "apikey hash",
        "printf %s \"$KEY\" | hx apikey hash --pepper-file pepper   # the value to store",
    ),
    (
        "apikey verify",
        "printf %s \"$KEY\" | hx apikey verify --pepper-file pepper --hash \"$STORED\"",
    ),
    (
        "password",
        "hx password\n  hx password --length 32 --no-ambiguous\n  hx password --symbols '!@#%' --show-entropy\n  printf %s \"$PW\" | hx password hash",
    ),
    (
        "password hash",
        "hx password hash                   # asks twice, without echo\n  printf %s \"$PW\" | hx password hash --alg bcrypt\n  hx password hash --pepper-file pepper < pw.txt",
    ),
    (
        "password verify",
        "printf %s \"$PW\" | hx password verify --hash \"$STORED\" && echo match\n  NEW=$(printf %s \"$PW\" | hx password verify --hash \"$STORED\" --rehash)  # non-empty: store it\n  hx password verify --hash-file stored.txt < pw.txt",
    ),
    (
        "passphrase",
        "hx passphrase\n  hx passphrase --words 8 --separator .",
    ),
    (
        "csrf",
        "hx csrf new --secret-file csrf.key --session \"$SESSION_ID\"\n  printf %s \"$TOKEN\" | hx csrf verify --secret-file csrf.key --session \"$SESSION_ID\"",
    ),
    (
        "csrf new",
        "hx csrf new --secret-file csrf.key --session \"$SESSION_ID\"",
    ),
    (
        "csrf verify",
        "printf %s \"$TOKEN\" | hx csrf verify --secret-file csrf.key --session \"$SESSION_ID\"",
    ),
    (
        "digest",
        "hx digest release.tar.gz > SHA256SUMS\n  hx digest -c SHA256SUMS\n  hx digest --alg blake2b --tag *.bin\n  b2sum *.bin > b2sums && hx digest -c --quiet b2sums\n  curl -s https://example.com/x | hx digest --alg sha3-256 -",
    ),
    (
        "hmac",
        "hx hmac -k webhook.key payload.json\n  hx hmac -k webhook.key --verify \"$SIGNATURE_HEX\" payload.json && echo authentic\n  printf %s \"$BODY\" | hx hmac --alg sha512 -k webhook.key -",
    ),
    (
        "key",
        "hx key new -o app.ring\n  hx key rotate -k app.ring\n  HX_KEYRING=app.ring hx key list",
    ),
    (
        "key new",
        "hx key new -o app.ring\n  hx key new -o app.ring --master-key-file master.key   # stored sealed",
    ),
    (
        "key add",
        "hx key add -k app.ring     # deploy everywhere, then: hx key promote -k app.ring --id N",
    ),
    ("key promote", "hx key promote -k app.ring --id 2"),
    ("key rotate", "hx key rotate -k app.ring"),
    ("key retire", "hx key retire -k app.ring --id 1"),
    ("key list", "hx key list -k app.ring"),
    (
        "seal",
        "printf %s \"$SECRET\" | hx seal -k app.ring --context user:42 > token.txt",
    ),
    (
        "unseal",
        "hx unseal -k app.ring --context user:42 --ttl 3600 < token.txt",
    ),
    (
        "rotate-token",
        "hx rotate-token -k app.ring < old-token.txt > new-token.txt",
    ),
    (
        "encrypt",
        "hx encrypt -k app.ring backup.tar backup.tar.hx\n  tar c dir | hx encrypt -k app.ring - - | ssh host 'cat > dir.tar.hx'",
    ),
    (
        "decrypt",
        "hx decrypt -k app.ring backup.tar.hx backup.tar\n  hx decrypt -k app.ring backup.tar.hx - | tar x   # exit 1 if damaged",
    ),
    (
        "age",
        "hx age keygen -o me.key                     # prints the recipient\n  hx age -r age1… -o notes.txt.age notes.txt\n  hx age -R team.recipients -a notes.txt > notes.txt.age\n  hx age -r \"$(cat ~/.ssh/id_ed25519.pub)\" -o f.age f\n  hx age -p --passphrase-file pw -o f.age f\n  hx age -d -i me.key -o notes.txt notes.txt.age",
    ),
    (
        "age keygen",
        "hx age keygen -o me.key\n  hx age keygen --pq -o me-pq.key\n  hx age keygen -y me.key                     # the recipients",
    ),
    (
        "fernet",
        "hx fernet key -o fernet.key\n  printf %s \"$DATA\" | hx fernet encrypt --key-file fernet.key",
    ),
    (
        "fernet key",
        "hx fernet key -o fernet.key\n  hx fernet key >> fernet.keys   # prepend it to rotate",
    ),
    (
        "fernet encrypt",
        "printf %s \"$DATA\" | hx fernet encrypt --key-file fernet.key > token.txt",
    ),
    (
        "fernet decrypt",
        "hx fernet decrypt --key-file fernet.key --ttl 600 < token.txt",
    ),
    (
        "fernet rotate",
        "hx fernet rotate --key-file fernet.keys < old.txt > new.txt",
    ),
    (
        "keygen",
        "hx keygen --alg ed25519 -o signing.pem --pub-out signing.pub\n  hx keygen --alg xwing -o pq.pem --pub-out pq.pub\n  hx keygen --alg rsa-3072 -o rsa.pem -f   # replace an existing file",
    ),
    ("pubkey", "hx pubkey -k signing.pem > signing.pub"),
    (
        "sign",
        "hx sign -k signing.pem -i release.tar.gz -o release.sig\n  git archive HEAD | hx sign -k signing.pem -i - -o head.sig",
    ),
    (
        "verify",
        "hx verify --pub signing.pub -i release.tar.gz -s release.sig\n  openssl dgst -sha256 -sign rsa.pem -out f.sig f && hx verify --pub rsa.pub -i f -s f.sig --scheme pkcs1v15",
    ),
    (
        "agree",
        "hx agree -k me.pem --peer them.pub --info 'app v1 session' --length 32",
    ),
    (
        "pk",
        "hx pk encrypt -r them.pub -i secret.txt -o secret.hpke\n  hx pk decrypt -k me.pem -i secret.hpke -o -",
    ),
    (
        "pk encrypt",
        "hx pk encrypt -r them.pub -i secret.txt -o secret.hpke\n  hx pk encrypt -r them.pub --stream -i disk.img -o disk.img.hpke   # any size",
    ),
    (
        "pk decrypt",
        "hx pk decrypt -k me.pem -i secret.hpke -o secret.txt\n  hx pk decrypt -k me.pem -i disk.img.hpke -o - | dd of=/dev/sdX",
    ),
    (
        "pickle",
        "hx pickle scan model.pt\n  hx pickle load data.pkl",
    ),
    (
        "pickle scan",
        "hx pickle scan model.pt                  # a torch.save checkpoint, member by member\n  hx pickle scan --json data.pkl arrays.npz\n  curl -s URL | hx pickle scan -           # from standard input\n  hx pickle scan --profile torch state.pkl # allow what torch.save writes",
    ),
    (
        "pickle load",
        "hx pickle load data.pkl\n  hx pickle load --allow collections.OrderedDict --allow datetime.datetime data.pkl\n  hx pickle load --max-output 1048576 - < data.pkl",
    ),
    (
        "config",
        "hx config init app.hxc -k app.ring --recipient ops.pub\n  printf %s \"$PW\" | hx config set app.hxc database.password -k app.ring\n  hx config exec app.hxc -k app.ring -- ./server",
    ),
    (
        "config init",
        "hx config init app.hxc -k app.ring\n  hx config init app.hxc --recipient alice.pub --recipient bob.pub",
    ),
    (
        "config set",
        "printf %s \"$PW\" | hx config set app.hxc database.password -k app.ring\n  hx config set app.hxc stripe.key -k app.ring        # asks twice, without echo\n  printf '' | hx config set app.hxc feature.flag -k app.ring --allow-empty\n  echo 5432 | hx config set app.hxc database.port -k app.ring --plain   # not secret: in clear, under the MAC",
    ),
    (
        "config get",
        "hx config get app.hxc database.password -i alice.pem",
    ),
    ("config list", "HX_KEYRING=app.ring hx config list app.hxc"),
    (
        "config rm",
        "hx config rm app.hxc database.password -k app.ring",
    ),
    ("config rotate", "hx config rotate app.hxc -k app.ring"),
    (
        "config recipients",
        "hx config recipients add app.hxc carol.pub -k app.ring\n  hx config recipients rm app.hxc bob.pub -k app.ring",
    ),
    (
        "config recipients add",
        "hx config recipients add app.hxc carol.pub -k app.ring",
    ),
    (
        "config recipients rm",
        "hx config recipients rm app.hxc bob.pub -k app.ring   # also rotates the data key",
    ),
    ("config verify", "hx config verify app.hxc -k app.ring"),
    (
        "config export",
        "hx config export app.hxc --format json -k app.ring\n  eval \"$(hx config export app.hxc --format env -k app.ring)\"",
    ),
    (
        "config merge",
        "hx config git-setup        # registers this driver and the diff textconv\n  git config merge.hx-config.driver 'hx config merge %O %A %B'\n  echo '*.hxc merge=hx-config' >> .gitattributes",
    ),
    (
        "config edit",
        "hx config edit app.hxc -k app.ring                     # $VISUAL, $EDITOR or vi\n  EDITOR='code --wait' hx config edit app.hxc -k app.ring",
    ),
    (
        "config import",
        "hx config import app.hxc .env -k app.ring && shred -u .env\n  hx config import app.hxc settings.json --format json -k app.ring",
    ),
    (
        "config git-setup",
        "hx config git-setup                         # drivers use HX_KEYRING / HX_IDENTITY\n  hx config git-setup --keyring ~/.config/hx/prod.hxk --pattern 'config/*.hxc'",
    ),
    (
        "config exec",
        "hx config exec app.hxc -k app.ring -- ./server --port 8080\n  hx config exec -f base.hxc -f prod.hxc -k app.ring -- ./server   # prod.hxc wins\n  PORT=9000 hx config exec -f app.hxc -k app.ring -- ./server     # the environment wins\n  hx config exec -f app.hxc -k app.ring --overload -- ./server    # the file wins\n  hx config exec app.hxc -k app.ring --allow-env PATH -- ./run.sh",
    ),
    (
        "tour",
        "hx tour\n  hx tour 2>/dev/null && echo 'every step verified'",
    ),
    (
        "completions",
        "hx completions bash > /etc/bash_completion.d/hx\n  hx completions zsh > \"${fpath[1]}/_hx\"",
    ),
];

/// `command` with the EXAMPLES section of each of its subcommands (and of
/// itself) attached.
pub fn attach(command: Command) -> Command {
    attach_at(command, "")
}

fn attach_at(mut command: Command, path: &str) -> Command {
    if let Some((_, text)) = EXAMPLES.iter().find(|(p, _)| *p == path) {
        command = command.after_help(format!("EXAMPLES:\n  {text}"));
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        command = command.mut_subcommand(&name, |c| attach_at(c, &sub_path));
    }
    command
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        let has = command
            .get_after_help()
            .is_some_and(|h| h.to_string().starts_with("EXAMPLES:\n  "));
        if !has && command.get_name() != "help" {
            missing.push(path.to_owned());
        }
        for sub in command.get_subcommands() {
            let sub_path = format!("{path} {}", sub.get_name()).trim().to_owned();
            walk(sub, &sub_path, missing);
        }
    }

    #[test]
    fn every_command_has_examples() {
        let command = super::attach(crate::Cli::command());
        let mut missing = Vec::new();
        walk(&command, "", &mut missing);
        assert!(missing.is_empty(), "commands without EXAMPLES: {missing:?}");
    }

    #[test]
    fn every_example_names_a_command() {
        let command = crate::Cli::command();
        for (path, _) in super::EXAMPLES {
            let mut at = &command;
            for word in path.split_whitespace() {
                at = at
                    .find_subcommand(word)
                    .unwrap_or_else(|| panic!("no command `hx {path}`"));
            }
        }
    }

    /// A short flag means one thing everywhere (and what age means by it).
    #[test]
    fn short_flags_mean_one_thing() {
        fn walk(command: &clap::Command, bad: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let (Some(short), Some(long)) = (arg.get_short(), arg.get_long()) else {
                    continue;
                };
                let allowed: &[&str] = match short {
                    'o' => &["out"],
                    'i' => &["in", "identity"],
                    'r' => &["to", "recipient"],
                    // `hx config exec -f FILE` is dotenvx's flag (docs/CLI.md)
                    'f' => &["force", "file"],
                    'k' => &["key", "keyring", "key-file", "pepper-file", "secret-file"],
                    // `hx age` keeps age's flags (docs/CLI.md): -a is its
                    // armor, -e/-d/-p/-R its modes and recipients file.
                    'a' => &["alg", "armor"],
                    'e' => &["encrypt"],
                    'd' => &["decrypt"],
                    'p' => &["passphrase"],
                    'R' => &["recipients-file"],
                    'c' => &["check"],
                    'q' => &["quiet"],
                    's' => &["sig"],
                    'h' => &["help"],
                    'V' => &["version"],
                    _ => &[],
                };
                if !allowed.contains(&long) {
                    bad.push(format!("{}: -{short} --{long}", command.get_name()));
                }
            }
            for sub in command.get_subcommands() {
                walk(sub, bad);
            }
        }
        let mut bad = Vec::new();
        walk(&crate::Cli::command(), &mut bad);
        assert!(bad.is_empty(), "{bad:?}");
    }
}
