package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/privacy"
)

// runPrivacyErase erases one customer at once, for an operator fulfilling a
// verified request: it asks for confirmation on a terminal, and needs --yes
// otherwise. // GDPR 17
func runPrivacyErase(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("privacy erase", env)
	yes := fs.Bool("yes", false, "erase without asking (required when not on a terminal)")
	cfg, who, err := parseWithFiles(fs, build, args, env)
	if err != nil {
		return err
	}
	cfg.clock = env.Clock
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	var a *identity.Account
	err = sys.db.Read(ctx, func(tx *db.Tx) (err error) {
		if strings.Contains(who[0], "@") {
			a, err = sys.id.FindByEmail(ctx, tx, who[0])
		} else {
			a, err = sys.id.AccountIn(ctx, tx, who[0])
		}
		return err
	})
	if errors.Is(err, identity.ErrNotFound) || (err == nil && a == nil) {
		return fmt.Errorf("no account %s", who[0])
	}
	if err != nil {
		return err
	}
	if !*yes {
		if !isTerminal(env.Stdout) || !isTerminal(env.Stdin) {
			fmt.Fprintln(env.Stderr, "frontdesk privacy erase: not on a terminal; add --yes to erase without confirmation")
			return errUsage
		}
		fmt.Fprintf(env.Stdout, "Erase account %s (%s) and all its personal data now? This cannot be undone. Type the e-mail address to confirm: ", a.ID, a.Kind)
		line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
		if !strings.EqualFold(strings.TrimSpace(line), a.Email) {
			return errors.New("not confirmed; nothing was erased")
		}
	}
	out, err := sys.privacy.Erase(audit.WithActor(ctx, audit.Actor{Kind: audit.ActorSystem, ID: "cli"}), a.ID, privacy.SourceOperator)
	if err != nil {
		return err
	}
	rows := 0
	for _, n := range out.Rows {
		rows += n
	}
	held := 0
	for _, n := range out.Held {
		held += n
	}
	fmt.Fprintf(env.Stdout, "account %s erased: %d rows deleted in %d tables, %d files deleted, %d rows kept under legal hold, data key destroyed\n",
		a.ID, rows, len(out.Rows), out.Files, held)
	return nil
}

// runPrivacyRecord prints the record of processing (GDPR 30) generated from
// the registry and the configuration, as Markdown or CSV.
func runPrivacyRecord(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("privacy record", env)
	format := fs.String("format", "md", "md (Markdown) or csv")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	if *format != "md" && *format != "csv" {
		fmt.Fprintf(env.Stderr, "frontdesk privacy record: --format must be md or csv, not %q\n", *format)
		return errUsage
	}
	reg, err := Registry()
	if err != nil {
		return err
	}
	return reg.WriteRecord(env.Stdout, *format, recordSettings(cfg, reg))
}

// recordSettings is the configuration in force that heads the record of
// processing, for the command and the console page alike: the periods of
// closure, export and recordings, and every retention class's period.
func recordSettings(cfg Config, reg *privacy.Registry) [][2]string {
	out := [][2]string{
		{"Organisation", cfg.OrgName},
		{"Account closure cool-off", fmt.Sprintf("%d days", cfg.ClosureCoolOffDays)},
		{"Data export available for", fmt.Sprintf("%d days", cfg.ExportTTLDays)},
		{"Remote-assistance recordings in the database", fmt.Sprintf("%d days, then archived", int(cfg.AssistRetention.Hours()/24))},
		{"Remote-assistance recording", fmt.Sprint(cfg.AssistRecording)},
		{"Policy profile", cfg.PolicyProfile},
	}
	for _, p := range reg.Policies() {
		days := p.Days
		if d, ok := cfg.Retention.Days[p.Class]; ok {
			days = d
		}
		period := "kept until erasure"
		if days > 0 {
			period = fmt.Sprintf("%d days", days)
		}
		out = append(out, [2]string{"Retention: " + p.Title + " (" + p.Class + ")", period})
	}
	return out
}

// retentionConfig is the retention configuration with this node's name.
func retentionConfig(cfg Config) privacy.RetentionConfig {
	r := cfg.Retention
	r.Node = hostname()
	return r
}

// runPrivacyRetention runs the retention purge now (under the lease, so
// never beside the server's daily run), or with --dry-run says what it
// would purge; with --runs it lists the last runs instead. // GDPR 5(1)(e)
func runPrivacyRetention(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("privacy retention", env)
	dry := fs.Bool("dry-run", false, "count what would be purged, per class, and change nothing")
	runs := fs.Int("runs", 0, "list the last N runs instead of running")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	if *runs < 0 || *runs > 1000 {
		fmt.Fprintf(env.Stderr, "frontdesk privacy retention: --runs must be from 1 to 1000, not %d\n", *runs)
		return errUsage
	}
	cfg.clock = env.Clock
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	w := env.Stdout
	if *runs > 0 {
		list, err := sys.privacy.RetentionRuns(ctx, *runs)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(w, "no retention runs yet")
		}
		for _, r := range list {
			printRetentionRun(w, r)
		}
		return nil
	}
	fmt.Fprintln(w, "Retention policies in force:")
	for _, p := range sys.privacy.RetentionPolicies() {
		period := "kept until erasure"
		if p.Days > 0 {
			period = fmt.Sprintf("%d days", p.Days)
		}
		note := ""
		if p.Overridden {
			note = fmt.Sprintf(" (default %d)", p.Policy.Days)
		}
		fmt.Fprintf(w, "  %-26s %-20s%s  %s\n", p.Class, period, note, p.Title)
	}
	run, err := sys.privacy.RunRetention(audit.WithActor(ctx, audit.Actor{Kind: audit.ActorSystem, ID: "cli"}), *dry, "cli")
	if errors.Is(err, privacy.ErrRetentionRunning) {
		return errors.New("the retention purge is running on another node; nothing was done (try --dry-run, or again later)")
	}
	if run != nil {
		printRetentionRun(w, *run)
	}
	return err
}

func printRetentionRun(w io.Writer, r privacy.RetentionRun) {
	kind := "purge"
	if r.DryRun {
		kind = "dry run (nothing changed)"
	}
	fin := "not finished"
	if r.FinishedAt != nil {
		fin = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
	}
	fmt.Fprintf(w, "%s %s by %s on %s: %s, %s\n", r.StartedAt.Format(time.RFC3339), kind, r.StartedBy, r.Node, r.Status, fin)
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format("2006-01-02")
	}
	for _, c := range r.Classes {
		fmt.Fprintf(w, "  %-26s %7d items  oldest %s  newest %s  held %d", c.Class, c.Items, day(c.Oldest), day(c.Newest), c.Held)
		if c.Warned > 0 {
			fmt.Fprintf(w, "  warned %d", c.Warned)
		}
		if len(c.Rows) > 0 {
			tables := make([]string, 0, len(c.Rows))
			for t := range c.Rows {
				tables = append(tables, t)
			}
			sort.Strings(tables)
			var parts []string
			for _, t := range tables {
				parts = append(parts, fmt.Sprintf("%s %d", t, c.Rows[t]))
			}
			fmt.Fprintf(w, "  rows: %s", strings.Join(parts, ", "))
		}
		if c.Error != "" {
			fmt.Fprintf(w, "  FAILED: %s", c.Error)
		}
		fmt.Fprintln(w)
	}
	if r.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", r.Error)
	}
}
