// Package app wires Frontdesk together: configuration, the services, the
// HTTP server and the command-line subcommands.
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mailin"
	"github.com/frontdesk/frontdesk/internal/password"
	"github.com/frontdesk/frontdesk/internal/privacy"
)

// Config is the whole configuration, built once from flags and FRONTDESK_*
// variables and passed to constructors.
type Config struct {
	Addr                    string
	DataDir                 string
	DatabaseURL             string
	BaseURL                 string
	PolicyProfile           string
	OrgName                 string
	SupportEmail            string
	SMTPURL                 string
	MailFrom                string
	MasterKeyFile           string
	AuditSigningKeyFile     string
	AuditCheckpointEvery    int
	AuditCheckpointInterval time.Duration
	TLSCertFile             string
	TLSKeyFile              string
	AllowInsecureHTTP       bool
	TrustedProxies          []netip.Prefix
	MetricsToken            string
	LogLevel                string
	LogFormat               string
	ShutdownTimeout         time.Duration
	Migrate                 bool
	HashMemoryBudget        int64  // bytes
	Argon2Memory            uint32 // KiB
	Argon2Time              uint32
	CustomerMFA             string // "" leaves the profile's choice
	EmailOTPFactor          bool
	SupportFollowUp         time.Duration
	IMAP                    *mailin.FetcherConfig // nil: no support mailbox
	IMAPInterval            time.Duration
	NATSURL                 string
	NATSPrefix              string
	WidgetOrigins           []string
	MessagingSecrets        [][]byte
	MessagingOutboundURL    string
	RecoveryCoolOff         time.Duration
	APIKeyRate              int // admin API calls per key per minute
	SMSProvider             string
	SMSURL                  string
	SMSAccountSID           string
	SMSAuthToken            string
	SMSFrom                 string
	AssistMaxDuration       time.Duration
	AssistIdleTimeout       time.Duration
	AssistRetention         time.Duration
	ClosureCoolOffDays      int
	PrivacyRegime           string
	IncidentNoticeRate      int
	PrivacyContact          string
	Retention               privacy.RetentionConfig
	ExportTTLDays           int
	AssistArchiveDir        string
	AssistDefaultPlan       string
	AssistRecording         bool
	KBStarter               bool // add the help centre's starter articles on the first start
	RiskEngine              bool
	GeoIPDB                 string
	GeoIPASNDB              string
	AnonymiserLists         []string
	SecurityContacts        []string
	Backup                  BackupConfig
	OIDCSigningAlg          string
	OIDCJWKSAllowLoopback   bool

	clock func() time.Time // Env.Clock: not configurable, tests only
}

// option is one configuration setting: its flag, its variable, its default
// and how it lands in Config. The table below is the single source for
// parsing, --help and the documentation test.
type option struct {
	flag   string
	usage  string
	def    string
	secret bool // also read from FRONTDESK_…_FILE; never printed
	isBool bool
	set    func(*Config, string) error
}

func (o option) env() string {
	return "FRONTDESK_" + strings.ToUpper(strings.ReplaceAll(o.flag, "-", "_"))
}

