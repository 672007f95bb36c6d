package app

import (
	"context"
	"errors"
)

func runMailTest(ctx context.Context, env Env, args []string) error {
	return errors.New("not wired yet")
}
