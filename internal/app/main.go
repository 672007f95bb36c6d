package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/web"
)

// Version is set at build time with -ldflags "-X …/internal/app.Version=…".
var Version = "dev"

// Env is the process environment seen by the program; tests pass their own.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Clock is the database's "now" (db.Options.Clock); time.Now when nil.
	// Tests move it, e.g. past the recordings' retention.
	Clock func() time.Time
}

// OSEnv is the real process environment.
func OSEnv() Env {
	return Env{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

// command is one subcommand.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "start the server (the embedded SQLite database migrates itself)", runServe},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"audit verify", "check the audit chain; exit 0 if intact, 1 and the first broken sequence number otherwise", runAuditVerify},
		{"audit export", "write the audit trail as NDJSON to stdout [--since TIME]", runAuditExport},
		{"keys rotate", "generate a new master key and re-wrap every data key under it, online [--keep-old]", runKeysRotate},
		{"keys export", "write the master key, audit signing key and backup key, sealed with age to a recipient or a passphrase, to keep apart from backups: --out FILE [--recipient age1…]", runKeysExport},
		{"mail test", "send a test e-mail [--to ADDRESS]", runMailTest},
		{"admin create", "create a staff administrator --email E --password-file F", runAdminCreate},
		{"accounts import", "import accounts from a CSV or JSON Lines file: FILE [--dry-run]", runAccountsImport},
		{"kb import", "import knowledge-base articles: DIR of Markdown files with front matter", runKBImport},
		{"kb export", "export knowledge-base articles: DIR, one Markdown file per translation", runKBExport},
		{"assist archive", "move ended remote-assistance recordings to encrypted archive files now [--older-than DURATION]", runAssistArchive},
		{"privacy record", "print the record of processing (GDPR 30) from the personal-data registry [--format md|csv]", runPrivacyRecord},
		{"privacy retention", "run the retention purge now, or say what it would purge [--dry-run] [--runs N]", runPrivacyRetention},
		{"privacy erase", "erase a customer and their personal data now (a verified request): EMAIL|ID [--yes]", runPrivacyErase},
		{"consent verify", "check a consent receipt: its hash, this installation's signature, and that the ledger holds it: FILE", runConsentVerify},
		{"backup list", "list the repository's backups: id, time, kind, size, what each depends on", runBackupList},
		{"backup verify", "read a backup (the newest by default) back in full: hashes, signature, decryption [ID]", runBackupVerify},
		{"backup drill", "restore the newest backup into a scratch place, check it, start a server on it, report the RTO", runBackupDrill},
		// "backup" comes after "backup list" and the others: the first command whose words start the arguments runs.
		{"backup", "make a backup now: incremental by default [--full]", runBackup},
		{"restore", "restore a backup into an empty data directory (or empty database): ID|latest --to DIR", runRestore},
		{"accounts export", "export every account, without secrets: FILE [--format csv|jsonl]", runAccountsExport},
		{"oidc client add", "register an app that signs customers in: --name N --redirect-uri URI [--public] [--first-party] [--json]", runOIDCClientAdd},
		{"oidc client list", "list the apps that sign customers in [--json]", runOIDCClientList},
		{"oidc client remove", "remove an app and revoke its tokens: ID", runOIDCClientRemove},
		{"oidc keys rotate", "start signing with a new key now; the old ones stay published until their tokens expire", runOIDCKeysRotate},
		{"version", "print the version", func(_ context.Context, env Env, _ []string) error {
			fmt.Fprintln(env.Stdout, "frontdesk", Version)
			return nil
		}},
	}
}

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

// Main runs the command line and returns the exit status. ctx is cancelled
// on SIGINT/SIGTERM by the caller.
func Main(ctx context.Context, args []string, env Env) int {
	cmd, rest := findCommand(args)
	if cmd == nil {
		usage(env.Stderr)
		if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			return 0
		}
		fmt.Fprintf(env.Stderr, "\nfrontdesk: unknown command %q\n", strings.Join(args, " "))
		return 2
	}
	err := cmd.run(ctx, env, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errBroken):
		return 1
	default:
		fmt.Fprintf(env.Stderr, "frontdesk %s: %s\n", cmd.name, sentence(err))
		return 1
	}
}

func findCommand(args []string) (*command, []string) {
	cmds := commands()
	for i := range cmds {
		words := strings.Fields(cmds[i].name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == cmds[i].name {
			return &cmds[i], args[len(words):]
		}
	}
	return nil, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Frontdesk: customer accounts, secure sign-in and a support desk in one binary.\n\nUsage: frontdesk COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nRun 'frontdesk COMMAND --help' for the flags of a command; every command reads the same configuration as serve.")
}

// sentence makes an error read as one sentence.
func sentence(err error) string {
	s := err.Error()
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// flagSet returns a flag set for a command with every configuration option
// on it, and the function that builds the Config after parsing.
func flagSet(name string, env Env) (*flag.FlagSet, func() (Config, error)) {
	fs := flag.NewFlagSet("frontdesk "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	build := configFlags(fs, env.Getenv)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: frontdesk %s [flags]\n", name)
		var own bool
		fs.VisitAll(func(f *flag.Flag) {
			if !isConfigFlag(f.Name) {
				if !own {
					fmt.Fprintln(env.Stderr, "\nFlags of this command:")
					own = true
				}
				fmt.Fprintf(env.Stderr, "  --%s\n        %s\n", f.Name, f.Usage)
			}
		})
		printOptions(env.Stderr)
	}
	return fs, build
}

func isConfigFlag(name string) bool {
	for _, o := range options() {
		if o.flag == name {
			return true
		}
	}
	return false
}

// parse parses args and builds the Config, turning mistakes into errUsage
// after printing them.
func parse(fs *flag.FlagSet, build func() (Config, error), args []string, env Env) (Config, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "frontdesk: unexpected argument %q\n", fs.Arg(0))
		return Config{}, errUsage
	}
	cfg, err := build()
	if err != nil {
		fmt.Fprintf(env.Stderr, "frontdesk: configuration: %s\n", sentence(err))
		return Config{}, errUsage
	}
	cfg.clock = env.Clock
	return cfg, nil
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(w, hopts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, hopts)
	}
	return slog.New(web.LogHandler(h))
}