func options() []option {
	return append([]option{
		{flag: "addr", def: "127.0.0.1:8080", usage: "listen address (host:port)", set: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("must be host:port")
			}
			c.Addr = v
			return nil
		}},
		{flag: "data-dir", def: "./data", usage: "directory for the SQLite database, keys, outbox, attachments and recordings", set: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = v
			return nil
		}},
		{flag: "database-url", secret: true, usage: "postgres://… selects PostgreSQL; empty means SQLite in the data directory", set: func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") && !strings.HasPrefix(v, "sqlite:") {
				return errors.New("must start with postgres:// (or sqlite:PATH)")
			}
			c.DatabaseURL = v
			return nil
		}},
		{flag: "base-url", usage: "public URL used in links and as the WebAuthn origin (default http:// + addr)", set: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("must be an absolute http(s) URL")
			}
			c.BaseURL = strings.TrimSuffix(v, "/")
			return nil
		}},
		{flag: "policy-profile", def: "default", usage: "security policy profile: default (NIST 800-63B aligned) or pci (bank profile)", set: func(c *Config, v string) error {
			if v != "default" && v != "pci" {
				return errors.New("must be default or pci")
			}
			c.PolicyProfile = v
			return nil
		}},
		{flag: "org-name", def: "Frontdesk", usage: "the business's name, shown on pages and in e-mails", set: func(c *Config, v string) error {
			c.OrgName = v
			return nil
		}},
		{flag: "support-email", usage: "the support mailbox: shown on the contact page, From and Reply-To of the desk's e-mail (help@example.com or Name <help@example.com>)", set: func(c *Config, v string) error {
			if v != "" {
				if _, err := mail.ParseAddress(v); err != nil {
					return errors.New("must be an e-mail address, optionally with a name: Name <help@example.com>")
				}
			}
			c.SupportEmail = v
			return nil
		}},
		{flag: "smtp-url", secret: true, usage: "smtp://user:pass@host:587 (STARTTLS) or smtps://…:465 (TLS); empty writes mail to DATA_DIR/outbox", set: func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "smtp://") && !strings.HasPrefix(v, "smtps://") {
				return errors.New("must start with smtp:// or smtps://")
			}
			c.SMTPURL = v
			return nil
		}},
		{flag: "imap-url", secret: true, usage: "support mailbox read for incoming e-mail: imaps://user:pass@host:993/INBOX (TLS), imap://…:143/INBOX (STARTTLS), or imap://…?tls=none on loopback only; empty reads no mailbox", set: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			fc, err := parseIMAPURL(v)
			if err != nil {
				return err
			}
			c.IMAP = &fc
			return nil
		}},
		{flag: "imap-interval", def: "1m", usage: "how often the support mailbox is read", set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second || d > time.Hour {
				return errors.New("must be a duration from 1s to 1h, e.g. 1m")
			}
			c.IMAPInterval = d
			return nil
		}},
		{flag: "widget-origins", usage: "comma-separated origins of the business's sites that may embed the chat widget (https://www.bank.example); the portal itself always may", set: func(c *Config, v string) error {
			c.WidgetOrigins = nil
			for _, o := range strings.Split(v, ",") {
				if o = strings.TrimSpace(o); o == "" {
					continue
				}
				u, err := url.Parse(o)
				if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
					return fmt.Errorf("%q is not an origin like https://www.bank.example", o)
				}
				c.WidgetOrigins = append(c.WidgetOrigins, u.Scheme+"://"+u.Host)
			}
			return nil
		}},
		{flag: "messaging-secrets", secret: true, usage: "comma-separated secrets (16+ characters) that messaging bridges sign their webhook deliveries with; the first also signs replies sent to the bridge; empty turns the messaging webhook off", set: func(c *Config, v string) error {
			c.MessagingSecrets = nil
			for _, sec := range strings.Split(v, ",") {
				if sec = strings.TrimSpace(sec); sec == "" {
					continue
				}
				if len(sec) < 16 {
					return errors.New("each secret needs at least 16 characters")
				}
				c.MessagingSecrets = append(c.MessagingSecrets, []byte(sec))
			}
			return nil
		}},
		{flag: "messaging-outbound-url", usage: "the bridge's webhook that receives agents' replies on messaging conversations (https; http only on loopback)", set: func(c *Config, v string) error {
			c.MessagingOutboundURL = v
			return nil
		}},
		{flag: "nats-url", secret: true, usage: "NATS server for live updates between nodes (nats://host:4222); empty keeps them inside this process (one node)", set: func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "nats://") && !strings.HasPrefix(v, "tls://") {
				return errors.New("must start with nats:// or tls://")
			}
			c.NATSURL = v
			return nil
		}},
		{flag: "nats-prefix", def: "frontdesk.", usage: "prefix of this installation's NATS subjects, so installations can share a server", set: func(c *Config, v string) error {
			c.NATSPrefix = v
			return nil
		}},
		{flag: "mail-from", def: "Frontdesk <no-reply@localhost>", usage: "From address of outgoing e-mail", set: func(c *Config, v string) error {
			c.MailFrom = v
			return nil
		}},
		{flag: "master-key-file", usage: "file holding the master key(s); default DATA_DIR/keys/master.key, created on first start", set: func(c *Config, v string) error {
			c.MasterKeyFile = v
			return nil
		}},
		{flag: "audit-signing-key-file", usage: "Ed25519 key that signs audit checkpoints; default DATA_DIR/keys/audit-ed25519.key, created on first start", set: func(c *Config, v string) error {
			c.AuditSigningKeyFile = v
			return nil
		}},
		{flag: "audit-checkpoint-every", def: "1000", usage: "audit entries between signed checkpoints", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return errors.New("must be a positive whole number")
			}
			c.AuditCheckpointEvery = n
			return nil
		}},
		{flag: "audit-checkpoint-interval", def: "5m", usage: "how often the server signs a checkpoint of new audit entries", set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second {
				return errors.New("must be a duration of at least 1s, e.g. 5m")
			}
			c.AuditCheckpointInterval = d
			return nil
		}},
		{flag: "tls-cert-file", usage: "PEM certificate; with --tls-key-file the server speaks HTTPS and sends HSTS", set: func(c *Config, v string) error {
			c.TLSCertFile = v
			return nil
		}},
		{flag: "tls-key-file", usage: "PEM private key for --tls-cert-file", set: func(c *Config, v string) error {
			c.TLSKeyFile = v
			return nil
		}},
		{flag: "allow-insecure-http", isBool: true, def: "false", usage: "serve a plain http:// base URL on a host other than loopback (passwords and session cookies would cross the network unencrypted; for a closed test network only)", set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.AllowInsecureHTTP = b
			return nil
		}},
		{flag: "trusted-proxies", usage: "comma-separated CIDRs whose X-Forwarded-For is believed (e.g. 10.0.0.0/8)", set: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				p, err := netip.ParsePrefix(s)
				if err != nil {
					a, aerr := netip.ParseAddr(s)
					if aerr != nil {
						return fmt.Errorf("%q is not a CIDR or address", s)
					}
					p = netip.PrefixFrom(a, a.BitLen())
				}
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
			return nil
		}},
		{flag: "metrics-token", secret: true, usage: "bearer token required on /metrics; without it /metrics answers loopback clients only", set: func(c *Config, v string) error {
			c.MetricsToken = v
			return nil
		}},
		{flag: "hash-memory-budget", def: "256MiB", usage: "memory password hashing may use at once (e.g. 256MiB, 1GiB); beyond it sign-ins queue briefly, then get 503", set: func(c *Config, v string) error {
			n, err := parseBytes(v)
			if err != nil || n < 32<<20 {
				return errors.New("must be a size of at least 32MiB, e.g. 256MiB or 1GiB")
			}
			c.HashMemoryBudget = n
			return nil
		}},
		{flag: "argon2-memory", def: "19MiB", usage: "Argon2id memory per password hash (OWASP minimum 19MiB with --argon2-time 2); existing hashes are upgraded at their next sign-in", set: func(c *Config, v string) error {
			n, err := parseBytes(v)
			if err != nil || n < 1<<20 || n > 2<<30 {
				return errors.New("must be a size between 1MiB and 2GiB, e.g. 19MiB or 64MiB")
			}
			c.Argon2Memory = uint32(n >> 10)
			return nil
		}},
		{flag: "argon2-time", def: "2", usage: "Argon2id passes per password hash", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				return errors.New("must be a whole number from 1 to 100")
			}
			c.Argon2Time = uint32(n)
			return nil
		}},
		{flag: "customer-mfa", usage: "second factor for customers: optional (offered after sign-in) or required (enrol before anything else); default optional, required in the pci profile", set: func(c *Config, v string) error {
			if v != "" && v != identity.MFAOptional && v != identity.MFARequired {
				return errors.New("must be optional or required")
			}
			c.CustomerMFA = v
			return nil
		}},
		{flag: "email-otp-factor", isBool: true, def: "false", usage: "let codes sent by e-mail count as a second factor (NIST advises against it; e-mail stays a recovery channel either way)", set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.EmailOTPFactor = b
			return nil
		}},
		{flag: "kb-starter", def: "on", usage: "on: the first start adds the help centre's starter articles (sign-in problems, in en, vi and zh; editable, added once); off: the help centre starts empty", set: func(c *Config, v string) error {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "on", "true", "1", "yes":
				c.KBStarter = true
			case "off", "false", "0", "no":
				c.KBStarter = false
			default:
				return errors.New("must be on or off")
			}
			return nil
		}},
		{flag: "risk-engine", isBool: true, def: "true", usage: "judge every sign-in's risk (place, travel, device, velocity, anonymisers) and step up, block or notify by the profile's rules", set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.RiskEngine = b
			return nil
		}},
		{flag: "geoip-db", usage: "MaxMind-format city database (GeoLite2 City, DB-IP City) for sign-in locations, reloaded when the file changes; empty: place signals are unknown", set: func(c *Config, v string) error {
			c.GeoIPDB = v
			return nil
		}},
		{flag: "geoip-asn-db", usage: "optional MaxMind-format ASN database (GeoLite2 ASN, DB-IP ASN) for the new-network signal, reloaded when it changes", set: func(c *Config, v string) error {
			c.GeoIPASNDB = v
			return nil
		}},
		{flag: "anonymiser-lists", usage: "comma-separated files of anonymising proxy, VPN and Tor exit addresses or networks (one per line), reloaded when they change", set: func(c *Config, v string) error {
			c.AnonymiserLists = nil
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					c.AnonymiserLists = append(c.AnonymiserLists, p)
				}
			}
			return nil
		}},
		{flag: "security-contacts", usage: "comma-separated e-mail addresses that receive security alerts (staff monitoring)", set: func(c *Config, v string) error {
			c.SecurityContacts = nil
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a == "" {
					continue
				}
				if !strings.Contains(a, "@") || strings.ContainsAny(a, " <>\r\n") {
					return fmt.Errorf("%q is not an e-mail address", a)
				}
				c.SecurityContacts = append(c.SecurityContacts, a)
			}
			return nil
		}},
		{flag: "recovery-cooloff", def: "24h", usage: "how long an approved support-assisted recovery waits, cancellable by the owner, before the account's second factors are reset", set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute || d > 30*24*time.Hour {
				return errors.New("must be a duration from 1m to 720h, e.g. 24h")
			}
			c.RecoveryCoolOff = d
			return nil
		}},
		{flag: "api-key-rate", def: "600", usage: "admin API calls one service account key may make per minute; beyond it calls get 429 with Retry-After", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1_000_000 {
				return errors.New("must be a whole number from 1 to 1000000")
			}
			c.APIKeyRate = n
			return nil
		}},
		{flag: "support-followup-days", def: "3", usage: "days after a conversation is resolved before the customer is asked whether the problem stayed solved", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 90 {
				return errors.New("must be a whole number of days from 1 to 90")
			}
			c.SupportFollowUp = time.Duration(n) * 24 * time.Hour
			return nil
		}},
		{flag: "sms-provider", def: "outbox", usage: "where SMS codes go: outbox (files in DATA_DIR/outbox, for development) or twilio (a Twilio-style Messages API)", set: func(c *Config, v string) error {
			if v != "outbox" && v != "twilio" {
				return errors.New("must be outbox or twilio")
			}
			c.SMSProvider = v
			return nil
		}},
		{flag: "sms-url", usage: "base URL of the Twilio-style Messages API (https; default https://api.twilio.com)", set: func(c *Config, v string) error {
			c.SMSURL = v
			return nil
		}},
		{flag: "sms-account-sid", usage: "account SID for the SMS provider", set: func(c *Config, v string) error {
			c.SMSAccountSID = v
			return nil
		}},
		{flag: "sms-auth-token", secret: true, usage: "auth token for the SMS provider", set: func(c *Config, v string) error {
			c.SMSAuthToken = v
			return nil
		}},
		{flag: "sms-from", usage: "sender of SMS codes: an E.164 number, or a messaging service SID (MG…)", set: func(c *Config, v string) error {
			c.SMSFrom = v
			return nil
		}},
		{flag: "assist-max-duration", def: "2h", usage: "longest a remote-assistance session may last; organisations' templates can only shorten it", set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 5*time.Minute || d > 12*time.Hour {
				return errors.New("must be a duration from 5m to 12h, e.g. 2h")
			}
			c.AssistMaxDuration = d
			return nil
		}},
		{flag: "assist-idle-timeout", def: "15m", usage: "a remote-assistance session with no activity (or paused after a dropped connection) this long ends", set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute || d > 4*time.Hour {
				return errors.New("must be a duration from 1m to 4h, e.g. 15m")
			}
			c.AssistIdleTimeout = d
			return nil
		}},
		{flag: "assist-recording", isBool: true, def: "false", usage: "record remote-assistance sessions where no organisation template decides (templates turn it on or off; shown on the consent screen)", set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.AssistRecording = b
			return nil
		}},
		{flag: "assist-retention-days", def: "30", usage: "days a session recording stays in the database before it moves to an encrypted archive file", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 3650 {
				return errors.New("must be a whole number of days from 1 to 3650")
			}
			c.AssistRetention = time.Duration(n) * 24 * time.Hour
			return nil
		}},
		{flag: "closure-cooloff-days", def: "14", usage: "days a customer's account closure waits, cancellable, before their data is erased", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 90 {
				return errors.New("must be a whole number of days from 1 to 90")
			}
			c.ClosureCoolOffDays = n
			return nil
		}},
		{flag: "privacy-regime", def: "gdpr", usage: "legal regime of data-subject requests' deadlines by default: gdpr (one month, +2) or ccpa (45 days, +45)", set: func(c *Config, v string) error {
			if v != "gdpr" && v != "ccpa" {
				return errors.New("must be gdpr or ccpa")
			}
			c.PrivacyRegime = v
			return nil
		}},
		{flag: "incident-notice-rate", def: "60", usage: "incident notices mailed to affected customers per minute, at most", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 10000 {
				return errors.New("must be a whole number from 1 to 10000")
			}
			c.IncidentNoticeRate = n
			return nil
		}},
		{flag: "privacy-contact", usage: "the data protection officer's contact point, printed in notices to the supervisory authority", set: func(c *Config, v string) error {
			if len(v) > 200 || strings.ContainsAny(v, "\r\n") {
				return errors.New("one line of at most 200 characters")
			}
			c.PrivacyContact = v
			return nil
		}},
		{flag: "retention", usage: "retention periods overriding the defaults, CLASS=DAYS separated by commas (0 keeps the class until erasure; classes and defaults in docs/privacy.md)", set: func(c *Config, v string) error {
			days := map[string]int{}
			for _, part := range strings.Split(v, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				class, n, ok := strings.Cut(part, "=")
				d, err := strconv.Atoi(strings.TrimSpace(n))
				if !ok || err != nil {
					return fmt.Errorf("%q is not CLASS=DAYS", part)
				}
				days[strings.TrimSpace(class)] = d
			}
			reg, err := Registry()
			if err != nil {
				return err
			}
			if err := privacy.CheckRetention(reg, privacy.RetentionConfig{Days: days}); err != nil {
				return err
			}
			c.Retention.Days = days
			return nil
		}},
		{flag: "retention-inactive-warn-days", def: "30", usage: "days before an inactive customer's account is closed (when the inactive_accounts retention is set) that they are warned by e-mail", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 365 {
				return errors.New("must be a whole number of days from 1 to 365")
			}
			c.Retention.InactiveWarnDays = n
			return nil
		}},
		{flag: "export-ttl-days", def: "7", usage: "days a customer's data export can be downloaded (once) before it is deleted", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 30 {
				return errors.New("must be a whole number of days from 1 to 30")
			}
			c.ExportTTLDays = n
			return nil
		}},
		{flag: "assist-archive-dir", usage: "directory of archived session recordings; default DATA_DIR/recordings", set: func(c *Config, v string) error {
			c.AssistArchiveDir = v
			return nil
		}},
		{flag: "assist-default-plan", def: "professional", usage: "plan of customers outside any organisation: basic (no remote assistance), professional or enterprise", set: func(c *Config, v string) error {
			if v != "basic" && v != "professional" && v != "enterprise" {
				return errors.New("must be basic, professional or enterprise")
			}
			c.AssistDefaultPlan = v
			return nil
		}},
		{flag: "log-level", def: "info", usage: "debug, info, warn or error", set: func(c *Config, v string) error {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
				return nil
			}
			return errors.New("must be debug, info, warn or error")
		}},
		{flag: "log-format", def: "json", usage: "json or text", set: func(c *Config, v string) error {
			if v != "json" && v != "text" {
				return errors.New("must be json or text")
			}
			c.LogFormat = v
			return nil
		}},
		{flag: "shutdown-timeout", def: "20s", usage: "how long a graceful shutdown waits for requests in flight", set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return errors.New("must be a positive duration, e.g. 20s")
			}
			c.ShutdownTimeout = d
			return nil
		}},
		{flag: "oidc-signing-alg", def: "RS256", usage: "algorithm of the OpenID Connect provider's signing keys: RS256 (every client library verifies it) or ES256 (ECDSA P-256, much cheaper to sign); a change makes a new key at start, the old one stays published until its tokens expire", set: func(c *Config, v string) error {
			if v != "RS256" && v != "ES256" {
				return errors.New("must be RS256 or ES256")
			}
			c.OIDCSigningAlg = v
			return nil
		}},
		{flag: "oidc-jwks-allow-loopback", isBool: true, def: "false", usage: "tests and development only: let an OpenID Connect client's jwks_uri be plain http:// on a loopback address", set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.OIDCJWKSAllowLoopback = b
			return nil
		}},
		{flag: "migrate", isBool: true, def: "false", usage: "apply database migrations before serving (PostgreSQL; SQLite always migrates)", set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.Migrate = b
			return nil
		}},
	}, backupOptions()...)
}

