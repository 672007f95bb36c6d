package app

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// BackupConfig is the backup part of the configuration.
type BackupConfig struct {
	Target       string // "" for DATA_DIR/backups
	Recipient    string // age public key; "" for the key pair made on first use
	IdentityFile string
	Schedule     bool
	Hour         int
	FullDay      time.Weekday
	KeepDaily    int
	KeepWeekly   int
	MaxAge       time.Duration // the console warns when the last backup is older
	DrillMaxAge  time.Duration // … or the last drill
}

func (b *BackupConfig) finish(dataDir string) {
	if b.IdentityFile == "" {
		b.IdentityFile = filepath.Join(dataDir, "keys", "backup-age.key")
	}
}

var weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}

func backupOptions() []option {
	days := func(set func(*Config, time.Duration)) func(*Config, string) error {
		return func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return errors.New("must be a positive duration, e.g. 26h")
			}
			set(c, d)
			return nil
		}
	}
	whole := func(set func(*Config, int)) func(*Config, string) error {
		return func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return errors.New("must be a whole number, 0 or more")
			}
			set(c, n)
			return nil
		}
	}
	return []option{
		{flag: "backup-target", secret: true, usage: "where backups go: file:///path or s3://bucket/prefix?endpoint=host:port (credentials as access_key=…&secret_key=… or AWS_* variables); default DATA_DIR/backups, which is not off-site", set: func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "file:///") && !strings.HasPrefix(v, "s3://") {
				return errors.New("must start with file:/// or s3://")
			}
			c.Backup.Target = v
			return nil
		}},
		{flag: "backup-recipient", usage: "age public key (age1…) backups are encrypted to; default the key pair in DATA_DIR/keys/backup-age.key, made on first use", set: func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "age1") {
				return errors.New("must be an age X25519 public key (age1…)")
			}
			c.Backup.Recipient = v
			return nil
		}},
		{flag: "backup-identity-file", usage: "the backup private key (AGE-SECRET-KEY-1…), read by verify, restore and drill; default DATA_DIR/keys/backup-age.key", set: func(c *Config, v string) error {
			c.Backup.IdentityFile = v
			return nil
		}},
		{flag: "backup-schedule", isBool: true, def: "true", usage: "let serve make the scheduled backups (one node of many, under a database lease)", set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.Backup.Schedule = b
			return nil
		}},
		{flag: "backup-hour", def: "2", usage: "hour of the day (UTC, 0-23) of the daily backup", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 23 {
				return errors.New("must be an hour from 0 to 23")
			}
			c.Backup.Hour = n
			return nil
		}},
		{flag: "backup-full-day", def: "sunday", usage: "day of the week of the full backup; the other days' backups are incremental", set: func(c *Config, v string) error {
			d, ok := weekdays[strings.ToLower(v)]
			if !ok {
				return errors.New("must be a day of the week, e.g. sunday")
			}
			c.Backup.FullDay = d
			return nil
		}},
		{flag: "backup-keep-daily", def: "35", usage: "daily backups kept (retention deletes whole chains only)", set: whole(func(c *Config, n int) { c.Backup.KeepDaily = n })},
		{flag: "backup-keep-weekly", def: "12", usage: "weekly backups kept", set: whole(func(c *Config, n int) { c.Backup.KeepWeekly = n })},
		{flag: "backup-max-age", def: "26h", usage: "the console warns when the last successful backup is older than this", set: days(func(c *Config, d time.Duration) { c.Backup.MaxAge = d })},
		{flag: "backup-drill-max-age", def: "720h", usage: "the console warns when the last successful restore drill is older than this", set: days(func(c *Config, d time.Duration) { c.Backup.DrillMaxAge = d })},
	}
}
