package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	c, err := ParseConfig(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.PolicyProfile != "default" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.BaseURL != "http://127.0.0.1:8080" {
		t.Fatalf("base URL default %q", c.BaseURL)
	}
	if c.MasterKeyFile != filepath.Join("data", "keys", "master.key") {
		t.Fatalf("master key default %q", c.MasterKeyFile)
	}
}

func TestConfigPrecedenceAndFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "db-url")
	os.WriteFile(secret, []byte("postgres://fd:s3cret@db/fd\n"), 0o600)
	c, err := ParseConfig([]string{"--addr", "0.0.0.0:9000"}, env(map[string]string{
		"FRONTDESK_ADDR":              "127.0.0.1:1",
		"FRONTDESK_DATABASE_URL_FILE": secret,
		"FRONTDESK_POLICY_PROFILE":    "pci",
		"FRONTDESK_TRUSTED_PROXIES":   "10.0.0.0/8, 192.0.2.1",
		"FRONTDESK_MIGRATE":           "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" {
		t.Fatalf("flag did not win over the variable: %q", c.Addr)
	}
	if c.DatabaseURL != "postgres://fd:s3cret@db/fd" {
		t.Fatalf("_FILE secret: %q", c.DatabaseURL)
	}
	if c.PolicyProfile != "pci" || len(c.TrustedProxies) != 2 || !c.Migrate {
		t.Fatalf("config %+v", c)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	cases := []struct {
		vars map[string]string
		args []string
		want string
	}{
		{map[string]string{"FRONTDESK_POLICY_PROFILE": "lax"}, nil, "FRONTDESK_POLICY_PROFILE: must be default or pci"},
		{map[string]string{"FRONTDESK_DATABASE_URL": "mysql://x"}, nil, "must start with postgres://"},
		{nil, []string{"--addr", "8080"}, "--addr: must be host:port"},
		{map[string]string{"FRONTDESK_SMTP_URL": "x", "FRONTDESK_SMTP_URL_FILE": "/f"}, nil, "not both"},
		{map[string]string{"FRONTDESK_TLS_CERT_FILE": "/c"}, nil, "both --tls-cert-file and --tls-key-file"},
		{map[string]string{"FRONTDESK_BASE_URL": "ftp://x"}, nil, "absolute http(s) URL"},
		{map[string]string{"FRONTDESK_TRUSTED_PROXIES": "everyone"}, nil, "not a CIDR"},
		{map[string]string{"FRONTDESK_AUDIT_CHECKPOINT_EVERY": "0"}, nil, "positive"},
		{map[string]string{"FRONTDESK_RETENTION": "sign_in_history"}, nil, "is not CLASS=DAYS"},
		{map[string]string{"FRONTDESK_RETENTION": "recordings=-5"}, nil, "not from 0"},
		{map[string]string{"FRONTDESK_RETENTION": "inactive_accounts=20"}, nil, "must be fewer than the inactive_accounts retention"},
	}
	for _, c := range cases {
		_, err := ParseConfig(c.args, env(c.vars))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: err = %v, want %q", c.vars, c.args, err, c.want)
		}
	}
}

// docs/configuration.md lists every option with its variable and flag.
func TestConfigurationIsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, o := range options() {
		if !strings.Contains(doc, "`"+o.env()+"`") || !strings.Contains(doc, "`--"+o.flag+"`") {
			t.Errorf("docs/configuration.md does not list %s (--%s)", o.env(), o.flag)
		}
		if o.secret && !strings.Contains(doc, "`"+o.env()+"_FILE`") {
			t.Errorf("docs/configuration.md does not list %s_FILE", o.env())
		}
	}
}