// configFlags registers every option on fs and returns a function that,
// after fs.Parse, builds the Config: defaults, then FRONTDESK_* variables
// (or their _FILE variants for secrets), then flags.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	opts := options()
	flagged := map[string]string{}
	for _, o := range opts {
		o := o
		if o.isBool {
			fs.BoolFunc(o.flag, o.usage, func(v string) error { flagged[o.flag] = v; return nil })
		} else {
			fs.Func(o.flag, o.usage, func(v string) error { flagged[o.flag] = v; return nil })
		}
	}
	return func() (Config, error) {
		var c Config
		for _, o := range opts {
			v, from, err := o.value(getenv, flagged)
			if err != nil {
				return c, err
			}
			if err := o.set(&c, v); err != nil {
				return c, fmt.Errorf("%s: %s", from, err)
			}
		}
		return c, c.finish()
	}
}

// value returns the option's value and where it came from.
func (o option) value(getenv func(string) string, flagged map[string]string) (string, string, error) {
	if v, ok := flagged[o.flag]; ok {
		return v, "--" + o.flag, nil
	}
	if o.secret {
		if path := getenv(o.env() + "_FILE"); path != "" {
			if getenv(o.env()) != "" {
				return "", "", fmt.Errorf("set %s or %s_FILE, not both", o.env(), o.env())
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return "", "", fmt.Errorf("%s_FILE: %w", o.env(), err)
			}
			return strings.TrimRight(string(b), "\r\n"), o.env() + "_FILE", nil
		}
	}
	if v := getenv(o.env()); v != "" {
		return v, o.env(), nil
	}
	return o.def, "default of --" + o.flag, nil
}

