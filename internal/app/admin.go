package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// runAdminCreate creates a staff administrator. The password comes from a
// file (or "-" for stdin), never from the command line, where other users
// of the machine could read it in the process list.
func runAdminCreate(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("admin create", env)
	email := fs.String("email", "", "the administrator's e-mail address (required)")
	pwFile := fs.String("password-file", "", "file holding the password on its first line (required)")
	role := fs.String("role", access.RoleAdministrator, "built-in roles to grant, separated by commas (administrator,agent for one person who also answers chats): "+strings.Join(slices.Sorted(maps.Keys(access.Roles)), ", "))
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	if *email == "" || *pwFile == "" {
		fmt.Fprintln(env.Stderr, "frontdesk admin create: --email and --password-file are required")
		return errUsage
	}
	roles := strings.Split(*role, ",")
	for i, r := range roles {
		roles[i] = strings.TrimSpace(r)
		if _, ok := access.Roles[roles[i]]; !ok {
			fmt.Fprintf(env.Stderr, "frontdesk admin create: unknown role %q\n", roles[i])
			return errUsage
		}
	}
	raw, err := os.ReadFile(*pwFile)
	if err != nil {
		return fmt.Errorf("cannot read the password file: %w", err)
	}
	pw, _, _ := strings.Cut(string(raw), "\n")
	pw = strings.TrimSuffix(pw, "\r")
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	a, err := sys.id.CreateStaff(ctx, *email, pw, func(tx *db.Tx, id string) error {
		for _, r := range roles {
			if err := sys.access.Grant(ctx, tx, id, r, "cli"); err != nil {
				return err
			}
		}
		return nil
	})
	var fe *identity.FieldError
	switch {
	case errors.As(err, &fe):
		return fmt.Errorf("%s: %s", fe.Field, fe.Message)
	case errors.Is(err, identity.ErrExists):
		return errors.New("an account with this e-mail address already exists")
	case err != nil:
		return err
	}
	fmt.Fprintf(env.Stdout, "staff account %s created with role %s (account %s); it enrols a second factor at its first sign-in\n", a.Email, strings.Join(roles, ", "), a.ID)
	return nil
}