// finish fills derived defaults and checks settings that depend on others.
func (c *Config) finish() error {
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return errors.New("set both --tls-cert-file and --tls-key-file, or neither")
	}
	if c.BaseURL == "" {
		scheme := "http"
		if c.TLSCertFile != "" {
			scheme = "https"
		}
		c.BaseURL = scheme + "://" + c.Addr
	}
	if c.PolicyProfile == "pci" && c.CustomerMFA == identity.MFAOptional {
		return errors.New("--customer-mfa optional is not allowed with --policy-profile pci (PCI DSS 8.4.2 requires MFA)")
	}
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.DataDir, "keys", "master.key")
	}
	if c.AuditSigningKeyFile == "" {
		c.AuditSigningKeyFile = filepath.Join(c.DataDir, "keys", "audit-ed25519.key")
	}
	c.Backup.finish(c.DataDir)
	if c.AssistArchiveDir == "" {
		c.AssistArchiveDir = filepath.Join(c.DataDir, "recordings")
	}
	if d := c.Retention.Days["inactive_accounts"]; d > 0 && c.Retention.InactiveWarnDays >= d {
		return fmt.Errorf("--retention-inactive-warn-days (%d) must be fewer than the inactive_accounts retention (%d days)",
			c.Retention.InactiveWarnDays, d)
	}
	return nil
}

// printOptions writes the configuration reference for --help.
func printOptions(w io.Writer) {
	fmt.Fprintln(w, "\nConfiguration (each flag also reads the variable shown; secrets also from VARIABLE_FILE):")
	for _, o := range options() {
		arg := " value"
		if o.isBool {
			arg = ""
		}
		fmt.Fprintf(w, "  --%s%s\n        %s\n        env %s", o.flag, arg, o.usage, o.env())
		if o.secret {
			fmt.Fprintf(w, " or %s_FILE", o.env())
		}
		if o.def != "" {
			fmt.Fprintf(w, "; default %s", o.def)
		}
		fmt.Fprintln(w)
	}
}

// ParseConfig builds a Config from flags and variables exactly as serve
// does; the end-to-end harness uses it.
func ParseConfig(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("frontdesk", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	build := configFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return build()
}

// argon2Params returns the configured hashing parameters and whether they
// meet the OWASP / ASVS Appendix C minimums (46 MiB × 1, 19 MiB × 2,
// 12 MiB × 3, 9 MiB × 4 or 7 MiB × 5 passes).
func (c Config) argon2Params() (password.Params, bool) {
	p := password.DefaultParams
	p.Memory, p.Time = c.Argon2Memory, c.Argon2Time
	minMiB := map[uint32]uint32{1: 46, 2: 19, 3: 12, 4: 9}[p.Time]
	if p.Time >= 5 {
		minMiB = 7
	}
	return p, p.Memory >= minMiB<<10
}

// parseBytes reads a size like "256MiB", "1GiB", "512MB" or a plain number
// of bytes.
func parseBytes(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		return 0, errors.New("not a size")
	}
	return n * mult, nil
}

// parseIMAPURL reads imaps://user:pass@host:993/MAILBOX (implicit TLS),
// imap://…:143/MAILBOX (STARTTLS) or imap://…?tls=none (plain text, which
// the fetcher accepts on loopback only).
func parseIMAPURL(v string) (mailin.FetcherConfig, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User == nil {
		return mailin.FetcherConfig{}, errors.New("must look like imaps://user:password@host:993/INBOX")
	}
	fc := mailin.FetcherConfig{Addr: u.Host, Username: u.User.Username(), Mailbox: strings.TrimPrefix(u.Path, "/")}
	fc.Password, _ = u.User.Password()
	switch {
	case u.Scheme == "imaps":
		fc.TLS = mailin.TLSImplicit
		if u.Port() == "" {
			fc.Addr = net.JoinHostPort(u.Hostname(), "993")
		}
	case u.Scheme == "imap" && u.Query().Get("tls") == "none":
		fc.TLS = mailin.TLSNone
	case u.Scheme == "imap":
		fc.TLS = mailin.TLSStartTLS
	default:
		return mailin.FetcherConfig{}, errors.New("must start with imaps:// or imap://")
	}
	if fc.TLS != mailin.TLSImplicit && u.Port() == "" {
		fc.Addr = net.JoinHostPort(u.Hostname(), "143")
	}
	if _, err := mailin.NewFetcher(fc); err != nil {
		return mailin.FetcherConfig{}, err
	}
	return fc, nil
}
